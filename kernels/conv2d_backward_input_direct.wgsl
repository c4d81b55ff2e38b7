// conv2d_backward_input_direct.wgsl: the gradient of a convolution with respect to its
// input (the transposed convolution), one input element per invocation: it gathers every
// output that the element fed, so no two invocations write the same place.
//
// Math: gx[b, ci, iy, ix] = sum_{co, ky, kx} gy[b, co, oy, ox] * w[co, ci, ky, kx]
// over the taps where oy = (iy + pt - ky * dh) / sh and ox = (ix + pl - kx * dw) / sw are
// whole numbers inside [0, ho) x [0, wo). Divisibility is tested on integers (the dividend
// is checked non-negative first, since WGSL's % keeps the dividend's sign).
// Bindings: 0 uniform Params, 1 gy, 2 wt (read), 3 gx (write).
// Dispatch: one invocation per element of gx (count = batch * cin * h * w), 2-D grid.
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
@group(0) @binding(1) var<storage, read> gy: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read_write> gx: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = i32(gid.x + gid.y * groups.x * WG);
  if (index >= u.count) { return; }
  let ix = index % u.w;
  let iy = (index / u.w) % u.h;
  let ci = (index / (u.w * u.h)) % u.cin;
  let b = index / (u.w * u.h * u.cin);
  var acc = 0.0;
  for (var ky = 0; ky < u.kh; ky++) {
    let ty = iy + u.pt - ky * u.dh;
    if (ty < 0 || ty % u.sh != 0) { continue; }
    let oy = ty / u.sh;
    if (oy >= u.ho) { continue; }
    for (var kx = 0; kx < u.kw; kx++) {
      let tx = ix + u.pl - kx * u.dw;
      if (tx < 0 || tx % u.sw != 0) { continue; }
      let ox = tx / u.sw;
      if (ox >= u.wo) { continue; }
      for (var co = 0; co < u.cout; co++) {
        let g = gy[((b * u.cout + co) * u.ho + oy) * u.wo + ox];
        acc = fma(g, wt[((co * u.cin + ci) * u.kh + ky) * u.kw + kx], acc);
      }
    }
  }
  gx[index] = acc;
}
