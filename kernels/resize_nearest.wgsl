// resize_nearest.wgsl: nearest-neighbour resize of NCHW planes, y[p, oy, ox] = x[p, sy, sx].
//
// Math, per axis with in/out sizes (the same rule for rows and columns):
//   default       s = floor(o * in / out)
//   align_corners s = round(o * (in - 1) / (out - 1)), halves rounded up, and s = 0 when
//                 out == 1; computed exactly in integers as
//                 floor((2 o (in - 1) + (out - 1)) / (2 (out - 1))).
// Integer arithmetic makes the choice exact: a float product could land on the wrong side
// of a half and pick the neighbouring pixel. The op checks that the products fit in u32.
// resize_nearest_backward.wgsl inverts the same two rules; keep them in step.
// Bindings: 0 uniform Params, 1 x (read, [planes, in_h, in_w]), 2 y (write, [planes, out_h, out_w]).
// Dispatch: one invocation per output element, WG lanes per workgroup, 2-D grid past 65535
// workgroups (linear index = x + y * num_workgroups.x * WG).
struct Params {
  planes: u32,
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  align_corners: u32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

fn source_index(o: u32, n_in: u32, n_out: u32) -> u32 {
  if (u.align_corners == 0u) {
    return o * n_in / n_out;
  }
  if (n_out == 1u) { return 0u; }
  let span = n_out - 1u;
  return (2u * o * (n_in - 1u) + span) / (2u * span);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.y * groups.x * WG;
  if (index >= u.planes * u.out_h * u.out_w) { return; }
  let ox = index % u.out_w;
  let oy = (index / u.out_w) % u.out_h;
  let p = index / (u.out_w * u.out_h);
  let sy = source_index(oy, u.in_h, u.out_h);
  let sx = source_index(ox, u.in_w, u.out_w);
  y[index] = x[(p * u.in_h + sy) * u.in_w + sx];
}
