// conv2d_backward_filter_direct.wgsl: the gradient of a convolution with respect to its
// weights, one weight per invocation, summing over the batch and every output position.
//
// Math: gw[co, ci, ky, kx] = sum_{b, oy, ox} gy[b, co, oy, ox] *
//         x[b, ci, oy * sh - pt + ky * dh, ox * sw - pl + kx * dw]   (x is 0 outside)
// Bindings: 0 uniform Params, 1 x, 2 gy (read), 3 gw (write).
// Dispatch: one invocation per element of gw (count = cout * cin * kh * kw), 2-D grid.
// The reduction is long (batch * ho * wo) and runs serially per invocation: this is the
// checking variant, not the fast one.
// Params repeats the convolution struct of the other conv kernels (WGSL has no includes);
// test/kernel-contract.test.ts checks every copy against its one declaration in
// src/autograd/ops/conv-kernels.ts.
struct Params {
  count: i32,
  batch: i32, cin: i32, h: i32, w: i32,
  cout: i32, ho: i32, wo: i32,
  kh: i32, kw: i32, sh: i32, sw: i32,
  dh: i32, dw: i32, pt: i32, pl: i32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> gy: array<f32>;
@group(0) @binding(3) var<storage, read_write> gw: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = i32(gid.x + gid.y * groups.x * WG);
  if (index >= u.count) { return; }
  let kx = index % u.kw;
  let ky = (index / u.kw) % u.kh;
  let ci = (index / (u.kw * u.kh)) % u.cin;
  let co = index / (u.kw * u.kh * u.cin);
  // The output rows and columns whose tap (ky, kx) lands inside the image.
  let oy_first = max(0, (u.pt - ky * u.dh + u.sh - 1) / u.sh);
  let ox_first = max(0, (u.pl - kx * u.dw + u.sw - 1) / u.sw);
  var acc = 0.0;
  for (var b = 0; b < u.batch; b++) {
    let x_plane = (b * u.cin + ci) * u.h;
    let g_plane = (b * u.cout + co) * u.ho;
    for (var oy = oy_first; oy < u.ho; oy++) {
      let iy = oy * u.sh - u.pt + ky * u.dh;
      if (iy >= u.h) { break; }
      for (var ox = ox_first; ox < u.wo; ox++) {
        let ix = ox * u.sw - u.pl + kx * u.dw;
        if (ix >= u.w) { break; }
        acc = fma(gy[(g_plane + oy) * u.wo + ox], x[(x_plane + iy) * u.w + ix], acc);
      }
    }
  }
  gw[index] = acc;
}
