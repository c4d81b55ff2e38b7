// fold.wgsl: col2im, the adjoint of unfold.wgsl: every column summed back onto the pixels its
// patch was taken from, written as a gather so no two invocations write the same pixel:
//   image[p, y, x] = sum of cols[p, ky * k + kx, j, i] over the taps and grid positions with
//                    j * stride + ky - pad_top = y and i * stride + kx - pad_left = x.
// Math, per axis (rows shown; columns alike): with py = y + pad_top, the taps reaching y are
//   ky = py mod stride, ky + stride, ... < k, at grid rows j = (py - ky) / stride, which
//   counts down by one per tap; a tap counts while 0 <= j < grid_h. So a pixel gathers at
//   most ceil(k / stride)^2 values, and pixels no patch covers get 0.
// The grid size and the padding before the image describe the same geometry as unfold's; the
// op checks they agree with the image size.
// Work split: each invocation writes a run of up to RUN pixels of one image row, so the
// divisions that locate the row and its first column happen once per run; along the run
// the column's first tap and grid column follow incrementally.
// Bindings: 0 uniform Params, 1 cols (read, [planes, k * k, grid_h, grid_w]),
//   2 image (write, [planes, image_h, image_w]).
// Dispatch: one invocation per run (planes * image_h * ceil(image_w / RUN)), WG lanes per
// workgroup, 2-D grid past 65535 workgroups (linear index = x + y * num_workgroups.x * WG).
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
@group(0) @binding(1) var<storage, read> cols: array<f32>;
@group(0) @binding(2) var<storage, read_write> image: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let runs_per_row = (u.image_w + RUN - 1u) / RUN;
  let index = gid.x + gid.y * groups.x * WG;
  if (index >= u.planes * u.image_h * runs_per_row) { return; }
  let row = index / runs_per_row;
  let x0 = (index % runs_per_row) * RUN;
  let y = row % u.image_h;
  let p = row / u.image_h;
  let grid = u.grid_h * u.grid_w;
  let plane = p * u.k * u.k * grid;
  let py = y + u.pad_top;
  let ky0 = py % u.stride;
  let jy0 = py / u.stride;
  // First tap and grid column of the run's first pixel: px = x + pad_left = jx * stride + kx.
  let px0 = x0 + u.pad_left;
  var kx0 = px0 % u.stride;
  var jx0 = px0 / u.stride;
  let end = min(x0 + RUN, u.image_w);
  for (var x = x0; x < end; x++) {
    var total = 0.0;
    for (var m = 0u; ky0 + m * u.stride < u.k && m <= jy0; m++) {
      let jy = jy0 - m;
      if (jy >= u.grid_h) { continue; }
      let ky = ky0 + m * u.stride;
      for (var n = 0u; kx0 + n * u.stride < u.k && n <= jx0; n++) {
        let jx = jx0 - n;
        if (jx >= u.grid_w) { continue; }
        let kx = kx0 + n * u.stride;
        total += cols[plane + (ky * u.k + kx) * grid + jy * u.grid_w + jx];
      }
    }
    image[row * u.image_w + x] = total;
    kx0++;
    if (kx0 == u.stride) {
      kx0 = 0u;
      jx0++;
    }
  }
}
