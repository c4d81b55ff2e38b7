// sum_outer_inner.wgsl: sums a tensor viewed as [outer, kept, inner] over its first and last
// axes, keeping the middle one: a convolution's bias gradient (sum of dy over batch, height
// and width per channel) in one pass instead of one pass per run of reduced axes.
//
// Math: out[m] = sum over o < outer, i < inner of x[(o * kept + m) * inner + i].
// Each workgroup owns one output m. Its WG lanes (a power of two, 4 to 64: the launcher gives
// each lane about 8 terms, as a wide workgroup over few terms is slow on a CPU adapter) walk
// the outer * inner terms in steps of WG, adjacent lanes on adjacent `inner` positions so
// their loads are adjacent, tracking (o, i) by adding (WG / inner, WG % inner) with one
// carry instead of dividing per term.
// The lanes' partial sums are then folded by a tree in workgroup memory.
// Bindings: 0 uniform Params, 1 x (read), 2 out (write, `kept` values).
// Dispatch: one workgroup per output (kept workgroups), a 2-D grid past 65535 workgroups
//   (output = wid.x + wid.y * num_workgroups.x).
struct Params {
  outer: u32,
  kept: u32,
  inner: u32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_index) lane: u32,
  @builtin(num_workgroups) groups: vec3u,
) {
  let m = wid.x + wid.y * groups.x;
  // `m` is the same for the whole workgroup, so the early exit keeps the barriers uniform.
  if (m >= u.kept) { return; }
  let terms = u.outer * u.inner;
  let step_o = WG / u.inner;
  let step_i = WG % u.inner;
  var o = lane / u.inner;
  var i = lane % u.inner;
  var acc = 0.0;
  for (var j = lane; j < terms; j += WG) {
    acc += x[(o * u.kept + m) * u.inner + i];
    o += step_o;
    i += step_i;
    if (i >= u.inner) {
      i -= u.inner;
      o += 1u;
    }
  }
  partial[lane] = acc;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      partial[lane] += partial[lane + half];
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    out[m] = partial[0];
  }
}
