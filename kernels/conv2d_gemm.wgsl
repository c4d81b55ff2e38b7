// conv2d_gemm.wgsl: the fast forward convolution as an implicit GEMM, with workgroup-memory
// tiles and an 8 x 4 block of outputs per lane.
//
// Math: Y[m, n] = activate(bias[m] + sum_k A[m, k] * B[k, n]), with
//   m = output channel (M = cout), n = (b, oy, ox) (N = batch * ho * wo),
//   k = (c, ky, kx) (K = cin * kh * kw),
//   A[m, k] = wt[w_base + m * w_sm + c * w_sc + ky * w_sy + kx * w_sx]
//   B[k, n] = x[b, c, oy * sh - pt + ky * dh, ox * sw - pl + kx * dw]   (0 outside the image)
// and Y[m, n] stored at y[y_origin + b * y_sb + m * y_sm + oy * y_sy + ox * y_sx]. The
// weight, the batch and channel axes of x and every axis of y go through strides, so the
// same kernel also runs each stride phase of the gradient with respect to the input (a
// correlation with the flipped, subsampled, channel-swapped weight, negative strides from a
// shifted base, written to every s-th pixel; see src/autograd/ops/conv-phases.ts) and the
// gradient with respect to the weight (a convolution of x, batch and channels swapped, by
// gy as the filter, with stride and dilation swapped: K = batch * ho * wo).
// Tiles: a workgroup of WG_N x WG_M lanes owns BM = 8 WG_M rows by BN = 4 WG_N columns.
// Each step of BK along K, the lanes copy A (as [BK][BM/4] vec4s) and B (as [BK][BN/4]
// vec4s) into workgroup memory, then each lane accumulates its 8 x 4 block from there. On
// lavapipe loads from workgroup memory are several times cheaper than
// per-lane storage loads, and the 8 lanes of a SIMD row share their A vec4s (the same
// address in every lane), so the inner loop costs 3 vec4 loads per 32 FMAs.
// Lane l takes columns 4 * (l % WG_N) .. +3 both when copying B and when computing, so the
// pixel coordinates of its columns are decoded once, outside the K loop.
// Every load and store is bounds-checked: M, N and K need not be multiples of the tiles.
// activate is the ACTIVATION override's function (identity by default), so a layer's
// conv + bias + activation is one dispatch.
// Bindings: 0 uniform Params, 1 x, 2 wt, 3 bias (read; any buffer when HAS_BIAS is false),
// 4 y (write).
// Dispatch: (ceil(N / BN), ceil(M / BM), 1) workgroups.
// Params repeats the convolution struct of the other conv kernels (WGSL has no includes);
// test/kernel-contract.test.ts checks every copy against its one declaration in
// src/autograd/ops/conv-kernels.ts.
struct Params {
  count: i32,
  batch: i32, cin: i32, h: i32, w: i32,
  cout: i32, ho: i32, wo: i32,
  kh: i32, kw: i32, sh: i32, sw: i32,
  dh: i32, dw: i32, pt: i32, pl: i32,
  w_base: i32, w_sm: i32, w_sc: i32, w_sy: i32, w_sx: i32,
  x_sb: i32, x_sc: i32, y_sb: i32, y_sm: i32,
  y_sy: i32, y_sx: i32, y_origin: i32,
}

const TM = 8u;
const TN = 4u;
override HAS_BIAS: bool = false;
override WG_M: u32 = 4u;
override WG_N: u32 = 16u;
override BK: u32 = 16u;
override LANES: u32 = WG_M * WG_N;
override BM4: u32 = WG_M * TM / 4u;
override BN4: u32 = WG_N * TN / 4u;

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

var<workgroup> a_tile: array<vec4f, BK * BM4>;
var<workgroup> b_tile: array<vec4f, BK * BN4>;

@compute @workgroup_size(WG_N, WG_M)
fn main(@builtin(local_invocation_index) l: u32, @builtin(workgroup_id) group: vec3u) {
  let M = u.cout;
  let N = u.batch * u.ho * u.wo;
  let K = u.cin * u.kh * u.kw;
  let taps = u.kh * u.kw;
  let out_plane = u.ho * u.wo;
  let m0 = i32(group.y * BM4 * 4u);
  let ln = l % WG_N;
  let lm = l / WG_N;

  // This lane's four columns: where their receptive fields start, and where they are stored.
  var x_base: array<i32, 4>;
  var iy0: array<i32, 4>;
  var ix0: array<i32, 4>;
  var y_base: array<i32, 4>;
  var col_ok: array<bool, 4>;
  for (var j = 0u; j < TN; j++) {
    let n = i32((group.x * BN4 + ln) * TN + j);
    col_ok[j] = n < N;
    let p = n % out_plane;
    let b = n / out_plane;
    iy0[j] = (p / u.wo) * u.sh - u.pt;
    ix0[j] = (p % u.wo) * u.sw - u.pl;
    x_base[j] = b * u.x_sb;
    y_base[j] = u.y_origin + b * u.y_sb + (p / u.wo) * u.y_sy + (p % u.wo) * u.y_sx;
  }

  var acc: array<vec4f, 8>; // [TM / 4][TN]: acc[r * TN + j] holds rows 4r..4r+3 of column j
  for (var k0 = 0; k0 < K; k0 += i32(BK)) {
    // Copy A: lane takes the vec4 (rows 4 * m4 .. +3) at depth kk.
    for (var e = l; e < BK * BM4; e += LANES) {
      let kk = e / BM4;
      let m4 = i32(e % BM4);
      let k = k0 + i32(kk);
      var v = vec4f(0.0);
      if (k < K) {
        let c = k / taps;
        let t = k % taps;
        let off = u.w_base + c * u.w_sc + (t / u.kw) * u.w_sy + (t % u.kw) * u.w_sx;
        for (var i = 0; i < 4; i++) {
          let m = m0 + m4 * 4 + i;
          if (m < M) { v[i] = wt[off + m * u.w_sm]; }
        }
      }
      a_tile[e] = v;
    }
    // Copy B: lane takes its own four columns at depths lm, lm + WG_M, ...
    for (var kk = lm; kk < BK; kk += WG_M) {
      let k = k0 + i32(kk);
      var v = vec4f(0.0);
      if (k < K) {
        let c = k / taps;
        let t = k % taps;
        let dy = (t / u.kw) * u.dh;
        let dx = (t % u.kw) * u.dw;
        for (var j = 0u; j < TN; j++) {
          let iy = iy0[j] + dy;
          let ix = ix0[j] + dx;
          if (col_ok[j] && iy >= 0 && iy < u.h && ix >= 0 && ix < u.w) {
            v[j] = x[x_base[j] + c * u.x_sc + iy * u.w + ix];
          }
        }
      }
      b_tile[kk * BN4 + ln] = v;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let bv = b_tile[kk * BN4 + ln];
      let a0 = a_tile[kk * BM4 + lm * 2u];
      let a1 = a_tile[kk * BM4 + lm * 2u + 1u];
      acc[0] = fma(a0, vec4f(bv.x), acc[0]);
      acc[1] = fma(a0, vec4f(bv.y), acc[1]);
      acc[2] = fma(a0, vec4f(bv.z), acc[2]);
      acc[3] = fma(a0, vec4f(bv.w), acc[3]);
      acc[4] = fma(a1, vec4f(bv.x), acc[4]);
      acc[5] = fma(a1, vec4f(bv.y), acc[5]);
      acc[6] = fma(a1, vec4f(bv.z), acc[6]);
      acc[7] = fma(a1, vec4f(bv.w), acc[7]);
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < TM / 4u; r++) {
    for (var i = 0u; i < 4u; i++) {
      let m = m0 + i32(lm * TM + r * 4u + i);
      if (m >= M) { continue; }
      var add = 0.0;
      if (HAS_BIAS) { add = bias[m]; }
      for (var j = 0u; j < TN; j++) {
        if (col_ok[j]) { y[y_base[j] + m * u.y_sm] = activate(acc[r * TN + j][i] + add); }
      }
    }
  }
}
