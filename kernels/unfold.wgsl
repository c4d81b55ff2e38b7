// unfold.wgsl: im2col, the k x k patches of every plane of an image laid out as columns:
//   cols[p, ky * k + kx, j, i] = x[p, j * stride + ky - pad_top, i * stride + kx - pad_left],
//   0 where that pixel lies outside the image (zero padding).
// p runs over the planes (batch * channels), so for x [N, C, H, W] the output [N, C * k * k,
// grid_h, grid_w] orders its channels (channel, tap). The padding after the image (bottom,
// right) is implied by grid_h and grid_w, which the op computes.
// A pure gather of zeros and copies: memory-bound, one read and one write per element.
// fold.wgsl is its adjoint; keep the index rule of the two in step.
// Work split: each invocation writes a run of up to RUN elements of one output row (fixed p,
// tap and j), so the divisions that locate the row (slow on CPU adapters) happen once per
// run; along the run the source column advances by stride.
// Bindings: 0 uniform Params, 1 x (read, [planes, image_h, image_w]),
//   2 cols (write, [planes, k * k, grid_h, grid_w]).
// Dispatch: one invocation per run (planes * k * k * grid_h * ceil(grid_w / RUN)), WG lanes
// per workgroup, 2-D grid past 65535 workgroups (linear index = x + y * num_workgroups.x * WG).
struct Params {
  planes: u32,
  image_h: u32,
  image_w: u32,
  grid_h: u32,
  grid_w: u32,
  k: u32,
  stride: u32,
  pad_top: u32,
  pad_left: u32,
}

override WG: u32 = 64u;
override RUN: u32 = 16u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> cols: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let taps = u.k * u.k;
  let runs_per_row = (u.grid_w + RUN - 1u) / RUN;
  let index = gid.x + gid.y * groups.x * WG;
  if (index >= u.planes * taps * u.grid_h * runs_per_row) { return; }
  let row = index / runs_per_row;
  let i0 = (index % runs_per_row) * RUN;
  let j = row % u.grid_h;
  let plane_tap = row / u.grid_h;
  let tap = plane_tap % taps;
  let p = plane_tap / taps;
  let sy = i32(j * u.stride + tap / u.k) - i32(u.pad_top);
  let row_inside = sy >= 0 && sy < i32(u.image_h);
  let src = (p * u.image_h + u32(max(sy, 0))) * u.image_w;
  var sx = i32(i0 * u.stride + tap % u.k) - i32(u.pad_left);
  let out = row * u.grid_w;
  let end = min(i0 + RUN, u.grid_w);
  for (var i = i0; i < end; i++) {
    var value = 0.0;
    if (row_inside && sx >= 0 && sx < i32(u.image_w)) {
      value = x[src + u32(sx)];
    }
    cols[out + i] = value;
    sx += i32(u.stride);
  }
}
