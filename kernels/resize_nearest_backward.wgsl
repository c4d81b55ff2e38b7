// resize_nearest_backward.wgsl: the adjoint of resize_nearest.wgsl, a scatter-add written as
// a gather: gx[p, iy, ix] = sum of gy[p, oy, ox] over the outputs whose source is (iy, ix).
//
// Math: the source index s(o) of each rule is non-decreasing in o, so the outputs reading
// input i form the contiguous range [first(i), first(i + 1)), where first(i) is the
// smallest o with s(o) >= i (clamped to out). In integers:
//   default       s(o) >= i  <=>  o in >= i out            first(i) = ceil(i out / in)
//   align_corners s(o) >= i  <=>  2 o (in - 1) >= (2 i - 1)(out - 1)
//                 first(0) = 0; for i >= 1, first(i) = ceil((2 i - 1)(out - 1) / (2 (in - 1)))
//                 when in > 1 and out > 1, else out (every output then reads input 0).
// An empty range (an input that downsampling skips) gets 0.
// Bindings: 0 uniform Params, 1 gy (read, [planes, out_h, out_w]), 2 gx (write, [planes, in_h, in_w]).
// Dispatch: one invocation per input element (planes * in_h * in_w), WG lanes per
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

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gy: array<f32>;
@group(0) @binding(2) var<storage, read_write> gx: array<f32>;

fn ceil_div(a: u32, b: u32) -> u32 {
  return (a + b - 1u) / b;
}

fn first_output(i: u32, n_in: u32, n_out: u32) -> u32 {
  if (u.align_corners == 0u) {
    return min(n_out, ceil_div(i * n_out, n_in));
  }
  if (i == 0u) { return 0u; }
  if (n_in == 1u || n_out == 1u) { return n_out; }
  return min(n_out, ceil_div((2u * i - 1u) * (n_out - 1u), 2u * (n_in - 1u)));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.y * groups.x * WG;
  if (index >= u.planes * u.in_h * u.in_w) { return; }
  let ix = index % u.in_w;
  let iy = (index / u.in_w) % u.in_h;
  let p = index / (u.in_w * u.in_h);
  let y0 = first_output(iy, u.in_h, u.out_h);
  let y1 = first_output(iy + 1u, u.in_h, u.out_h);
  let x0 = first_output(ix, u.in_w, u.out_w);
  let x1 = first_output(ix + 1u, u.in_w, u.out_w);
  var total = 0.0;
  for (var oy = y0; oy < y1; oy++) {
    let row = (p * u.out_h + oy) * u.out_w;
    for (var ox = x0; ox < x1; ox++) {
      total += gy[row + ox];
    }
  }
  gx[index] = total;
}
