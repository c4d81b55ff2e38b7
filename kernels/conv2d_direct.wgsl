// conv2d_direct.wgsl: the plain forward convolution, one output per invocation (the
// checking variant: slow, but right for every shape).
//
// Math: y[b, co, oy, ox] = activate(bias[co] + sum_{ci, ky, kx} w[co, ci, ky, kx] *
//         x[b, ci, oy * sh - pt + ky * dh, ox * sw - pl + kx * dw])
// with x read as 0 outside [0, h) x [0, w) (zero padding; mirror padding is an explicit
// pad before this kernel) and activate the ACTIVATION override's function (identity by
// default, so a layer's conv + bias + activation is one dispatch). Layouts: x NCHW,
// w [cout, cin, kh, kw], y NCHW.
// Bindings: 0 uniform Params, 1 x, 2 wt, 3 bias (read; any buffer when HAS_BIAS is false),
// 4 y (write).
// Dispatch: one invocation per element of y (count = batch * cout * ho * wo), 2-D grid.
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

override HAS_BIAS: bool = false;
override WG: u32 = 64u;

// The activation epilogue, the same in every forward convolution kernel (the contract test
// compares the copies): ACTIVATION 0 none, 1 elu (ACTIVATION_PARAM = alpha), 2 leaky_relu
// (ACTIVATION_PARAM = slope), 3 relu; the formulas of unary.wgsl.
override ACTIVATION: u32 = 0u;
override ACTIVATION_PARAM: f32 = 0.0;

fn activate(v: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return select(ACTIVATION_PARAM * (exp(v) - 1.0), v, v > 0.0); }
    case 2u: { return select(ACTIVATION_PARAM * v, v, v > 0.0); }
    case 3u: { return max(v, 0.0); }
    default: { return v; }
  }
}

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> wt: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = i32(gid.x + gid.y * groups.x * WG);
  if (index >= u.count) { return; }
  let ox = index % u.wo;
  let oy = (index / u.wo) % u.ho;
  let co = (index / (u.wo * u.ho)) % u.cout;
  let b = index / (u.wo * u.ho * u.cout);
  var acc = 0.0;
  if (HAS_BIAS) { acc = bias[co]; }
  for (var ci = 0; ci < u.cin; ci++) {
    let x_plane = (b * u.cin + ci) * u.h;
    let w_plane = (co * u.cin + ci) * u.kh;
    for (var ky = 0; ky < u.kh; ky++) {
      let iy = oy * u.sh - u.pt + ky * u.dh;
      if (iy < 0 || iy >= u.h) { continue; }
      for (var kx = 0; kx < u.kw; kx++) {
        let ix = ox * u.sw - u.pl + kx * u.dw;
        if (ix < 0 || ix >= u.w) { continue; }
        acc = fma(wt[(w_plane + ky) * u.kw + kx], x[(x_plane + iy) * u.w + ix], acc);
      }
    }
  }
  y[index] = activate(acc);
}
