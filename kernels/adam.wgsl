// adam.wgsl: the fused Adam update of two parameter tensors in one dispatch, in place, four
// elements per invocation. A training step updates every tensor of a network; pairing them
// halves the dispatches, whose fixed cost dominates for the small tensors (biases, narrow
// layers). Two slots of four buffers fill the eight storage bindings every WebGPU adapter
// offers.
// Bindings: 0 uniform Params, 1 grad0 (read), 2 grad1 (read), 3 param0, 4 m0, 5 v0,
// 6 param1, 7 m1, 8 v1 (read_write); all as vec4 arrays (pooled buffers are multiples of 16
// bytes, so a partial last vec4 stays inside each allocation; its padding lanes hold no
// tensor data). A launch with one tensor gives slot 1 vec_count1 = 0 and scratch buffers.
// Dispatch: one invocation per vec4 of both slots (vec_count0 + vec_count1), slot 0 first;
// 2-D grid past 65535 workgroups.
// Math (TensorFlow's form, which the official code trains with; t = step count from 1):
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   param <- param - step_size * m / (sqrt(v) + eps),  step_size = lr sqrt(1 - beta2^t) / (1 - beta1^t)
// step_size, 1 - beta1 and 1 - beta2 come from the host in double precision: 1 - beta2 taken
// in float32 from beta2 = 0.999 would be off by 1.3e-5 relative.
struct Params {
  vec_count0: u32,
  vec_count1: u32,
  step_size: f32,
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
  eps: f32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> grad0: array<vec4f>;
@group(0) @binding(2) var<storage, read> grad1: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> param0: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> m0: array<vec4f>;
@group(0) @binding(5) var<storage, read_write> v0: array<vec4f>;
@group(0) @binding(6) var<storage, read_write> param1: array<vec4f>;
@group(0) @binding(7) var<storage, read_write> m1: array<vec4f>;
@group(0) @binding(8) var<storage, read_write> v1: array<vec4f>;

struct Updated {
  param: vec4f,
  m: vec4f,
  v: vec4f,
}

fn update(g: vec4f, param: vec4f, m: vec4f, v: vec4f) -> Updated {
  let m_new = u.beta1 * m + u.one_minus_beta1 * g;
  let v_new = u.beta2 * v + u.one_minus_beta2 * (g * g);
  return Updated(param - u.step_size * m_new / (sqrt(v_new) + vec4f(u.eps)), m_new, v_new);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i < u.vec_count0) {
    let r = update(grad0[i], param0[i], m0[i], v0[i]);
    param0[i] = r.param;
    m0[i] = r.m;
    v0[i] = r.v;
    return;
  }
  let j = i - u.vec_count0;
  if (j >= u.vec_count1) { return; }
  let r = update(grad1[j], param1[j], m1[j], v1[j]);
  param1[j] = r.param;
  m1[j] = r.m;
  v1[j] = r.v;
}
