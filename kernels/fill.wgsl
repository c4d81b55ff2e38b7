// fill.wgsl: y[i] = value for every element (zeros, ones, constants).
// Bindings: 0 uniform Params, 1 y (write) as a vec4 array (pooled buffers are multiples of
// 16 bytes, so the partial last vec4 is inside the allocation).
// Dispatch: one invocation per vec4, 2-D grid past 65535 workgroups.
struct Params {
  vec_count: u32,
  value: f32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> y: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.vec_count) { return; }
  y[i] = vec4f(u.value);
}
