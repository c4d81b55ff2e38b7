// conv2d_window_w4_m4_k3_s2.wgsl: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM), for K = 3 taps along x one pixel apart and output columns 2 pixels
// apart. Generated (W 4, TM 1, TN 16, K 3, D 1, S 2) by
// tools/gen-kernels/gen_conv_window.py (run `npm run gen:kernels`, do not edit).
// The contract is conv2d_lanes_w4_m4.wgsl's (the same Params, bindings, math and
// epilogue; src/autograd/ops/conv-lanes.ts maps each convolution onto it), restricted to
// k2 = 3, xn = 2 and xk = 1: the column n2 moves 2 pixels along x and the tap k2 1,
// so B[(k0, k1, t), (n0, n1, j)] is the window pixel 2 j + t of the image row that
// (n0, n1, k0, k1) selects. A tile is 16 consecutive columns n2 of one (n0, n1) row, and per
// (k0, k1) each lane gathers 9 pixels of the 33-pixel window (pixel lane + 4 g),
// the lanes share them with subgroupBroadcast, and lane l's rows l + 4 r (r < 1) take
// 3 FMAs per column from the shifted window. Columns past the row's end are computed
// and not stored; rows past M are not stored.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (read; any buffer when
// HAS_BIAS is false), 4 c (write).
// Dispatch: (x, ceil(M / 4), z) workgroups of 4 with x z >= (N / n2) ceil(n2 / 16); tile
// t = wg.z num_workgroups.x + wg.x is segment t % ceil(n2 / 16) of row t / ceil(n2 / 16).
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
  let tile = i32(wg.z * groups.x + wg.x);
  let segments = (u.n2 + 15) / 16;
  let row = tile / segments;
  if (row >= u.n / u.n2) { return; }
  let first = (tile % segments) * 16;
  let n0 = row / u.n1;
  let n1 = row % u.n1;
  let row0 = i32(wg.y * 4u + lane);
  let a0 = u.a_base + min(row0 + 0, u.m - 1) * u.a_m;
  // The window starts at image column cx of the rows cy + ty; lane l gathers its pixels l + W g.
  let cy = u.y0 + n1 * u.yn;
  let cx = u.x0 + first * 2;
  let b = u.b_base + n0 * u.b_n0 + cy * u.w + cx + i32(lane);
  let inside0 = u32(cx + i32(lane) + 0) < u32(u.w);
  let inside1 = u32(cx + i32(lane) + 4) < u32(u.w);
  let inside2 = u32(cx + i32(lane) + 8) < u32(u.w);
  let inside3 = u32(cx + i32(lane) + 12) < u32(u.w);
  let inside4 = u32(cx + i32(lane) + 16) < u32(u.w);
  let inside5 = u32(cx + i32(lane) + 20) < u32(u.w);
  let inside6 = u32(cx + i32(lane) + 24) < u32(u.w);
  let inside7 = u32(cx + i32(lane) + 28) < u32(u.w);
  let inside8 = u32(cx + i32(lane) + 32) < u32(u.w);
  // Row row0 + 4 r, tile columns 4 q .. 4 q + 3 live in c{r}_{q}.
  var c0_0 = vec4f(); var c0_1 = vec4f(); var c0_2 = vec4f(); var c0_3 = vec4f();
  let steps = u.k0 * u.k1;
  var ka = 0;
  var kb = 0;
  var ty = 0;
  var t1 = 0;
  for (var k = 0; k < steps; k++) {
    let row_inside = u32(cy + ty) < u32(u.h);
    let kt = b + kb + ty * u.w;
    let g0 = select(0.0, image[max(kt + 0, 0)], row_inside && inside0);
    let g1 = select(0.0, image[max(kt + 4, 0)], row_inside && inside1);
    let g2 = select(0.0, image[max(kt + 8, 0)], row_inside && inside2);
    let g3 = select(0.0, image[max(kt + 12, 0)], row_inside && inside3);
    let g4 = select(0.0, image[max(kt + 16, 0)], row_inside && inside4);
    let g5 = select(0.0, image[max(kt + 20, 0)], row_inside && inside5);
    let g6 = select(0.0, image[max(kt + 24, 0)], row_inside && inside6);
    let g7 = select(0.0, image[max(kt + 28, 0)], row_inside && inside7);
    let g8 = select(0.0, image[max(kt + 32, 0)], row_inside && inside8);
    // Window pixel p was gathered by lane p % 4 into g(p / 4).
    let v0 = subgroupBroadcast(g0, 0u);
    let v1 = subgroupBroadcast(g0, 1u);
    let v2 = subgroupBroadcast(g0, 2u);
    let v3 = subgroupBroadcast(g0, 3u);
    let v4 = subgroupBroadcast(g1, 0u);
    let v5 = subgroupBroadcast(g1, 1u);
    let v6 = subgroupBroadcast(g1, 2u);
    let v7 = subgroupBroadcast(g1, 3u);
    let v8 = subgroupBroadcast(g2, 0u);
    let v9 = subgroupBroadcast(g2, 1u);
    let v10 = subgroupBroadcast(g2, 2u);
    let v11 = subgroupBroadcast(g2, 3u);
    let v12 = subgroupBroadcast(g3, 0u);
    let v13 = subgroupBroadcast(g3, 1u);
    let v14 = subgroupBroadcast(g3, 2u);
    let v15 = subgroupBroadcast(g3, 3u);
    let v16 = subgroupBroadcast(g4, 0u);
    let v17 = subgroupBroadcast(g4, 1u);
    let v18 = subgroupBroadcast(g4, 2u);
    let v19 = subgroupBroadcast(g4, 3u);
    let v20 = subgroupBroadcast(g5, 0u);
    let v21 = subgroupBroadcast(g5, 1u);
    let v22 = subgroupBroadcast(g5, 2u);
    let v23 = subgroupBroadcast(g5, 3u);
    let v24 = subgroupBroadcast(g6, 0u);
    let v25 = subgroupBroadcast(g6, 1u);
    let v26 = subgroupBroadcast(g6, 2u);
    let v27 = subgroupBroadcast(g6, 3u);
    let v28 = subgroupBroadcast(g7, 0u);
    let v29 = subgroupBroadcast(g7, 1u);
    let v30 = subgroupBroadcast(g7, 2u);
    let v31 = subgroupBroadcast(g7, 3u);
    let v32 = subgroupBroadcast(g8, 0u);
    let at0 = ka + 0 * u.a_k2;
    let x0_0 = vec4f(a[a0 + at0]);
    let at1 = ka + 1 * u.a_k2;
    let x0_1 = vec4f(a[a0 + at1]);
    let at2 = ka + 2 * u.a_k2;
    let x0_2 = vec4f(a[a0 + at2]);
    c0_0 = fma(x0_2, vec4f(v2, v4, v6, v8), fma(x0_1, vec4f(v1, v3, v5, v7), fma(x0_0, vec4f(v0, v2, v4, v6), c0_0))); c0_1 = fma(x0_2, vec4f(v10, v12, v14, v16), fma(x0_1, vec4f(v9, v11, v13, v15), fma(x0_0, vec4f(v8, v10, v12, v14), c0_1))); c0_2 = fma(x0_2, vec4f(v18, v20, v22, v24), fma(x0_1, vec4f(v17, v19, v21, v23), fma(x0_0, vec4f(v16, v18, v20, v22), c0_2))); c0_3 = fma(x0_2, vec4f(v26, v28, v30, v32), fma(x0_1, vec4f(v25, v27, v29, v31), fma(x0_0, vec4f(v24, v26, v28, v30), c0_3)));
    t1++;
    let wrap1 = t1 == u.k1;
    t1 = select(t1, 0, wrap1);
    ka += u.a_k1 + select(0, u.a_k0 - u.k1 * u.a_k1, wrap1);
    ty = select(ty + u.yk, 0, wrap1);
    kb += select(0, u.b_k0, wrap1);
  }
  let out_row = u.c_base + n0 * u.c_n0 + n1 * u.c_n1;
  let m0 = row0 + 0;
  if (m0 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m0]; }
    let out = out_row + m0 * u.c_m;
    if (first + 0 < u.n2) { c[out + (first + 0) * u.c_n2] = activate(c0_0[0] + add); }
    if (first + 1 < u.n2) { c[out + (first + 1) * u.c_n2] = activate(c0_0[1] + add); }
    if (first + 2 < u.n2) { c[out + (first + 2) * u.c_n2] = activate(c0_0[2] + add); }
    if (first + 3 < u.n2) { c[out + (first + 3) * u.c_n2] = activate(c0_0[3] + add); }
    if (first + 4 < u.n2) { c[out + (first + 4) * u.c_n2] = activate(c0_1[0] + add); }
    if (first + 5 < u.n2) { c[out + (first + 5) * u.c_n2] = activate(c0_1[1] + add); }
    if (first + 6 < u.n2) { c[out + (first + 6) * u.c_n2] = activate(c0_1[2] + add); }
    if (first + 7 < u.n2) { c[out + (first + 7) * u.c_n2] = activate(c0_1[3] + add); }
    if (first + 8 < u.n2) { c[out + (first + 8) * u.c_n2] = activate(c0_2[0] + add); }
    if (first + 9 < u.n2) { c[out + (first + 9) * u.c_n2] = activate(c0_2[1] + add); }
    if (first + 10 < u.n2) { c[out + (first + 10) * u.c_n2] = activate(c0_2[2] + add); }
    if (first + 11 < u.n2) { c[out + (first + 11) * u.c_n2] = activate(c0_2[3] + add); }
    if (first + 12 < u.n2) { c[out + (first + 12) * u.c_n2] = activate(c0_3[0] + add); }
    if (first + 13 < u.n2) { c[out + (first + 13) * u.c_n2] = activate(c0_3[1] + add); }
    if (first + 14 < u.n2) { c[out + (first + 14) * u.c_n2] = activate(c0_3[2] + add); }
    if (first + 15 < u.n2) { c[out + (first + 15) * u.c_n2] = activate(c0_3[3] + add); }
  }
}
