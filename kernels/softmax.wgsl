// softmax.wgsl: y = softmax over the middle axis of x viewed as [outer, length, inner].
//
// Math: for each row r = (o, i), m = max_k x[o, k, i], s = sum_k exp(x[o, k, i] - m),
//   y[o, k, i] = exp(x[o, k, i] - m) / s.
// Subtracting the row's maximum keeps every exponent <= 0, so nothing overflows. m and s are
// found in one pass with the online rule (m' = max(m, v), s' = s e^(m - m') + e^(v - m'),
// one of the two exponents being 0, so one exp per value), then a second pass writes y:
// two reads of x instead of three, and reads are what cost on a software adapter. (Three
// exps per value instead of two made the kernel 2-3x slower on lavapipe.) The running maximum starts at the most negative finite float rather
// than -inf, so that e^(m - m') is never e^(-inf + inf).
//
// Two layouts, chosen by the COOPERATIVE override:
//   0: one invocation per row. Adjacent lanes take adjacent `inner` positions, so their
//      loads are adjacent. Suits inner > 1 (softmax over channels of NCHW) or short rows.
//   1: one workgroup per row (inner must be 1; WG a power of two). The WG lanes stride over
//      the row, then combine their (m, s) pairs by a tree in workgroup memory. Suits long
//      rows of the last axis, where one invocation per row would leave most lanes idle.
// Bindings: 0 uniform Params, 1 x (read), 2 y (write).
// Dispatch: layout 0, one invocation per row (outer * inner), WG lanes per workgroup;
//   layout 1, one workgroup per row (outer rows). Both use a 2-D grid past 65535 workgroups
//   (linear workgroup index = wid.x + wid.y * num_workgroups.x).
struct Params {
  outer: u32,
  length: u32,
  inner: u32,
}

override COOPERATIVE: u32 = 0u;
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

var<workgroup> shared_max: array<f32, WG>;
var<workgroup> shared_sum: array<f32, WG>;

const LOWEST: f32 = -3.4028234663852886e38;

// Merges two partial (max, sum) pairs of the online rule.
fn combine(a: vec2f, b: vec2f) -> vec2f {
  let m = max(a.x, b.x);
  return vec2f(m, a.y * exp(a.x - m) + b.y * exp(b.x - m));
}

// Adds one value to a (max, sum) pair with a single exp: whichever of the two is smaller
// is scaled by e^-|v - m|.
fn push(acc: vec2f, v: f32) -> vec2f {
  let d = v - acc.x;
  let e = exp(-abs(d));
  return select(vec2f(acc.x, acc.y + e), vec2f(v, fma(acc.y, e, 1.0)), d > 0.0);
}

fn per_row(index: u32) {
  if (index >= u.outer * u.inner) { return; }
  let i = index % u.inner;
  let o = index / u.inner;
  let base = o * u.length * u.inner + i;
  var acc = vec2f(LOWEST, 0.0);
  for (var k = 0u; k < u.length; k++) {
    acc = push(acc, x[base + k * u.inner]);
  }
  let scale = 1.0 / acc.y;
  for (var k = 0u; k < u.length; k++) {
    let p = base + k * u.inner;
    y[p] = exp(x[p] - acc.x) * scale;
  }
}

fn per_workgroup(row: u32, lane: u32) {
  // `row` is the same for the whole workgroup, so the early exit keeps the barriers uniform.
  if (row >= u.outer) { return; }
  let base = row * u.length;
  var acc = vec2f(LOWEST, 0.0);
  for (var k = lane; k < u.length; k += WG) {
    acc = push(acc, x[base + k]);
  }
  shared_max[lane] = acc.x;
  shared_sum[lane] = acc.y;
  workgroupBarrier();
  // A tree: each step folds the upper half onto the lower one (WG is a power of two).
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      let merged = combine(vec2f(shared_max[lane], shared_sum[lane]), vec2f(shared_max[lane + half], shared_sum[lane + half]));
      shared_max[lane] = merged.x;
      shared_sum[lane] = merged.y;
    }
    workgroupBarrier();
  }
  let m = shared_max[0];
  let scale = 1.0 / shared_sum[0];
  for (var k = lane; k < u.length; k += WG) {
    y[base + k] = exp(x[base + k] - m) * scale;
  }
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_index) lane: u32,
  @builtin(num_workgroups) groups: vec3u,
) {
  let group = wid.x + wid.y * groups.x;
  if (COOPERATIVE == 1u) {
    per_workgroup(group, lane);
  } else {
    per_row(group * WG + lane);
  }
}
