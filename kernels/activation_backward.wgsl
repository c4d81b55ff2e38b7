// activation_backward.wgsl: an activation's vjp in one pass, dx[i] = g[i] * f'(x[i]), with
// the slope read from the OUTPUT y = f(x) (so x need not be kept, and a convolution that
// applies f in its epilogue never writes x), where written as ops it took a pass to form the
// slope and one to multiply. For p0 >= 0, y > 0 exactly where x > 0.
//
// Math (OP override; p0 is the activation's parameter):
//   0 relu        g * (y > 0 ? 1 : 0)
//   1 elu         g * (y > 0 ? 1 : y + p0)        (ELU's slope p0 e^x = y + p0 below 0)
//   2 leaky_relu  g * (y > 0 ? 1 : p0)
//   3 elu_curve   g * (y > 0 ? 0 : 1)             (d(slope)/dy, for second order)
// Bindings: 0 uniform Params, 1 g (read), 2 y (read), 3 dx (write), all as vec4 arrays:
// pooled buffers are sized in multiples of 16 bytes, so the last partial vec4 is inside the
// allocation.
// Dispatch: each invocation handles PER_LANE consecutive vec4s (as unary.wgsl does, to
// amortise the per-invocation overhead on CPU adapters); 2-D grid past 65535 workgroups
// (linear index = x + y * num_workgroups.x * WG).
struct Params {
  vec_count: u32,
  p0: f32,
}

override OP: u32 = 0u;
override WG: u32 = 64u;
override PER_LANE: u32 = 4u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> g: array<vec4f>;
@group(0) @binding(2) var<storage, read> y: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dx: array<vec4f>;

fn slope(v: vec4f) -> vec4f {
  let positive = v > vec4f(0.0);
  switch OP {
    case 0u: { return select(vec4f(0.0), vec4f(1.0), positive); }
    case 1u: { return select(v + u.p0, vec4f(1.0), positive); }
    case 2u: { return select(vec4f(u.p0), vec4f(1.0), positive); }
    case 3u: { return select(vec4f(1.0), vec4f(0.0), positive); }
    default: { return vec4f(1.0); }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let first = (gid.x + gid.y * groups.x * WG) * PER_LANE;
  for (var i = first; i < min(first + PER_LANE, u.vec_count); i++) {
    dx[i] = g[i] * slope(y[i]);
  }
}
