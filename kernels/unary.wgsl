// unary.wgsl: y[i] = f(x[i]) for one of the elementwise functions below.
//
// Math (OP override; p0, p1 are uniform parameters):
//   0 neg  -x            1 exp  e^x             2 log  ln x          3 sqrt  sqrt(x)
//   4 square  x^2        5 abs  |x|             6 relu  max(x, 0)
//   7 elu  x > 0 ? x : p0 (e^x - 1)              8 leaky_relu  x > 0 ? x : p0 x
//   9 clip  min(max(x, p0), p1)                  10 affine  p0 x + p1
//   11 pow  x^p0 (negative x allowed when p0 is an integer)
//   12 sign  -1, 0 or 1  13 step  x > p0 ? 1 : 0
//   14 inside  p0 <= x <= p1 ? 1 : 0  (the derivative mask of clip)
// Bindings: 0 uniform Params, 1 x (read), 2 y (write), both as vec4 arrays: pooled buffers
// are sized in multiples of 16 bytes, so the last partial vec4 is inside the allocation.
// Dispatch: each invocation handles PER_LANE consecutive vec4s (16 elements by default):
// on lavapipe a vec4 load costs about what a scalar load does, and several per lane
// amortise the per-invocation overhead (add ran 3x faster than one scalar per lane).
// 2-D grid past 65535 workgroups (linear index = x + y * num_workgroups.x * WG).
struct Params {
  vec_count: u32,
  p0: f32,
  p1: f32,
}

override OP: u32 = 0u;
override WG: u32 = 64u;
override PER_LANE: u32 = 4u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> y: array<vec4f>;

fn apply(v: vec4f) -> vec4f {
  switch OP {
    case 0u: { return -v; }
    case 1u: { return exp(v); }
    case 2u: { return log(v); }
    case 3u: { return sqrt(v); }
    case 4u: { return v * v; }
    case 5u: { return abs(v); }
    case 6u: { return max(v, vec4f(0.0)); }
    case 7u: { return select(u.p0 * (exp(v) - 1.0), v, v > vec4f(0.0)); }
    case 8u: { return select(u.p0 * v, v, v > vec4f(0.0)); }
    case 9u: { return min(max(v, vec4f(u.p0)), vec4f(u.p1)); }
    case 10u: { return fma(vec4f(u.p0), v, vec4f(u.p1)); }
    case 11u: { return signed_pow(v, u.p0); }
    case 12u: { return sign(v); }
    case 13u: { return select(vec4f(0.0), vec4f(1.0), v > vec4f(u.p0)); }
    case 14u: { return select(vec4f(0.0), vec4f(1.0), (v >= vec4f(u.p0)) & (v <= vec4f(u.p1))); }
    default: { return v; }
  }
}

// pow() is undefined for negative bases; an integer exponent still has a real answer.
fn signed_pow(v: vec4f, p: f32) -> vec4f {
  if (p == 0.0) { return vec4f(1.0); }
  let magnitude = pow(abs(v), vec4f(p));
  // A quiet NaN, as a runtime value (a constant NaN is a compile error in WGSL).
  let nan_bits = 0x7fc00000u;
  let negative = select(-magnitude, magnitude, fract(p * 0.5) == 0.0);
  let negative_or_nan = select(vec4f(bitcast<f32>(nan_bits)), negative, fract(p) == 0.0);
  return select(negative_or_nan, magnitude, v >= vec4f(0.0));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let first = (gid.x + gid.y * groups.x * WG) * PER_LANE;
  for (var i = first; i < min(first + PER_LANE, u.vec_count); i++) {
    y[i] = apply(x[i]);
  }
}
