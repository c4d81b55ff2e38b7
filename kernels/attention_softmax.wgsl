// attention_softmax.wgsl: the masked, scaled softmax of contextual attention, one row per
// foreground position, over its L background patches.
//
// Math (DeepFill's official rule, docs/model.md#contextual-attention step 8): with m the 0/1
// validity of each background patch of the row's image and lambda the softmax scale,
//   z[k] = lambda * s[k] * m[k]          (invalid logits become 0, not -inf: they stay in
//   a[k] = m[k] * exp(z[k] - zmax) / sum_j exp(z[j] - zmax)     the denominator)
// and a weight below `negligible` is written as 0 (src/models/ops/attention-softmax.ts says
// why: such weights cannot change a float32 result, and lavapipe computes with subnormal
// numbers, which products of them make, many times slower).
// zmax and the sum come from one pass with the online rule (one exp per value, as in
// softmax.wgsl); a second pass writes a. Two reads of s, one write of a: the chain of
// generic ops it replaces (mul, mul, softmax, mul) reads and writes the row about eight times.
//
// Bindings: 0 uniform Params, 1 s [rows, L] (read), 2 m [images, L] (read; images is 1 when
//   one mask serves every row), 3 a [rows, L] (write).
// Row r belongs to image r / rowsPerImage; its mask row is that image's, or row 0 of m when
//   maskImages == 1.
// Dispatch: one workgroup of WG lanes (a power of two) per row; the lanes stride over the
//   row, then fold their (max, sum) pairs by a tree in workgroup memory. A 2-D grid past
//   65535 rows (row = wid.x + wid.y * num_workgroups.x).
struct Params {
  rows: u32,
  length: u32,
  rowsPerImage: u32,
  maskImages: u32,
  scale: f32,
  negligible: f32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> s: array<f32>;
@group(0) @binding(2) var<storage, read> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> a: array<f32>;

var<workgroup> shared_max: array<f32, WG>;
var<workgroup> shared_sum: array<f32, WG>;

const LOWEST: f32 = -3.4028234663852886e38;

fn combine(x: vec2f, y: vec2f) -> vec2f {
  let top = max(x.x, y.x);
  return vec2f(top, x.y * exp(x.x - top) + y.y * exp(y.x - top));
}

// One value into a (max, sum) pair with a single exp (see softmax.wgsl).
fn push(acc: vec2f, v: f32) -> vec2f {
  let d = v - acc.x;
  let e = exp(-abs(d));
  return select(vec2f(acc.x, acc.y + e), vec2f(v, fma(acc.y, e, 1.0)), d > 0.0);
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_index) lane: u32,
  @builtin(num_workgroups) groups: vec3u,
) {
  let row = wid.x + wid.y * groups.x;
  // Uniform across the workgroup, so the barriers below stay uniform.
  if (row >= u.rows) { return; }
  let base = row * u.length;
  let image = select(row / u.rowsPerImage, 0u, u.maskImages == 1u);
  let mbase = image * u.length;
  var acc = vec2f(LOWEST, 0.0);
  for (var k = lane; k < u.length; k += WG) {
    acc = push(acc, u.scale * s[base + k] * m[mbase + k]);
  }
  shared_max[lane] = acc.x;
  shared_sum[lane] = acc.y;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      let merged = combine(vec2f(shared_max[lane], shared_sum[lane]), vec2f(shared_max[lane + half], shared_sum[lane + half]));
      shared_max[lane] = merged.x;
      shared_sum[lane] = merged.y;
    }
    workgroupBarrier();
  }
  let top = shared_max[0];
  let inv = 1.0 / shared_sum[0];
  for (var k = lane; k < u.length; k += WG) {
    let valid = m[mbase + k];
    let weight = valid * exp(u.scale * s[base + k] * valid - top) * inv;
    a[base + k] = select(weight, 0.0, weight < u.negligible);
  }
}
