// gradient_penalty_backward.wgsl: the gradient of gradient_penalty.wgsl's penalty w.r.t. g.
//
// Math: with n_b the per-sample masked norms from the forward kernel and gy the penalty's
// incoming gradient (one value),
//   dg[b,c,y,x] = gy * 2 (n_b - 1) / (n_b * B) * g[b,c,y,x] * mask[b,0,y,x]
// since d n_b / d g = g * mask / n_b. Where n_b = 0 every masked g is 0, so the gradient is
// 0 there; the scale is set to 0 instead of dividing by zero (which would give NaN = 0 * inf).
// Bindings: 0 uniform Params, 1 gy (read, [1]), 2 g (read), 3 mask (read), 4 norms (read, [B]),
//   5 dg (write, like g).
// Dispatch: one invocation per element of g, WG lanes per workgroup, 2-D grid past 65535
// workgroups (linear index = x + y * num_workgroups.x * WG).
struct Params {
  batch: u32,
  channels: u32,
  plane: u32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gy: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read> mask: array<f32>;
@group(0) @binding(4) var<storage, read> norms: array<f32>;
@group(0) @binding(5) var<storage, read_write> dg: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.y * groups.x * WG;
  let per_sample = u.channels * u.plane;
  if (index >= u.batch * per_sample) { return; }
  let b = index / per_sample;
  let p = index % u.plane;
  let n = norms[b];
  let scale = select(0.0, gy[0] * 2.0 * (n - 1.0) / (n * f32(u.batch)), n > 0.0);
  dg[index] = scale * g[index] * mask[b * u.plane + p];
}
