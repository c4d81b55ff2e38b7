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
// Work split: each invocation writes a run of up to RUN pixels of one output row, so the
// divisions that locate the row and its first source column (slow on CPU adapters) happen
// once per run; along the run the source column follows the same rule incrementally.
// Bindings: 0 uniform Params, 1 x (read, [planes, in_h, in_w]), 2 y (write, [planes, out_h, out_w]).
// Dispatch: one invocation per run (planes * out_h * ceil(out_w / RUN)), WG lanes per
// workgroup, 2-D grid past 65535 workgroups (linear index = x + y * num_workgroups.x * WG).
struct Params {
  planes: u32,
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  align_corners: u32,
}

override WG: u32 = 64u;
override RUN: u32 = 16u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

/** Both rules as s = floor((a o + b) / d): (a, b, d) for an axis of n_in -> n_out. */
fn rule(n_in: u32, n_out: u32) -> vec3u {
  if (u.align_corners == 0u) { return vec3u(n_in, 0u, n_out); }
  if (n_out == 1u) { return vec3u(0u, 0u, 1u); }
  let span = n_out - 1u;
  return vec3u(2u * (n_in - 1u), span, 2u * span);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let runs_per_row = (u.out_w + RUN - 1u) / RUN;
  let index = gid.x + gid.y * groups.x * WG;
  if (index >= u.planes * u.out_h * runs_per_row) { return; }
  let row = index / runs_per_row;
  let ox0 = (index % runs_per_row) * RUN;
  let oy = row % u.out_h;
  let p = row / u.out_h;
  let ry = rule(u.in_h, u.out_h);
  let sy = (ry.x * oy + ry.y) / ry.z;
  let rx = rule(u.in_w, u.out_w);
  // Source column of ox as the quotient sx and remainder rem of (a ox + b) / d.
  let start = rx.x * ox0 + rx.y;
  var sx = start / rx.z;
  var rem = start % rx.z;
  let src = (p * u.in_h + sy) * u.in_w;
  let out = row * u.out_w;
  let end = min(ox0 + RUN, u.out_w);
  for (var ox = ox0; ox < end; ox++) {
    y[out + ox] = x[src + sx];
    rem += rx.x;
    while (rem >= rx.z) {
      rem -= rx.z;
      sx++;
    }
  }
}
