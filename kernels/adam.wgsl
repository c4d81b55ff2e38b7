// adam.wgsl: one fused Adam update, in place, four elements per invocation.
// Bindings: 0 uniform Params, 1 grad (read), 2 param (read_write), 3 m (read_write),
// 4 v (read_write); all as vec4 arrays (pooled buffers are multiples of 16 bytes, so a
// partial last vec4 stays inside each allocation; its padding lanes hold no tensor data).
// Dispatch: one invocation per vec4, 2-D grid past 65535 workgroups.
// Math (TensorFlow's form, which the official code trains with; t = step count from 1):
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   param <- param - step_size * m / (sqrt(v) + eps),  step_size = lr sqrt(1 - beta2^t) / (1 - beta1^t)
// step_size, 1 - beta1 and 1 - beta2 come from the host in double precision: 1 - beta2 taken
// in float32 from beta2 = 0.999 would be off by 1.3e-5 relative.
struct Params {
  vec_count: u32,
  step_size: f32,
  beta1: f32,
  beta2: f32,
  one_minus_beta1: f32,
  one_minus_beta2: f32,
  eps: f32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> grad: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> param: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> m: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> v: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.vec_count) { return; }
  let g = grad[i];
  let m1 = u.beta1 * m[i] + u.one_minus_beta1 * g;
  let v1 = u.beta2 * v[i] + u.one_minus_beta2 * (g * g);
  m[i] = m1;
  v[i] = v1;
  param[i] = param[i] - u.step_size * m1 / (sqrt(v1) + vec4f(u.eps));
}
