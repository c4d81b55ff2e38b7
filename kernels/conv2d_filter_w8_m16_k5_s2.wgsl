// conv2d_filter_w8_m16_k5_s2.wgsl: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM), for column groups of K = 5 taps along x and reduction steps 2 pixels
// apart along x: the filter gradient. Generated (W 8, TM 2, G 6, K 5, S 2, U 8) by
// tools/gen-kernels/gen_conv_filter.py (run `npm run gen:kernels`, do not edit).
// The contract is conv2d_lanes_w8_m16.wgsl's for C[m, n] (the same Params, bindings and
// math; src/autograd/ops/conv-lanes.ts maps each convolution onto it), restricted to
// n2 = 5, xn = 1, xk = 2 and k2 a multiple of 8: B[(k0, k1, k2), (n0, n1, t)] is the pixel
// 2 k2 + t of the image row that (n0, n1, k0, k1) selects. A tile is 6 consecutive column
// groups (n0, n1) of 5 columns each; per loop iteration (k0, k1 and 8 steps of k2) each lane
// gathers 15 pixels of the tile's 6 windows of 19 pixels (window pixel p of group g is
// value g 19 + p, gathered by lane (g 19 + p) % 8), the lanes share them with
// subgroupBroadcast, and lane l's rows l + 8 r (r < 2) take 8 FMAs per column. Rows
// past M and groups past N / n2 are not stored. No bias, no activation: HAS_BIAS and
// ACTIVATION stay at their defaults.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (unused), 4 c (write).
// Dispatch: (x, ceil(M / 16), z) workgroups of 8 with x z >= ceil(N / 30); group tile
// t = wg.z num_workgroups.x + wg.x holds the column groups 6 t .. 6 t + 5.
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

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let group0 = i32(wg.z * groups.x + wg.x) * 6;
  let column_groups = u.n / 5;
  if (group0 >= column_groups) { return; }
  let row0 = i32(wg.y * 16u + lane);
  let a0 = u.a_base + min(row0 + 0, u.m - 1) * u.a_m;
  let a1 = u.a_base + min(row0 + 8, u.m - 1) * u.a_m;
  // Value lane + 8 i is pixel p{i} of group g{i}'s window: its image row (cy{i}), column at
  // the first step (cx{i}) and offset there (b{i}).
  let f0 = min(i32(lane) + 0, 113);
  let g0 = min(group0 + f0 / 19, column_groups - 1);
  let cy0 = u.y0 + (g0 % u.n1) * u.yn;
  let cx0 = u.x0 + f0 % 19;
  let b0 = u.b_base + (g0 / u.n1) * u.b_n0 + cy0 * u.w + cx0;
  let f1 = min(i32(lane) + 8, 113);
  let g1 = min(group0 + f1 / 19, column_groups - 1);
  let cy1 = u.y0 + (g1 % u.n1) * u.yn;
  let cx1 = u.x0 + f1 % 19;
  let b1 = u.b_base + (g1 / u.n1) * u.b_n0 + cy1 * u.w + cx1;
  let f2 = min(i32(lane) + 16, 113);
  let g2 = min(group0 + f2 / 19, column_groups - 1);
  let cy2 = u.y0 + (g2 % u.n1) * u.yn;
  let cx2 = u.x0 + f2 % 19;
  let b2 = u.b_base + (g2 / u.n1) * u.b_n0 + cy2 * u.w + cx2;
  let f3 = min(i32(lane) + 24, 113);
  let g3 = min(group0 + f3 / 19, column_groups - 1);
  let cy3 = u.y0 + (g3 % u.n1) * u.yn;
  let cx3 = u.x0 + f3 % 19;
  let b3 = u.b_base + (g3 / u.n1) * u.b_n0 + cy3 * u.w + cx3;
  let f4 = min(i32(lane) + 32, 113);
  let g4 = min(group0 + f4 / 19, column_groups - 1);
  let cy4 = u.y0 + (g4 % u.n1) * u.yn;
  let cx4 = u.x0 + f4 % 19;
  let b4 = u.b_base + (g4 / u.n1) * u.b_n0 + cy4 * u.w + cx4;
  let f5 = min(i32(lane) + 40, 113);
  let g5 = min(group0 + f5 / 19, column_groups - 1);
  let cy5 = u.y0 + (g5 % u.n1) * u.yn;
  let cx5 = u.x0 + f5 % 19;
  let b5 = u.b_base + (g5 / u.n1) * u.b_n0 + cy5 * u.w + cx5;
  let f6 = min(i32(lane) + 48, 113);
  let g6 = min(group0 + f6 / 19, column_groups - 1);
  let cy6 = u.y0 + (g6 % u.n1) * u.yn;
  let cx6 = u.x0 + f6 % 19;
  let b6 = u.b_base + (g6 / u.n1) * u.b_n0 + cy6 * u.w + cx6;
  let f7 = min(i32(lane) + 56, 113);
  let g7 = min(group0 + f7 / 19, column_groups - 1);
  let cy7 = u.y0 + (g7 % u.n1) * u.yn;
  let cx7 = u.x0 + f7 % 19;
  let b7 = u.b_base + (g7 / u.n1) * u.b_n0 + cy7 * u.w + cx7;
  let f8 = min(i32(lane) + 64, 113);
  let g8 = min(group0 + f8 / 19, column_groups - 1);
  let cy8 = u.y0 + (g8 % u.n1) * u.yn;
  let cx8 = u.x0 + f8 % 19;
  let b8 = u.b_base + (g8 / u.n1) * u.b_n0 + cy8 * u.w + cx8;
  let f9 = min(i32(lane) + 72, 113);
  let g9 = min(group0 + f9 / 19, column_groups - 1);
  let cy9 = u.y0 + (g9 % u.n1) * u.yn;
  let cx9 = u.x0 + f9 % 19;
  let b9 = u.b_base + (g9 / u.n1) * u.b_n0 + cy9 * u.w + cx9;
  let f10 = min(i32(lane) + 80, 113);
  let g10 = min(group0 + f10 / 19, column_groups - 1);
  let cy10 = u.y0 + (g10 % u.n1) * u.yn;
  let cx10 = u.x0 + f10 % 19;
  let b10 = u.b_base + (g10 / u.n1) * u.b_n0 + cy10 * u.w + cx10;
  let f11 = min(i32(lane) + 88, 113);
  let g11 = min(group0 + f11 / 19, column_groups - 1);
  let cy11 = u.y0 + (g11 % u.n1) * u.yn;
  let cx11 = u.x0 + f11 % 19;
  let b11 = u.b_base + (g11 / u.n1) * u.b_n0 + cy11 * u.w + cx11;
  let f12 = min(i32(lane) + 96, 113);
  let g12 = min(group0 + f12 / 19, column_groups - 1);
  let cy12 = u.y0 + (g12 % u.n1) * u.yn;
  let cx12 = u.x0 + f12 % 19;
  let b12 = u.b_base + (g12 / u.n1) * u.b_n0 + cy12 * u.w + cx12;
  let f13 = min(i32(lane) + 104, 113);
  let g13 = min(group0 + f13 / 19, column_groups - 1);
  let cy13 = u.y0 + (g13 % u.n1) * u.yn;
  let cx13 = u.x0 + f13 % 19;
  let b13 = u.b_base + (g13 / u.n1) * u.b_n0 + cy13 * u.w + cx13;
  let f14 = min(i32(lane) + 112, 113);
  let g14 = min(group0 + f14 / 19, column_groups - 1);
  let cy14 = u.y0 + (g14 % u.n1) * u.yn;
  let cx14 = u.x0 + f14 % 19;
  let b14 = u.b_base + (g14 / u.n1) * u.b_n0 + cy14 * u.w + cx14;
  // Row row0 + 8 r, tile columns 4 q .. 4 q + 3 live in c{r}_{q}.
  var c0_0 = vec4f(); var c0_1 = vec4f(); var c0_2 = vec4f(); var c0_3 = vec4f(); var c0_4 = vec4f(); var c0_5 = vec4f(); var c0_6 = vec4f(); var c0_7 = vec4f();
  var c1_0 = vec4f(); var c1_1 = vec4f(); var c1_2 = vec4f(); var c1_3 = vec4f(); var c1_4 = vec4f(); var c1_5 = vec4f(); var c1_6 = vec4f(); var c1_7 = vec4f();
  let chunks = u.k2 / 8;
  let steps = u.k0 * u.k1 * chunks;
  var ka = 0;
  var kb = 0;
  var ty = 0;
  var tx = 0;
  var t1 = 0;
  var t2 = 0;
  for (var k = 0; k < steps; k++) {
    let kt = kb + ty * u.w + tx;
    let v0 = select(0.0, image[max(b0 + kt, 0)], u32(cy0 + ty) < u32(u.h) && u32(cx0 + tx) < u32(u.w));
    let v1 = select(0.0, image[max(b1 + kt, 0)], u32(cy1 + ty) < u32(u.h) && u32(cx1 + tx) < u32(u.w));
    let v2 = select(0.0, image[max(b2 + kt, 0)], u32(cy2 + ty) < u32(u.h) && u32(cx2 + tx) < u32(u.w));
    let v3 = select(0.0, image[max(b3 + kt, 0)], u32(cy3 + ty) < u32(u.h) && u32(cx3 + tx) < u32(u.w));
    let v4 = select(0.0, image[max(b4 + kt, 0)], u32(cy4 + ty) < u32(u.h) && u32(cx4 + tx) < u32(u.w));
    let v5 = select(0.0, image[max(b5 + kt, 0)], u32(cy5 + ty) < u32(u.h) && u32(cx5 + tx) < u32(u.w));
    let v6 = select(0.0, image[max(b6 + kt, 0)], u32(cy6 + ty) < u32(u.h) && u32(cx6 + tx) < u32(u.w));
    let v7 = select(0.0, image[max(b7 + kt, 0)], u32(cy7 + ty) < u32(u.h) && u32(cx7 + tx) < u32(u.w));
    let v8 = select(0.0, image[max(b8 + kt, 0)], u32(cy8 + ty) < u32(u.h) && u32(cx8 + tx) < u32(u.w));
    let v9 = select(0.0, image[max(b9 + kt, 0)], u32(cy9 + ty) < u32(u.h) && u32(cx9 + tx) < u32(u.w));
    let v10 = select(0.0, image[max(b10 + kt, 0)], u32(cy10 + ty) < u32(u.h) && u32(cx10 + tx) < u32(u.w));
    let v11 = select(0.0, image[max(b11 + kt, 0)], u32(cy11 + ty) < u32(u.h) && u32(cx11 + tx) < u32(u.w));
    let v12 = select(0.0, image[max(b12 + kt, 0)], u32(cy12 + ty) < u32(u.h) && u32(cx12 + tx) < u32(u.w));
    let v13 = select(0.0, image[max(b13 + kt, 0)], u32(cy13 + ty) < u32(u.h) && u32(cx13 + tx) < u32(u.w));
    let v14 = select(0.0, image[max(b14 + kt, 0)], u32(cy14 + ty) < u32(u.h) && u32(cx14 + tx) < u32(u.w));
    // Window pixel p of group g was gathered by lane (g 19 + p) % 8 into v((g 19 + p) / 8).
    let w0_0 = subgroupBroadcast(v0, 0u);
    let w0_1 = subgroupBroadcast(v0, 1u);
    let w0_2 = subgroupBroadcast(v0, 2u);
    let w0_3 = subgroupBroadcast(v0, 3u);
    let w0_4 = subgroupBroadcast(v0, 4u);
    let w0_5 = subgroupBroadcast(v0, 5u);
    let w0_6 = subgroupBroadcast(v0, 6u);
    let w0_7 = subgroupBroadcast(v0, 7u);
    let w0_8 = subgroupBroadcast(v1, 0u);
    let w0_9 = subgroupBroadcast(v1, 1u);
    let w0_10 = subgroupBroadcast(v1, 2u);
    let w0_11 = subgroupBroadcast(v1, 3u);
    let w0_12 = subgroupBroadcast(v1, 4u);
    let w0_13 = subgroupBroadcast(v1, 5u);
    let w0_14 = subgroupBroadcast(v1, 6u);
    let w0_15 = subgroupBroadcast(v1, 7u);
    let w0_16 = subgroupBroadcast(v2, 0u);
    let w0_17 = subgroupBroadcast(v2, 1u);
    let w0_18 = subgroupBroadcast(v2, 2u);
    let w1_0 = subgroupBroadcast(v2, 3u);
    let w1_1 = subgroupBroadcast(v2, 4u);
    let w1_2 = subgroupBroadcast(v2, 5u);
    let w1_3 = subgroupBroadcast(v2, 6u);
    let w1_4 = subgroupBroadcast(v2, 7u);
    let w1_5 = subgroupBroadcast(v3, 0u);
    let w1_6 = subgroupBroadcast(v3, 1u);
    let w1_7 = subgroupBroadcast(v3, 2u);
    let w1_8 = subgroupBroadcast(v3, 3u);
    let w1_9 = subgroupBroadcast(v3, 4u);
    let w1_10 = subgroupBroadcast(v3, 5u);
    let w1_11 = subgroupBroadcast(v3, 6u);
    let w1_12 = subgroupBroadcast(v3, 7u);
    let w1_13 = subgroupBroadcast(v4, 0u);
    let w1_14 = subgroupBroadcast(v4, 1u);
    let w1_15 = subgroupBroadcast(v4, 2u);
    let w1_16 = subgroupBroadcast(v4, 3u);
    let w1_17 = subgroupBroadcast(v4, 4u);
    let w1_18 = subgroupBroadcast(v4, 5u);
    let w2_0 = subgroupBroadcast(v4, 6u);
    let w2_1 = subgroupBroadcast(v4, 7u);
    let w2_2 = subgroupBroadcast(v5, 0u);
    let w2_3 = subgroupBroadcast(v5, 1u);
    let w2_4 = subgroupBroadcast(v5, 2u);
    let w2_5 = subgroupBroadcast(v5, 3u);
    let w2_6 = subgroupBroadcast(v5, 4u);
    let w2_7 = subgroupBroadcast(v5, 5u);
    let w2_8 = subgroupBroadcast(v5, 6u);
    let w2_9 = subgroupBroadcast(v5, 7u);
    let w2_10 = subgroupBroadcast(v6, 0u);
    let w2_11 = subgroupBroadcast(v6, 1u);
    let w2_12 = subgroupBroadcast(v6, 2u);
    let w2_13 = subgroupBroadcast(v6, 3u);
    let w2_14 = subgroupBroadcast(v6, 4u);
    let w2_15 = subgroupBroadcast(v6, 5u);
    let w2_16 = subgroupBroadcast(v6, 6u);
    let w2_17 = subgroupBroadcast(v6, 7u);
    let w2_18 = subgroupBroadcast(v7, 0u);
    let w3_0 = subgroupBroadcast(v7, 1u);
    let w3_1 = subgroupBroadcast(v7, 2u);
    let w3_2 = subgroupBroadcast(v7, 3u);
    let w3_3 = subgroupBroadcast(v7, 4u);
    let w3_4 = subgroupBroadcast(v7, 5u);
    let w3_5 = subgroupBroadcast(v7, 6u);
    let w3_6 = subgroupBroadcast(v7, 7u);
    let w3_7 = subgroupBroadcast(v8, 0u);
    let w3_8 = subgroupBroadcast(v8, 1u);
    let w3_9 = subgroupBroadcast(v8, 2u);
    let w3_10 = subgroupBroadcast(v8, 3u);
    let w3_11 = subgroupBroadcast(v8, 4u);
    let w3_12 = subgroupBroadcast(v8, 5u);
    let w3_13 = subgroupBroadcast(v8, 6u);
    let w3_14 = subgroupBroadcast(v8, 7u);
    let w3_15 = subgroupBroadcast(v9, 0u);
    let w3_16 = subgroupBroadcast(v9, 1u);
    let w3_17 = subgroupBroadcast(v9, 2u);
    let w3_18 = subgroupBroadcast(v9, 3u);
    let w4_0 = subgroupBroadcast(v9, 4u);
    let w4_1 = subgroupBroadcast(v9, 5u);
    let w4_2 = subgroupBroadcast(v9, 6u);
    let w4_3 = subgroupBroadcast(v9, 7u);
    let w4_4 = subgroupBroadcast(v10, 0u);
    let w4_5 = subgroupBroadcast(v10, 1u);
    let w4_6 = subgroupBroadcast(v10, 2u);
    let w4_7 = subgroupBroadcast(v10, 3u);
    let w4_8 = subgroupBroadcast(v10, 4u);
    let w4_9 = subgroupBroadcast(v10, 5u);
    let w4_10 = subgroupBroadcast(v10, 6u);
    let w4_11 = subgroupBroadcast(v10, 7u);
    let w4_12 = subgroupBroadcast(v11, 0u);
    let w4_13 = subgroupBroadcast(v11, 1u);
    let w4_14 = subgroupBroadcast(v11, 2u);
    let w4_15 = subgroupBroadcast(v11, 3u);
    let w4_16 = subgroupBroadcast(v11, 4u);
    let w4_17 = subgroupBroadcast(v11, 5u);
    let w4_18 = subgroupBroadcast(v11, 6u);
    let w5_0 = subgroupBroadcast(v11, 7u);
    let w5_1 = subgroupBroadcast(v12, 0u);
    let w5_2 = subgroupBroadcast(v12, 1u);
    let w5_3 = subgroupBroadcast(v12, 2u);
    let w5_4 = subgroupBroadcast(v12, 3u);
    let w5_5 = subgroupBroadcast(v12, 4u);
    let w5_6 = subgroupBroadcast(v12, 5u);
    let w5_7 = subgroupBroadcast(v12, 6u);
    let w5_8 = subgroupBroadcast(v12, 7u);
    let w5_9 = subgroupBroadcast(v13, 0u);
    let w5_10 = subgroupBroadcast(v13, 1u);
    let w5_11 = subgroupBroadcast(v13, 2u);
    let w5_12 = subgroupBroadcast(v13, 3u);
    let w5_13 = subgroupBroadcast(v13, 4u);
    let w5_14 = subgroupBroadcast(v13, 5u);
    let w5_15 = subgroupBroadcast(v13, 6u);
    let w5_16 = subgroupBroadcast(v13, 7u);
    let w5_17 = subgroupBroadcast(v14, 0u);
    let w5_18 = subgroupBroadcast(v14, 1u);
    let x0_0 = vec4f(a[a0 + ka + 0 * u.a_k2]);
    let x1_0 = vec4f(a[a1 + ka + 0 * u.a_k2]);
    let x0_1 = vec4f(a[a0 + ka + 1 * u.a_k2]);
    let x1_1 = vec4f(a[a1 + ka + 1 * u.a_k2]);
    let x0_2 = vec4f(a[a0 + ka + 2 * u.a_k2]);
    let x1_2 = vec4f(a[a1 + ka + 2 * u.a_k2]);
    let x0_3 = vec4f(a[a0 + ka + 3 * u.a_k2]);
    let x1_3 = vec4f(a[a1 + ka + 3 * u.a_k2]);
    let x0_4 = vec4f(a[a0 + ka + 4 * u.a_k2]);
    let x1_4 = vec4f(a[a1 + ka + 4 * u.a_k2]);
    let x0_5 = vec4f(a[a0 + ka + 5 * u.a_k2]);
    let x1_5 = vec4f(a[a1 + ka + 5 * u.a_k2]);
    let x0_6 = vec4f(a[a0 + ka + 6 * u.a_k2]);
    let x1_6 = vec4f(a[a1 + ka + 6 * u.a_k2]);
    let x0_7 = vec4f(a[a0 + ka + 7 * u.a_k2]);
    let x1_7 = vec4f(a[a1 + ka + 7 * u.a_k2]);
    c0_0 = fma(x0_7, vec4f(w0_14, w0_15, w0_16, w0_17), fma(x0_6, vec4f(w0_12, w0_13, w0_14, w0_15), fma(x0_5, vec4f(w0_10, w0_11, w0_12, w0_13), fma(x0_4, vec4f(w0_8, w0_9, w0_10, w0_11), fma(x0_3, vec4f(w0_6, w0_7, w0_8, w0_9), fma(x0_2, vec4f(w0_4, w0_5, w0_6, w0_7), fma(x0_1, vec4f(w0_2, w0_3, w0_4, w0_5), fma(x0_0, vec4f(w0_0, w0_1, w0_2, w0_3), c0_0)))))))); c0_1 = fma(x0_7, vec4f(w0_18, w1_14, w1_15, w1_16), fma(x0_6, vec4f(w0_16, w1_12, w1_13, w1_14), fma(x0_5, vec4f(w0_14, w1_10, w1_11, w1_12), fma(x0_4, vec4f(w0_12, w1_8, w1_9, w1_10), fma(x0_3, vec4f(w0_10, w1_6, w1_7, w1_8), fma(x0_2, vec4f(w0_8, w1_4, w1_5, w1_6), fma(x0_1, vec4f(w0_6, w1_2, w1_3, w1_4), fma(x0_0, vec4f(w0_4, w1_0, w1_1, w1_2), c0_1)))))))); c0_2 = fma(x0_7, vec4f(w1_17, w1_18, w2_14, w2_15), fma(x0_6, vec4f(w1_15, w1_16, w2_12, w2_13), fma(x0_5, vec4f(w1_13, w1_14, w2_10, w2_11), fma(x0_4, vec4f(w1_11, w1_12, w2_8, w2_9), fma(x0_3, vec4f(w1_9, w1_10, w2_6, w2_7), fma(x0_2, vec4f(w1_7, w1_8, w2_4, w2_5), fma(x0_1, vec4f(w1_5, w1_6, w2_2, w2_3), fma(x0_0, vec4f(w1_3, w1_4, w2_0, w2_1), c0_2)))))))); c0_3 = fma(x0_7, vec4f(w2_16, w2_17, w2_18, w3_14), fma(x0_6, vec4f(w2_14, w2_15, w2_16, w3_12), fma(x0_5, vec4f(w2_12, w2_13, w2_14, w3_10), fma(x0_4, vec4f(w2_10, w2_11, w2_12, w3_8), fma(x0_3, vec4f(w2_8, w2_9, w2_10, w3_6), fma(x0_2, vec4f(w2_6, w2_7, w2_8, w3_4), fma(x0_1, vec4f(w2_4, w2_5, w2_6, w3_2), fma(x0_0, vec4f(w2_2, w2_3, w2_4, w3_0), c0_3)))))))); c0_4 = fma(x0_7, vec4f(w3_15, w3_16, w3_17, w3_18), fma(x0_6, vec4f(w3_13, w3_14, w3_15, w3_16), fma(x0_5, vec4f(w3_11, w3_12, w3_13, w3_14), fma(x0_4, vec4f(w3_9, w3_10, w3_11, w3_12), fma(x0_3, vec4f(w3_7, w3_8, w3_9, w3_10), fma(x0_2, vec4f(w3_5, w3_6, w3_7, w3_8), fma(x0_1, vec4f(w3_3, w3_4, w3_5, w3_6), fma(x0_0, vec4f(w3_1, w3_2, w3_3, w3_4), c0_4)))))))); c0_5 = fma(x0_7, vec4f(w4_14, w4_15, w4_16, w4_17), fma(x0_6, vec4f(w4_12, w4_13, w4_14, w4_15), fma(x0_5, vec4f(w4_10, w4_11, w4_12, w4_13), fma(x0_4, vec4f(w4_8, w4_9, w4_10, w4_11), fma(x0_3, vec4f(w4_6, w4_7, w4_8, w4_9), fma(x0_2, vec4f(w4_4, w4_5, w4_6, w4_7), fma(x0_1, vec4f(w4_2, w4_3, w4_4, w4_5), fma(x0_0, vec4f(w4_0, w4_1, w4_2, w4_3), c0_5)))))))); c0_6 = fma(x0_7, vec4f(w4_18, w5_14, w5_15, w5_16), fma(x0_6, vec4f(w4_16, w5_12, w5_13, w5_14), fma(x0_5, vec4f(w4_14, w5_10, w5_11, w5_12), fma(x0_4, vec4f(w4_12, w5_8, w5_9, w5_10), fma(x0_3, vec4f(w4_10, w5_6, w5_7, w5_8), fma(x0_2, vec4f(w4_8, w5_4, w5_5, w5_6), fma(x0_1, vec4f(w4_6, w5_2, w5_3, w5_4), fma(x0_0, vec4f(w4_4, w5_0, w5_1, w5_2), c0_6)))))))); c0_7 = fma(x0_7, vec4f(w5_17, w5_18, 0.0, 0.0), fma(x0_6, vec4f(w5_15, w5_16, 0.0, 0.0), fma(x0_5, vec4f(w5_13, w5_14, 0.0, 0.0), fma(x0_4, vec4f(w5_11, w5_12, 0.0, 0.0), fma(x0_3, vec4f(w5_9, w5_10, 0.0, 0.0), fma(x0_2, vec4f(w5_7, w5_8, 0.0, 0.0), fma(x0_1, vec4f(w5_5, w5_6, 0.0, 0.0), fma(x0_0, vec4f(w5_3, w5_4, 0.0, 0.0), c0_7))))))));
    c1_0 = fma(x1_7, vec4f(w0_14, w0_15, w0_16, w0_17), fma(x1_6, vec4f(w0_12, w0_13, w0_14, w0_15), fma(x1_5, vec4f(w0_10, w0_11, w0_12, w0_13), fma(x1_4, vec4f(w0_8, w0_9, w0_10, w0_11), fma(x1_3, vec4f(w0_6, w0_7, w0_8, w0_9), fma(x1_2, vec4f(w0_4, w0_5, w0_6, w0_7), fma(x1_1, vec4f(w0_2, w0_3, w0_4, w0_5), fma(x1_0, vec4f(w0_0, w0_1, w0_2, w0_3), c1_0)))))))); c1_1 = fma(x1_7, vec4f(w0_18, w1_14, w1_15, w1_16), fma(x1_6, vec4f(w0_16, w1_12, w1_13, w1_14), fma(x1_5, vec4f(w0_14, w1_10, w1_11, w1_12), fma(x1_4, vec4f(w0_12, w1_8, w1_9, w1_10), fma(x1_3, vec4f(w0_10, w1_6, w1_7, w1_8), fma(x1_2, vec4f(w0_8, w1_4, w1_5, w1_6), fma(x1_1, vec4f(w0_6, w1_2, w1_3, w1_4), fma(x1_0, vec4f(w0_4, w1_0, w1_1, w1_2), c1_1)))))))); c1_2 = fma(x1_7, vec4f(w1_17, w1_18, w2_14, w2_15), fma(x1_6, vec4f(w1_15, w1_16, w2_12, w2_13), fma(x1_5, vec4f(w1_13, w1_14, w2_10, w2_11), fma(x1_4, vec4f(w1_11, w1_12, w2_8, w2_9), fma(x1_3, vec4f(w1_9, w1_10, w2_6, w2_7), fma(x1_2, vec4f(w1_7, w1_8, w2_4, w2_5), fma(x1_1, vec4f(w1_5, w1_6, w2_2, w2_3), fma(x1_0, vec4f(w1_3, w1_4, w2_0, w2_1), c1_2)))))))); c1_3 = fma(x1_7, vec4f(w2_16, w2_17, w2_18, w3_14), fma(x1_6, vec4f(w2_14, w2_15, w2_16, w3_12), fma(x1_5, vec4f(w2_12, w2_13, w2_14, w3_10), fma(x1_4, vec4f(w2_10, w2_11, w2_12, w3_8), fma(x1_3, vec4f(w2_8, w2_9, w2_10, w3_6), fma(x1_2, vec4f(w2_6, w2_7, w2_8, w3_4), fma(x1_1, vec4f(w2_4, w2_5, w2_6, w3_2), fma(x1_0, vec4f(w2_2, w2_3, w2_4, w3_0), c1_3)))))))); c1_4 = fma(x1_7, vec4f(w3_15, w3_16, w3_17, w3_18), fma(x1_6, vec4f(w3_13, w3_14, w3_15, w3_16), fma(x1_5, vec4f(w3_11, w3_12, w3_13, w3_14), fma(x1_4, vec4f(w3_9, w3_10, w3_11, w3_12), fma(x1_3, vec4f(w3_7, w3_8, w3_9, w3_10), fma(x1_2, vec4f(w3_5, w3_6, w3_7, w3_8), fma(x1_1, vec4f(w3_3, w3_4, w3_5, w3_6), fma(x1_0, vec4f(w3_1, w3_2, w3_3, w3_4), c1_4)))))))); c1_5 = fma(x1_7, vec4f(w4_14, w4_15, w4_16, w4_17), fma(x1_6, vec4f(w4_12, w4_13, w4_14, w4_15), fma(x1_5, vec4f(w4_10, w4_11, w4_12, w4_13), fma(x1_4, vec4f(w4_8, w4_9, w4_10, w4_11), fma(x1_3, vec4f(w4_6, w4_7, w4_8, w4_9), fma(x1_2, vec4f(w4_4, w4_5, w4_6, w4_7), fma(x1_1, vec4f(w4_2, w4_3, w4_4, w4_5), fma(x1_0, vec4f(w4_0, w4_1, w4_2, w4_3), c1_5)))))))); c1_6 = fma(x1_7, vec4f(w4_18, w5_14, w5_15, w5_16), fma(x1_6, vec4f(w4_16, w5_12, w5_13, w5_14), fma(x1_5, vec4f(w4_14, w5_10, w5_11, w5_12), fma(x1_4, vec4f(w4_12, w5_8, w5_9, w5_10), fma(x1_3, vec4f(w4_10, w5_6, w5_7, w5_8), fma(x1_2, vec4f(w4_8, w5_4, w5_5, w5_6), fma(x1_1, vec4f(w4_6, w5_2, w5_3, w5_4), fma(x1_0, vec4f(w4_4, w5_0, w5_1, w5_2), c1_6)))))))); c1_7 = fma(x1_7, vec4f(w5_17, w5_18, 0.0, 0.0), fma(x1_6, vec4f(w5_15, w5_16, 0.0, 0.0), fma(x1_5, vec4f(w5_13, w5_14, 0.0, 0.0), fma(x1_4, vec4f(w5_11, w5_12, 0.0, 0.0), fma(x1_3, vec4f(w5_9, w5_10, 0.0, 0.0), fma(x1_2, vec4f(w5_7, w5_8, 0.0, 0.0), fma(x1_1, vec4f(w5_5, w5_6, 0.0, 0.0), fma(x1_0, vec4f(w5_3, w5_4, 0.0, 0.0), c1_7))))))));
    t2++;
    let wrap2 = t2 == chunks;
    t2 = select(t2, 0, wrap2);
    t1 += select(0, 1, wrap2);
    let wrap1 = t1 == u.k1;
    t1 = select(t1, 0, wrap1);
    ka += 8 * u.a_k2 + select(0, u.a_k1 - u.k2 * u.a_k2, wrap2) + select(0, u.a_k0 - u.k1 * u.a_k1, wrap1);
    tx = select(tx + 16, 0, wrap2);
    ty = select(select(ty, ty + u.yk, wrap2), 0, wrap1);
    kb += select(0, u.b_k0, wrap1);
  }
  // Column group g of the tile is (n0, n1) = ((group0 + g) / n1, (group0 + g) % n1); its tap t goes to o{g} + t c_n2.
  let o0 = ((group0 + 0) / u.n1) * u.c_n0 + ((group0 + 0) % u.n1) * u.c_n1;
  let o1 = ((group0 + 1) / u.n1) * u.c_n0 + ((group0 + 1) % u.n1) * u.c_n1;
  let o2 = ((group0 + 2) / u.n1) * u.c_n0 + ((group0 + 2) % u.n1) * u.c_n1;
  let o3 = ((group0 + 3) / u.n1) * u.c_n0 + ((group0 + 3) % u.n1) * u.c_n1;
  let o4 = ((group0 + 4) / u.n1) * u.c_n0 + ((group0 + 4) % u.n1) * u.c_n1;
  let o5 = ((group0 + 5) / u.n1) * u.c_n0 + ((group0 + 5) % u.n1) * u.c_n1;
  let m0 = row0 + 0;
  if (m0 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m0]; }
    let out = u.c_base + m0 * u.c_m;
    if (group0 + 0 < column_groups) { c[out + o0 + 0 * u.c_n2] = activate(c0_0[0] + add); }
    if (group0 + 0 < column_groups) { c[out + o0 + 1 * u.c_n2] = activate(c0_0[1] + add); }
    if (group0 + 0 < column_groups) { c[out + o0 + 2 * u.c_n2] = activate(c0_0[2] + add); }
    if (group0 + 0 < column_groups) { c[out + o0 + 3 * u.c_n2] = activate(c0_0[3] + add); }
    if (group0 + 0 < column_groups) { c[out + o0 + 4 * u.c_n2] = activate(c0_1[0] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 0 * u.c_n2] = activate(c0_1[1] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 1 * u.c_n2] = activate(c0_1[2] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 2 * u.c_n2] = activate(c0_1[3] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 3 * u.c_n2] = activate(c0_2[0] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 4 * u.c_n2] = activate(c0_2[1] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 0 * u.c_n2] = activate(c0_2[2] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 1 * u.c_n2] = activate(c0_2[3] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 2 * u.c_n2] = activate(c0_3[0] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 3 * u.c_n2] = activate(c0_3[1] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 4 * u.c_n2] = activate(c0_3[2] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 0 * u.c_n2] = activate(c0_3[3] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 1 * u.c_n2] = activate(c0_4[0] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 2 * u.c_n2] = activate(c0_4[1] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 3 * u.c_n2] = activate(c0_4[2] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 4 * u.c_n2] = activate(c0_4[3] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 0 * u.c_n2] = activate(c0_5[0] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 1 * u.c_n2] = activate(c0_5[1] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 2 * u.c_n2] = activate(c0_5[2] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 3 * u.c_n2] = activate(c0_5[3] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 4 * u.c_n2] = activate(c0_6[0] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 0 * u.c_n2] = activate(c0_6[1] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 1 * u.c_n2] = activate(c0_6[2] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 2 * u.c_n2] = activate(c0_6[3] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 3 * u.c_n2] = activate(c0_7[0] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 4 * u.c_n2] = activate(c0_7[1] + add); }
  }
  let m1 = row0 + 8;
  if (m1 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m1]; }
    let out = u.c_base + m1 * u.c_m;
    if (group0 + 0 < column_groups) { c[out + o0 + 0 * u.c_n2] = activate(c1_0[0] + add); }
    if (group0 + 0 < column_groups) { c[out + o0 + 1 * u.c_n2] = activate(c1_0[1] + add); }
    if (group0 + 0 < column_groups) { c[out + o0 + 2 * u.c_n2] = activate(c1_0[2] + add); }
    if (group0 + 0 < column_groups) { c[out + o0 + 3 * u.c_n2] = activate(c1_0[3] + add); }
    if (group0 + 0 < column_groups) { c[out + o0 + 4 * u.c_n2] = activate(c1_1[0] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 0 * u.c_n2] = activate(c1_1[1] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 1 * u.c_n2] = activate(c1_1[2] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 2 * u.c_n2] = activate(c1_1[3] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 3 * u.c_n2] = activate(c1_2[0] + add); }
    if (group0 + 1 < column_groups) { c[out + o1 + 4 * u.c_n2] = activate(c1_2[1] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 0 * u.c_n2] = activate(c1_2[2] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 1 * u.c_n2] = activate(c1_2[3] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 2 * u.c_n2] = activate(c1_3[0] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 3 * u.c_n2] = activate(c1_3[1] + add); }
    if (group0 + 2 < column_groups) { c[out + o2 + 4 * u.c_n2] = activate(c1_3[2] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 0 * u.c_n2] = activate(c1_3[3] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 1 * u.c_n2] = activate(c1_4[0] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 2 * u.c_n2] = activate(c1_4[1] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 3 * u.c_n2] = activate(c1_4[2] + add); }
    if (group0 + 3 < column_groups) { c[out + o3 + 4 * u.c_n2] = activate(c1_4[3] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 0 * u.c_n2] = activate(c1_5[0] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 1 * u.c_n2] = activate(c1_5[1] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 2 * u.c_n2] = activate(c1_5[2] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 3 * u.c_n2] = activate(c1_5[3] + add); }
    if (group0 + 4 < column_groups) { c[out + o4 + 4 * u.c_n2] = activate(c1_6[0] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 0 * u.c_n2] = activate(c1_6[1] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 1 * u.c_n2] = activate(c1_6[2] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 2 * u.c_n2] = activate(c1_6[3] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 3 * u.c_n2] = activate(c1_7[0] + add); }
    if (group0 + 5 < column_groups) { c[out + o5 + 4 * u.c_n2] = activate(c1_7[1] + add); }
  }
}
