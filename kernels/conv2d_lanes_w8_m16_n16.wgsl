// conv2d_lanes_w8_m16_n16.wgsl: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM). Generated (W 8, TM 2, TN 16) by tools/gen-kernels/gen_conv_lanes.py
// (run `npm run gen:kernels`, do not edit); the register tile is the one of
// matmul_lanes_w8.wgsl (read its header for why it is fast): a workgroup is one
// subgroup of exactly 8 lanes, lane l owns rows l + 8 r (r < 2) of a 16 x 16 tile,
// gathers 2 values of B per step and shares them with subgroupBroadcast.
// Each loop iteration takes 2 steps of the reduction (lanes_core.step says why); where 2
// does not divide the step count, the steps past the end load zeros.
//
// Math: C[m, n] = activate(bias[m] + sum over k = (k0, k1, k2) of A[m, k] B[k, n]), where the column
// n = (n0 N1 + n1) N2 + n2 and the reduction index each split into three axes, and
//   A[m, k]  = a[a_base + m a_m + k0 a_k0 + k1 a_k1 + k2 a_k2]
//   B[k, n]  = image[b_base + n0 b_n0 + k0 b_k0 + iy w + ix]  (0 unless 0 <= iy < h, 0 <= ix < w)
//              with iy = y0 + n1 yn + k1 yk and ix = x0 + n2 xn + k2 xk
//   C[m, n] -> c[c_base + m c_m + n0 c_n0 + n1 c_n1 + n2 c_n2].
// For the forward convolution m is the output channel, n = (batch, oy, ox), k = (channel,
// ky, kx), iy = oy stride - pad + ky dilation; src/autograd/ops/conv-lanes.ts gives the
// other cases. Strides are signed, so a flipped weight is a negative stride from a
// shifted base. Zero padding is the bounds test on (iy, ix): no padded copy is made.
// Rows and columns past the edge are clamped for the loads; rows past M are not stored.
// K1 = 0 is allowed and stores zeros (or the bias). activate is the ACTIVATION override's
// function (identity by default), so a layer's conv + bias + activation is one dispatch.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (read; any buffer when
// HAS_BIAS is false), 4 c (write).
// Dispatch: (x, ceil(M / 16), z) workgroups of 8 with x z >= ceil(N / 16); column tile
// t = wg.z num_workgroups.x + wg.x, so images with over 65535 tiles still fit.
enable subgroups;

struct Params {
  m: i32, n: i32, n1: i32, n2: i32,
  k0: i32, k1: i32, k2: i32, a_base: i32,
  a_m: i32, a_k0: i32, a_k1: i32, a_k2: i32,
  b_base: i32, b_n0: i32, b_k0: i32, h: i32,
  w: i32, y0: i32, yn: i32, yk: i32,
  x0: i32, xn: i32, xk: i32, c_base: i32,
  c_m: i32, c_n0: i32, c_n1: i32, c_n2: i32,
}

override HAS_BIAS: bool = false;

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
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> image: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

/** The three axes (n0, n1, n2) of column n. */
fn column_axes(n: i32) -> vec3i {
  let rest = n / u.n2;
  return vec3i(rest / u.n1, rest % u.n1, n % u.n2);
}

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let tile = wg.z * groups.x + wg.x;
  let col0 = i32(tile * 16u);
  if (col0 >= u.n) { return; }
  let row0 = i32(wg.y * 16u + lane);
  let a0 = u.a_base + min(row0 + 0, u.m - 1) * u.a_m;
  let a1 = u.a_base + min(row0 + 8, u.m - 1) * u.a_m;
  // Column lane + 8 g: where its window starts (cy, cx) and its image offset there.
  let n0 = column_axes(min(col0 + i32(lane) + 0, u.n - 1));
  let cy0 = u.y0 + n0.y * u.yn;
  let cx0 = u.x0 + n0.z * u.xn;
  let b0 = u.b_base + n0.x * u.b_n0 + cy0 * u.w + cx0;
  let n1 = column_axes(min(col0 + i32(lane) + 8, u.n - 1));
  let cy1 = u.y0 + n1.y * u.yn;
  let cx1 = u.x0 + n1.z * u.xn;
  let b1 = u.b_base + n1.x * u.b_n0 + cy1 * u.w + cx1;
  // Row row0 + 8 r, tile columns 4 q .. 4 q + 3 live in c{r}_{q}.
  var c0_0 = vec4f(); var c0_1 = vec4f(); var c0_2 = vec4f(); var c0_3 = vec4f();
  var c1_0 = vec4f(); var c1_1 = vec4f(); var c1_2 = vec4f(); var c1_3 = vec4f();
  let steps = u.k0 * u.k1 * u.k2;
  var ka = 0;
  var kb = 0;
  var ty = 0;
  var tx = 0;
  var t1 = 0;
  var t2 = 0;
  for (var k = 0; k < steps; k += 2) {
    let valid0 = k + 0 < steps;
    let kt_0 = kb + ty * u.w + tx;
    let x0_0 = vec4f(select(0.0, a[a0 + ka], valid0));
    let x1_0 = vec4f(select(0.0, a[a1 + ka], valid0));
    let g0_0 = select(0.0, image[max(b0 + kt_0, 0)], valid0 && u32(cy0 + ty) < u32(u.h) && u32(cx0 + tx) < u32(u.w));
    let g1_0 = select(0.0, image[max(b1 + kt_0, 0)], valid0 && u32(cy1 + ty) < u32(u.h) && u32(cx1 + tx) < u32(u.w));
    // Tile column x was gathered by lane x % 8 into g(x / 8)_s in sub-step s.
    let y0_0 = vec4f(subgroupBroadcast(g0_0, 0u), subgroupBroadcast(g0_0, 1u), subgroupBroadcast(g0_0, 2u), subgroupBroadcast(g0_0, 3u));
    let y1_0 = vec4f(subgroupBroadcast(g0_0, 4u), subgroupBroadcast(g0_0, 5u), subgroupBroadcast(g0_0, 6u), subgroupBroadcast(g0_0, 7u));
    let y2_0 = vec4f(subgroupBroadcast(g1_0, 0u), subgroupBroadcast(g1_0, 1u), subgroupBroadcast(g1_0, 2u), subgroupBroadcast(g1_0, 3u));
    let y3_0 = vec4f(subgroupBroadcast(g1_0, 4u), subgroupBroadcast(g1_0, 5u), subgroupBroadcast(g1_0, 6u), subgroupBroadcast(g1_0, 7u));
    t2++;
    let wrap2_0 = t2 == u.k2;
    t2 = select(t2, 0, wrap2_0);
    t1 += select(0, 1, wrap2_0);
    let wrap1_0 = t1 == u.k1;
    t1 = select(t1, 0, wrap1_0);
    ka += u.a_k2 + select(0, u.a_k1 - u.k2 * u.a_k2, wrap2_0) + select(0, u.a_k0 - u.k1 * u.a_k1, wrap1_0);
    tx = select(tx + u.xk, 0, wrap2_0);
    ty = select(select(ty, ty + u.yk, wrap2_0), 0, wrap1_0);
    kb += select(0, u.b_k0, wrap1_0);
    let valid1 = k + 1 < steps;
    let kt_1 = kb + ty * u.w + tx;
    let x0_1 = vec4f(select(0.0, a[a0 + ka], valid1));
    let x1_1 = vec4f(select(0.0, a[a1 + ka], valid1));
    let g0_1 = select(0.0, image[max(b0 + kt_1, 0)], valid1 && u32(cy0 + ty) < u32(u.h) && u32(cx0 + tx) < u32(u.w));
    let g1_1 = select(0.0, image[max(b1 + kt_1, 0)], valid1 && u32(cy1 + ty) < u32(u.h) && u32(cx1 + tx) < u32(u.w));
    let y0_1 = vec4f(subgroupBroadcast(g0_1, 0u), subgroupBroadcast(g0_1, 1u), subgroupBroadcast(g0_1, 2u), subgroupBroadcast(g0_1, 3u));
    let y1_1 = vec4f(subgroupBroadcast(g0_1, 4u), subgroupBroadcast(g0_1, 5u), subgroupBroadcast(g0_1, 6u), subgroupBroadcast(g0_1, 7u));
    let y2_1 = vec4f(subgroupBroadcast(g1_1, 0u), subgroupBroadcast(g1_1, 1u), subgroupBroadcast(g1_1, 2u), subgroupBroadcast(g1_1, 3u));
    let y3_1 = vec4f(subgroupBroadcast(g1_1, 4u), subgroupBroadcast(g1_1, 5u), subgroupBroadcast(g1_1, 6u), subgroupBroadcast(g1_1, 7u));
    c0_0 = fma(x0_1, y0_1, fma(x0_0, y0_0, c0_0)); c0_1 = fma(x0_1, y1_1, fma(x0_0, y1_0, c0_1)); c0_2 = fma(x0_1, y2_1, fma(x0_0, y2_0, c0_2)); c0_3 = fma(x0_1, y3_1, fma(x0_0, y3_0, c0_3));
    c1_0 = fma(x1_1, y0_1, fma(x1_0, y0_0, c1_0)); c1_1 = fma(x1_1, y1_1, fma(x1_0, y1_0, c1_1)); c1_2 = fma(x1_1, y2_1, fma(x1_0, y2_0, c1_2)); c1_3 = fma(x1_1, y3_1, fma(x1_0, y3_0, c1_3));
    t2++;
    let wrap2_1 = t2 == u.k2;
    t2 = select(t2, 0, wrap2_1);
    t1 += select(0, 1, wrap2_1);
    let wrap1_1 = t1 == u.k1;
    t1 = select(t1, 0, wrap1_1);
    ka += u.a_k2 + select(0, u.a_k1 - u.k2 * u.a_k2, wrap2_1) + select(0, u.a_k0 - u.k1 * u.a_k1, wrap1_1);
    tx = select(tx + u.xk, 0, wrap2_1);
    ty = select(select(ty, ty + u.yk, wrap2_1), 0, wrap1_1);
    kb += select(0, u.b_k0, wrap1_1);
  }
  let o0 = n0.x * u.c_n0 + n0.y * u.c_n1 + n0.z * u.c_n2;
  let o1 = n1.x * u.c_n0 + n1.y * u.c_n1 + n1.z * u.c_n2;
  let p0 = subgroupBroadcast(o0, 0u);
  let p1 = subgroupBroadcast(o0, 1u);
  let p2 = subgroupBroadcast(o0, 2u);
  let p3 = subgroupBroadcast(o0, 3u);
  let p4 = subgroupBroadcast(o0, 4u);
  let p5 = subgroupBroadcast(o0, 5u);
  let p6 = subgroupBroadcast(o0, 6u);
  let p7 = subgroupBroadcast(o0, 7u);
  let p8 = subgroupBroadcast(o1, 0u);
  let p9 = subgroupBroadcast(o1, 1u);
  let p10 = subgroupBroadcast(o1, 2u);
  let p11 = subgroupBroadcast(o1, 3u);
  let p12 = subgroupBroadcast(o1, 4u);
  let p13 = subgroupBroadcast(o1, 5u);
  let p14 = subgroupBroadcast(o1, 6u);
  let p15 = subgroupBroadcast(o1, 7u);
  let m0 = row0 + 0;
  if (m0 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m0]; }
    let out = u.c_base + m0 * u.c_m;
    c[out + p0] = activate(c0_0[0] + add);
    c[out + p1] = activate(c0_0[1] + add);
    c[out + p2] = activate(c0_0[2] + add);
    c[out + p3] = activate(c0_0[3] + add);
    c[out + p4] = activate(c0_1[0] + add);
    c[out + p5] = activate(c0_1[1] + add);
    c[out + p6] = activate(c0_1[2] + add);
    c[out + p7] = activate(c0_1[3] + add);
    c[out + p8] = activate(c0_2[0] + add);
    c[out + p9] = activate(c0_2[1] + add);
    c[out + p10] = activate(c0_2[2] + add);
    c[out + p11] = activate(c0_2[3] + add);
    c[out + p12] = activate(c0_3[0] + add);
    c[out + p13] = activate(c0_3[1] + add);
    c[out + p14] = activate(c0_3[2] + add);
    c[out + p15] = activate(c0_3[3] + add);
  }
  let m1 = row0 + 8;
  if (m1 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m1]; }
    let out = u.c_base + m1 * u.c_m;
    c[out + p0] = activate(c1_0[0] + add);
    c[out + p1] = activate(c1_0[1] + add);
    c[out + p2] = activate(c1_0[2] + add);
    c[out + p3] = activate(c1_0[3] + add);
    c[out + p4] = activate(c1_1[0] + add);
    c[out + p5] = activate(c1_1[1] + add);
    c[out + p6] = activate(c1_1[2] + add);
    c[out + p7] = activate(c1_1[3] + add);
    c[out + p8] = activate(c1_2[0] + add);
    c[out + p9] = activate(c1_2[1] + add);
    c[out + p10] = activate(c1_2[2] + add);
    c[out + p11] = activate(c1_2[3] + add);
    c[out + p12] = activate(c1_3[0] + add);
    c[out + p13] = activate(c1_3[1] + add);
    c[out + p14] = activate(c1_3[2] + add);
    c[out + p15] = activate(c1_3[3] + add);
  }
}
