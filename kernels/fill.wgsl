// fill.wgsl: y[i] = value for every i < count (zeros, ones, constants).
// Bindings: 0 uniform Params, 1 y (write).
// Dispatch: one invocation per element, 2-D grid past 65535 workgroups.
struct Params {
  count: u32,
  value: f32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.count) { return; }
  y[i] = u.value;
}
