// conv2d_filter_w4_m8_k5.wgsl: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM), for column groups of K = 5 taps along x and reduction steps one pixel
// apart along x: the filter gradient. Generated (W 4, TM 2, G 3, K 5, S 1, U 8) by
// tools/gen-kernels/gen_conv_filter.py (run `npm run gen:kernels`, do not edit).
// The contract is conv2d_lanes_w4_m8.wgsl's for C[m, n] (the same Params, bindings and
// math; src/autograd/ops/conv-lanes.ts maps each convolution onto it), restricted to
// n2 = 5, xn = 1, xk = 1 and k2 a multiple of 8: B[(k0, k1, k2), (n0, n1, t)] is the pixel
// 1 k2 + t of the image row that (n0, n1, k0, k1) selects. A tile is 3 consecutive column
// groups (n0, n1) of 5 columns each; per loop iteration (k0, k1 and 8 steps of k2) each lane
// gathers 9 pixels of the tile's 3 windows of 12 pixels (window pixel p of group g is
// value g 12 + p, gathered by lane (g 12 + p) % 4), the lanes share them with
// subgroupBroadcast, and lane l's rows l + 4 r (r < 2) take 8 FMAs per column. Rows
// past M and groups past N / n2 are not stored. No bias, no activation: HAS_BIAS and
// ACTIVATION stay at their defaults.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (unused), 4 c (write).
// Dispatch: (x, ceil(M / 8), z) workgroups of 4 with x z >= ceil(N / 15); group tile
// t = wg.z num_workgroups.x + wg.x holds the column groups 3 t .. 3 t + 2.
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

@compute @workgroup_size(4)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,
        @builtin(subgroup_invocation_id) lane: u32) {
  let group0 = i32(wg.z * groups.x + wg.x) * 3;
  let column_groups = u.n / 5;
  if (group0 >= column_groups) { return; }
  let row0 = i32(wg.y * 8u + lane);
  let a0 = u.a_base + min(row0 + 0, u.m - 1) * u.a_m;
  let a1 = u.a_base + min(row0 + 4, u.m - 1) * u.a_m;
  // Value lane + 4 i is pixel p{i} of group g{i}'s window: its image row (cy{i}), column at
  // the first step (cx{i}) and offset there (b{i}).
  let f0 = min(i32(lane) + 0, 35);
  let g0 = min(group0 + f0 / 12, column_groups - 1);
  let cy0 = u.y0 + (g0 % u.n1) * u.yn;
  let cx0 = u.x0 + f0 % 12;
  let b0 = u.b_base + (g0 / u.n1) * u.b_n0 + cy0 * u.w + cx0;
  let f1 = min(i32(lane) + 4, 35);
  let g1 = min(group0 + f1 / 12, column_groups - 1);
  let cy1 = u.y0 + (g1 % u.n1) * u.yn;
  let cx1 = u.x0 + f1 % 12;
  let b1 = u.b_base + (g1 / u.n1) * u.b_n0 + cy1 * u.w + cx1;
  let f2 = min(i32(lane) + 8, 35);
  let g2 = min(group0 + f2 / 12, column_groups - 1);
  let cy2 = u.y0 + (g2 % u.n1) * u.yn;
  let cx2 = u.x0 + f2 % 12;
  let b2 = u.b_base + (g2 / u.n1) * u.b_n0 + cy2 * u.w + cx2;
  let f3 = min(i32(lane) + 12, 35);
  let g3 = min(group0 + f3 / 12, column_groups - 1);
  let cy3 = u.y0 + (g3 % u.n1) * u.yn;
  let cx3 = u.x0 + f3 % 12;
  let b3 = u.b_base + (g3 / u.n1) * u.b_n0 + cy3 * u.w + cx3;
  let f4 = min(i32(lane) + 16, 35);
  let g4 = min(group0 + f4 / 12, column_groups - 1);
  let cy4 = u.y0 + (g4 % u.n1) * u.yn;
  let cx4 = u.x0 + f4 % 12;
  let b4 = u.b_base + (g4 / u.n1) * u.b_n0 + cy4 * u.w + cx4;
  let f5 = min(i32(lane) + 20, 35);
  let g5 = min(group0 + f5 / 12, column_groups - 1);
  let cy5 = u.y0 + (g5 % u.n1) * u.yn;
  let cx5 = u.x0 + f5 % 12;
  let b5 = u.b_base + (g5 / u.n1) * u.b_n0 + cy5 * u.w + cx5;
  let f6 = min(i32(lane) + 24, 35);
  let g6 = min(group0 + f6 / 12, column_groups - 1);
  let cy6 = u.y0 + (g6 % u.n1) * u.yn;
  let cx6 = u.x0 + f6 % 12;
  let b6 = u.b_base + (g6 / u.n1) * u.b_n0 + cy6 * u.w + cx6;
  let f7 = min(i32(lane) + 28, 35);
  let g7 = min(group0 + f7 / 12, column_groups - 1);
  let cy7 = u.y0 + (g7 % u.n1) * u.yn;
  let cx7 = u.x0 + f7 % 12;
  let b7 = u.b_base + (g7 / u.n1) * u.b_n0 + cy7 * u.w + cx7;
  let f8 = min(i32(lane) + 32, 35);
  let g8 = min(group0 + f8 / 12, column_groups - 1);
  let cy8 = u.y0 + (g8 % u.n1) * u.yn;
  let cx8 = u.x0 + f8 % 12;
  let b8 = u.b_base + (g8 / u.n1) * u.b_n0 + cy8 * u.w + cx8;
  // Row row0 + 4 r, tile columns 4 q .. 4 q + 3 live in c{r}_{q}.
  var c0_0 = vec4f(); var c0_1 = vec4f(); var c0_2 = vec4f(); var c0_3 = vec4f();
  var c1_0 = vec4f(); var c1_1 = vec4f(); var c1_2 = vec4f(); var c1_3 = vec4f();
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
    // Window pixel p of group g was gathered by lane (g 12 + p) % 4 into v((g 12 + p) / 4).
    let w0_0 = subgroupBroadcast(v0, 0u);
    let w0_1 = subgroupBroadcast(v0, 1u);
    let w0_2 = subgroupBroadcast(v0, 2u);
    let w0_3 = subgroupBroadcast(v0, 3u);
    let w0_4 = subgroupBroadcast(v1, 0u);
    let w0_5 = subgroupBroadcast(v1, 1u);
    let w0_6 = subgroupBroadcast(v1, 2u);
    let w0_7 = subgroupBroadcast(v1, 3u);
    let w0_8 = subgroupBroadcast(v2, 0u);
    let w0_9 = subgroupBroadcast(v2, 1u);
    let w0_10 = subgroupBroadcast(v2, 2u);
    let w0_11 = subgroupBroadcast(v2, 3u);
    let w1_0 = subgroupBroadcast(v3, 0u);
    let w1_1 = subgroupBroadcast(v3, 1u);
    let w1_2 = subgroupBroadcast(v3, 2u);
    let w1_3 = subgroupBroadcast(v3, 3u);
    let w1_4 = subgroupBroadcast(v4, 0u);
    let w1_5 = subgroupBroadcast(v4, 1u);
    let w1_6 = subgroupBroadcast(v4, 2u);
    let w1_7 = subgroupBroadcast(v4, 3u);
    let w1_8 = subgroupBroadcast(v5, 0u);
    let w1_9 = subgroupBroadcast(v5, 1u);
    let w1_10 = subgroupBroadcast(v5, 2u);
    let w1_11 = subgroupBroadcast(v5, 3u);
    let w2_0 = subgroupBroadcast(v6, 0u);
    let w2_1 = subgroupBroadcast(v6, 1u);
    let w2_2 = subgroupBroadcast(v6, 2u);
    let w2_3 = subgroupBroadcast(v6, 3u);
    let w2_4 = subgroupBroadcast(v7, 0u);
    let w2_5 = subgroupBroadcast(v7, 1u);
    let w2_6 = subgroupBroadcast(v7, 2u);
    let w2_7 = subgroupBroadcast(v7, 3u);
    let w2_8 = subgroupBroadcast(v8, 0u);
    let w2_9 = subgroupBroadcast(v8, 1u);
    let w2_10 = subgroupBroadcast(v8, 2u);
    let w2_11 = subgroupBroadcast(v8, 3u);
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
    c0_0 = fma(x0_7, vec4f(w0_7, w0_8, w0_9, w0_10), fma(x0_6, vec4f(w0_6, w0_7, w0_8, w0_9), fma(x0_5, vec4f(w0_5, w0_6, w0_7, w0_8), fma(x0_4, vec4f(w0_4, w0_5, w0_6, w0_7), fma(x0_3, vec4f(w0_3, w0_4, w0_5, w0_6), fma(x0_2, vec4f(w0_2, w0_3, w0_4, w0_5), fma(x0_1, vec4f(w0_1, w0_2, w0_3, w0_4), fma(x0_0, vec4f(w0_0, w0_1, w0_2, w0_3), c0_0)))))))); c0_1 = fma(x0_7, vec4f(w0_11, w1_7, w1_8, w1_9), fma(x0_6, vec4f(w0_10, w1_6, w1_7, w1_8), fma(x0_5, vec4f(w0_9, w1_5, w1_6, w1_7), fma(x0_4, vec4f(w0_8, w1_4, w1_5, w1_6), fma(x0_3, vec4f(w0_7, w1_3, w1_4, w1_5), fma(x0_2, vec4f(w0_6, w1_2, w1_3, w1_4), fma(x0_1, vec4f(w0_5, w1_1, w1_2, w1_3), fma(x0_0, vec4f(w0_4, w1_0, w1_1, w1_2), c0_1)))))))); c0_2 = fma(x0_7, vec4f(w1_10, w1_11, w2_7, w2_8), fma(x0_6, vec4f(w1_9, w1_10, w2_6, w2_7), fma(x0_5, vec4f(w1_8, w1_9, w2_5, w2_6), fma(x0_4, vec4f(w1_7, w1_8, w2_4, w2_5), fma(x0_3, vec4f(w1_6, w1_7, w2_3, w2_4), fma(x0_2, vec4f(w1_5, w1_6, w2_2, w2_3), fma(x0_1, vec4f(w1_4, w1_5, w2_1, w2_2), fma(x0_0, vec4f(w1_3, w1_4, w2_0, w2_1), c0_2)))))))); c0_3 = fma(x0_7, vec4f(w2_9, w2_10, w2_11, 0.0), fma(x0_6, vec4f(w2_8, w2_9, w2_10, 0.0), fma(x0_5, vec4f(w2_7, w2_8, w2_9, 0.0), fma(x0_4, vec4f(w2_6, w2_7, w2_8, 0.0), fma(x0_3, vec4f(w2_5, w2_6, w2_7, 0.0), fma(x0_2, vec4f(w2_4, w2_5, w2_6, 0.0), fma(x0_1, vec4f(w2_3, w2_4, w2_5, 0.0), fma(x0_0, vec4f(w2_2, w2_3, w2_4, 0.0), c0_3))))))));
    c1_0 = fma(x1_7, vec4f(w0_7, w0_8, w0_9, w0_10), fma(x1_6, vec4f(w0_6, w0_7, w0_8, w0_9), fma(x1_5, vec4f(w0_5, w0_6, w0_7, w0_8), fma(x1_4, vec4f(w0_4, w0_5, w0_6, w0_7), fma(x1_3, vec4f(w0_3, w0_4, w0_5, w0_6), fma(x1_2, vec4f(w0_2, w0_3, w0_4, w0_5), fma(x1_1, vec4f(w0_1, w0_2, w0_3, w0_4), fma(x1_0, vec4f(w0_0, w0_1, w0_2, w0_3), c1_0)))))))); c1_1 = fma(x1_7, vec4f(w0_11, w1_7, w1_8, w1_9), fma(x1_6, vec4f(w0_10, w1_6, w1_7, w1_8), fma(x1_5, vec4f(w0_9, w1_5, w1_6, w1_7), fma(x1_4, vec4f(w0_8, w1_4, w1_5, w1_6), fma(x1_3, vec4f(w0_7, w1_3, w1_4, w1_5), fma(x1_2, vec4f(w0_6, w1_2, w1_3, w1_4), fma(x1_1, vec4f(w0_5, w1_1, w1_2, w1_3), fma(x1_0, vec4f(w0_4, w1_0, w1_1, w1_2), c1_1)))))))); c1_2 = fma(x1_7, vec4f(w1_10, w1_11, w2_7, w2_8), fma(x1_6, vec4f(w1_9, w1_10, w2_6, w2_7), fma(x1_5, vec4f(w1_8, w1_9, w2_5, w2_6), fma(x1_4, vec4f(w1_7, w1_8, w2_4, w2_5), fma(x1_3, vec4f(w1_6, w1_7, w2_3, w2_4), fma(x1_2, vec4f(w1_5, w1_6, w2_2, w2_3), fma(x1_1, vec4f(w1_4, w1_5, w2_1, w2_2), fma(x1_0, vec4f(w1_3, w1_4, w2_0, w2_1), c1_2)))))))); c1_3 = fma(x1_7, vec4f(w2_9, w2_10, w2_11, 0.0), fma(x1_6, vec4f(w2_8, w2_9, w2_10, 0.0), fma(x1_5, vec4f(w2_7, w2_8, w2_9, 0.0), fma(x1_4, vec4f(w2_6, w2_7, w2_8, 0.0), fma(x1_3, vec4f(w2_5, w2_6, w2_7, 0.0), fma(x1_2, vec4f(w2_4, w2_5, w2_6, 0.0), fma(x1_1, vec4f(w2_3, w2_4, w2_5, 0.0), fma(x1_0, vec4f(w2_2, w2_3, w2_4, 0.0), c1_3))))))));
    t2++;
    let wrap2 = t2 == chunks;
    t2 = select(t2, 0, wrap2);
    t1 += select(0, 1, wrap2);
    let wrap1 = t1 == u.k1;
    t1 = select(t1, 0, wrap1);
    ka += 8 * u.a_k2 + select(0, u.a_k1 - u.k2 * u.a_k2, wrap2) + select(0, u.a_k0 - u.k1 * u.a_k1, wrap1);
    tx = select(tx + 8, 0, wrap2);
    ty = select(select(ty, ty + u.yk, wrap2), 0, wrap1);
    kb += select(0, u.b_k0, wrap1);
  }
  // Column group g of the tile is (n0, n1) = ((group0 + g) / n1, (group0 + g) % n1); its tap t goes to o{g} + t c_n2.
  let o0 = ((group0 + 0) / u.n1) * u.c_n0 + ((group0 + 0) % u.n1) * u.c_n1;
  let o1 = ((group0 + 1) / u.n1) * u.c_n0 + ((group0 + 1) % u.n1) * u.c_n1;
  let o2 = ((group0 + 2) / u.n1) * u.c_n0 + ((group0 + 2) % u.n1) * u.c_n1;
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
  }
  let m1 = row0 + 4;
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
  }
}
