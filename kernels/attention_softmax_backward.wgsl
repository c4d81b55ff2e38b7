// attention_softmax_backward.wgsl: the vjp of attention_softmax.wgsl, from its output.
//
// Math: with a = m * softmax(lambda * s * m) and g = dL/da, for each row
//   ds[k] = lambda * a[k] * (g[k] - sum_j g[j] a[j]).
// (Derivation: dL/dz = y (g m - sum_j g_j m_j y_j) with y the softmax; m y = a and m^2 = m,
// so ds = lambda m dL/dz needs only a, never s or m: invalid entries have a = 0 and get 0.)
// One read of a and g for the dot product, one more for the write.
//
// Bindings: 0 uniform Params, 1 a [rows, L] (read), 2 g [rows, L] (read), 3 ds [rows, L] (write).
// Dispatch: one workgroup of WG lanes (a power of two) per row, as the forward kernel; a 2-D
//   grid past 65535 rows.
struct Params {
  rows: u32,
  length: u32,
  scale: f32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> ds: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_index) lane: u32,
  @builtin(num_workgroups) groups: vec3u,
) {
  let row = wid.x + wid.y * groups.x;
  if (row >= u.rows) { return; }
  let base = row * u.length;
  var dot = 0.0;
  for (var k = lane; k < u.length; k += WG) {
    dot = fma(g[base + k], a[base + k], dot);
  }
  partial[lane] = dot;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      partial[lane] += partial[lane + half];
    }
    workgroupBarrier();
  }
  let total = partial[0];
  for (var k = lane; k < u.length; k += WG) {
    ds[base + k] = u.scale * a[base + k] * (g[base + k] - total);
  }
}
