// conv2d_window_w8_m32_k3_d16.wgsl: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM), for K = 3 taps along x 16 pixels apart and output columns one pixel
// apart. Generated (W 8, TM 4, TN 32, K 3, D 16, S 1) by
// tools/gen-kernels/gen_conv_window.py (run `npm run gen:kernels`, do not edit).
// The contract is conv2d_lanes_w8_m32.wgsl's (the same Params, bindings, math and
// epilogue; src/autograd/ops/conv-lanes.ts maps each convolution onto it), restricted to
// k2 = 3, xn = 1 and xk = 16: the column n2 moves one pixel along x and the tap k2 16,
// so B[(k0, k1, t), (n0, n1, j)] is the window pixel j + 16 t of the image row that
// (n0, n1, k0, k1) selects. A tile is 32 consecutive columns n2 of one (n0, n1) row, and per
// (k0, k1) each lane gathers 8 pixels of the 64-pixel window (pixel lane + 8 g),
// the lanes share them with subgroupBroadcast, and lane l's rows l + 8 r (r < 4) take
// 3 FMAs per column from the shifted window. Columns past the row's end are computed
// and not stored; rows past M are not stored.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (read; any buffer when
// HAS_BIAS is false), 4 c (write).
// Dispatch: (x, ceil(M / 32), z) workgroups of 8 with x z >= (N / n2) ceil(n2 / 32); tile
// t = wg.z num_workgroups.x + wg.x is segment t % ceil(n2 / 32) of row t / ceil(n2 / 32).
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
  let tile = i32(wg.z * groups.x + wg.x);
  let segments = (u.n2 + 31) / 32;
  let row = tile / segments;
  if (row >= u.n / u.n2) { return; }
  let first = (tile % segments) * 32;
  let n0 = row / u.n1;
  let n1 = row % u.n1;
  let row0 = i32(wg.y * 32u + lane);
  let a0 = u.a_base + min(row0 + 0, u.m - 1) * u.a_m;
  let a1 = u.a_base + min(row0 + 8, u.m - 1) * u.a_m;
  let a2 = u.a_base + min(row0 + 16, u.m - 1) * u.a_m;
  let a3 = u.a_base + min(row0 + 24, u.m - 1) * u.a_m;
  // The window starts at image column cx of the rows cy + ty; lane l gathers its pixels l + W g.
  let cy = u.y0 + n1 * u.yn;
  let cx = u.x0 + first;
  let b = u.b_base + n0 * u.b_n0 + cy * u.w + cx + i32(lane);
  let inside0 = u32(cx + i32(lane) + 0) < u32(u.w);
  let inside1 = u32(cx + i32(lane) + 8) < u32(u.w);
  let inside2 = u32(cx + i32(lane) + 16) < u32(u.w);
  let inside3 = u32(cx + i32(lane) + 24) < u32(u.w);
  let inside4 = u32(cx + i32(lane) + 32) < u32(u.w);
  let inside5 = u32(cx + i32(lane) + 40) < u32(u.w);
  let inside6 = u32(cx + i32(lane) + 48) < u32(u.w);
  let inside7 = u32(cx + i32(lane) + 56) < u32(u.w);
  // Row row0 + 8 r, tile columns 4 q .. 4 q + 3 live in c{r}_{q}.
  var c0_0 = vec4f(); var c0_1 = vec4f(); var c0_2 = vec4f(); var c0_3 = vec4f(); var c0_4 = vec4f(); var c0_5 = vec4f(); var c0_6 = vec4f(); var c0_7 = vec4f();
  var c1_0 = vec4f(); var c1_1 = vec4f(); var c1_2 = vec4f(); var c1_3 = vec4f(); var c1_4 = vec4f(); var c1_5 = vec4f(); var c1_6 = vec4f(); var c1_7 = vec4f();
  var c2_0 = vec4f(); var c2_1 = vec4f(); var c2_2 = vec4f(); var c2_3 = vec4f(); var c2_4 = vec4f(); var c2_5 = vec4f(); var c2_6 = vec4f(); var c2_7 = vec4f();
  var c3_0 = vec4f(); var c3_1 = vec4f(); var c3_2 = vec4f(); var c3_3 = vec4f(); var c3_4 = vec4f(); var c3_5 = vec4f(); var c3_6 = vec4f(); var c3_7 = vec4f();
  let steps = u.k0 * u.k1;
  var ka = 0;
  var kb = 0;
  var ty = 0;
  var t1 = 0;
  for (var k = 0; k < steps; k++) {
    let row_inside = u32(cy + ty) < u32(u.h);
    let kt = b + kb + ty * u.w;
    let g0 = select(0.0, image[max(kt + 0, 0)], row_inside && inside0);
    let g1 = select(0.0, image[max(kt + 8, 0)], row_inside && inside1);
    let g2 = select(0.0, image[max(kt + 16, 0)], row_inside && inside2);
    let g3 = select(0.0, image[max(kt + 24, 0)], row_inside && inside3);
    let g4 = select(0.0, image[max(kt + 32, 0)], row_inside && inside4);
    let g5 = select(0.0, image[max(kt + 40, 0)], row_inside && inside5);
    let g6 = select(0.0, image[max(kt + 48, 0)], row_inside && inside6);
    let g7 = select(0.0, image[max(kt + 56, 0)], row_inside && inside7);
    // Window pixel p was gathered by lane p % 8 into g(p / 8).
    let v0 = subgroupBroadcast(g0, 0u);
    let v1 = subgroupBroadcast(g0, 1u);
    let v2 = subgroupBroadcast(g0, 2u);
    let v3 = subgroupBroadcast(g0, 3u);
    let v4 = subgroupBroadcast(g0, 4u);
    let v5 = subgroupBroadcast(g0, 5u);
    let v6 = subgroupBroadcast(g0, 6u);
    let v7 = subgroupBroadcast(g0, 7u);
    let v8 = subgroupBroadcast(g1, 0u);
    let v9 = subgroupBroadcast(g1, 1u);
    let v10 = subgroupBroadcast(g1, 2u);
    let v11 = subgroupBroadcast(g1, 3u);
    let v12 = subgroupBroadcast(g1, 4u);
    let v13 = subgroupBroadcast(g1, 5u);
    let v14 = subgroupBroadcast(g1, 6u);
    let v15 = subgroupBroadcast(g1, 7u);
    let v16 = subgroupBroadcast(g2, 0u);
    let v17 = subgroupBroadcast(g2, 1u);
    let v18 = subgroupBroadcast(g2, 2u);
    let v19 = subgroupBroadcast(g2, 3u);
    let v20 = subgroupBroadcast(g2, 4u);
    let v21 = subgroupBroadcast(g2, 5u);
    let v22 = subgroupBroadcast(g2, 6u);
    let v23 = subgroupBroadcast(g2, 7u);
    let v24 = subgroupBroadcast(g3, 0u);
    let v25 = subgroupBroadcast(g3, 1u);
    let v26 = subgroupBroadcast(g3, 2u);
    let v27 = subgroupBroadcast(g3, 3u);
    let v28 = subgroupBroadcast(g3, 4u);
    let v29 = subgroupBroadcast(g3, 5u);
    let v30 = subgroupBroadcast(g3, 6u);
    let v31 = subgroupBroadcast(g3, 7u);
    let v32 = subgroupBroadcast(g4, 0u);
    let v33 = subgroupBroadcast(g4, 1u);
    let v34 = subgroupBroadcast(g4, 2u);
    let v35 = subgroupBroadcast(g4, 3u);
    let v36 = subgroupBroadcast(g4, 4u);
    let v37 = subgroupBroadcast(g4, 5u);
    let v38 = subgroupBroadcast(g4, 6u);
    let v39 = subgroupBroadcast(g4, 7u);
    let v40 = subgroupBroadcast(g5, 0u);
    let v41 = subgroupBroadcast(g5, 1u);
    let v42 = subgroupBroadcast(g5, 2u);
    let v43 = subgroupBroadcast(g5, 3u);
    let v44 = subgroupBroadcast(g5, 4u);
    let v45 = subgroupBroadcast(g5, 5u);
    let v46 = subgroupBroadcast(g5, 6u);
    let v47 = subgroupBroadcast(g5, 7u);
    let v48 = subgroupBroadcast(g6, 0u);
    let v49 = subgroupBroadcast(g6, 1u);
    let v50 = subgroupBroadcast(g6, 2u);
    let v51 = subgroupBroadcast(g6, 3u);
    let v52 = subgroupBroadcast(g6, 4u);
    let v53 = subgroupBroadcast(g6, 5u);
    let v54 = subgroupBroadcast(g6, 6u);
    let v55 = subgroupBroadcast(g6, 7u);
    let v56 = subgroupBroadcast(g7, 0u);
    let v57 = subgroupBroadcast(g7, 1u);
    let v58 = subgroupBroadcast(g7, 2u);
    let v59 = subgroupBroadcast(g7, 3u);
    let v60 = subgroupBroadcast(g7, 4u);
    let v61 = subgroupBroadcast(g7, 5u);
    let v62 = subgroupBroadcast(g7, 6u);
    let v63 = subgroupBroadcast(g7, 7u);
    let at0 = ka + 0 * u.a_k2;
    let x0_0 = vec4f(a[a0 + at0]);
    let x1_0 = vec4f(a[a1 + at0]);
    let x2_0 = vec4f(a[a2 + at0]);
    let x3_0 = vec4f(a[a3 + at0]);
    let at1 = ka + 1 * u.a_k2;
    let x0_1 = vec4f(a[a0 + at1]);
    let x1_1 = vec4f(a[a1 + at1]);
    let x2_1 = vec4f(a[a2 + at1]);
    let x3_1 = vec4f(a[a3 + at1]);
    let at2 = ka + 2 * u.a_k2;
    let x0_2 = vec4f(a[a0 + at2]);
    let x1_2 = vec4f(a[a1 + at2]);
    let x2_2 = vec4f(a[a2 + at2]);
    let x3_2 = vec4f(a[a3 + at2]);
    c0_0 = fma(x0_2, vec4f(v32, v33, v34, v35), fma(x0_1, vec4f(v16, v17, v18, v19), fma(x0_0, vec4f(v0, v1, v2, v3), c0_0))); c0_1 = fma(x0_2, vec4f(v36, v37, v38, v39), fma(x0_1, vec4f(v20, v21, v22, v23), fma(x0_0, vec4f(v4, v5, v6, v7), c0_1))); c0_2 = fma(x0_2, vec4f(v40, v41, v42, v43), fma(x0_1, vec4f(v24, v25, v26, v27), fma(x0_0, vec4f(v8, v9, v10, v11), c0_2))); c0_3 = fma(x0_2, vec4f(v44, v45, v46, v47), fma(x0_1, vec4f(v28, v29, v30, v31), fma(x0_0, vec4f(v12, v13, v14, v15), c0_3))); c0_4 = fma(x0_2, vec4f(v48, v49, v50, v51), fma(x0_1, vec4f(v32, v33, v34, v35), fma(x0_0, vec4f(v16, v17, v18, v19), c0_4))); c0_5 = fma(x0_2, vec4f(v52, v53, v54, v55), fma(x0_1, vec4f(v36, v37, v38, v39), fma(x0_0, vec4f(v20, v21, v22, v23), c0_5))); c0_6 = fma(x0_2, vec4f(v56, v57, v58, v59), fma(x0_1, vec4f(v40, v41, v42, v43), fma(x0_0, vec4f(v24, v25, v26, v27), c0_6))); c0_7 = fma(x0_2, vec4f(v60, v61, v62, v63), fma(x0_1, vec4f(v44, v45, v46, v47), fma(x0_0, vec4f(v28, v29, v30, v31), c0_7)));
    c1_0 = fma(x1_2, vec4f(v32, v33, v34, v35), fma(x1_1, vec4f(v16, v17, v18, v19), fma(x1_0, vec4f(v0, v1, v2, v3), c1_0))); c1_1 = fma(x1_2, vec4f(v36, v37, v38, v39), fma(x1_1, vec4f(v20, v21, v22, v23), fma(x1_0, vec4f(v4, v5, v6, v7), c1_1))); c1_2 = fma(x1_2, vec4f(v40, v41, v42, v43), fma(x1_1, vec4f(v24, v25, v26, v27), fma(x1_0, vec4f(v8, v9, v10, v11), c1_2))); c1_3 = fma(x1_2, vec4f(v44, v45, v46, v47), fma(x1_1, vec4f(v28, v29, v30, v31), fma(x1_0, vec4f(v12, v13, v14, v15), c1_3))); c1_4 = fma(x1_2, vec4f(v48, v49, v50, v51), fma(x1_1, vec4f(v32, v33, v34, v35), fma(x1_0, vec4f(v16, v17, v18, v19), c1_4))); c1_5 = fma(x1_2, vec4f(v52, v53, v54, v55), fma(x1_1, vec4f(v36, v37, v38, v39), fma(x1_0, vec4f(v20, v21, v22, v23), c1_5))); c1_6 = fma(x1_2, vec4f(v56, v57, v58, v59), fma(x1_1, vec4f(v40, v41, v42, v43), fma(x1_0, vec4f(v24, v25, v26, v27), c1_6))); c1_7 = fma(x1_2, vec4f(v60, v61, v62, v63), fma(x1_1, vec4f(v44, v45, v46, v47), fma(x1_0, vec4f(v28, v29, v30, v31), c1_7)));
    c2_0 = fma(x2_2, vec4f(v32, v33, v34, v35), fma(x2_1, vec4f(v16, v17, v18, v19), fma(x2_0, vec4f(v0, v1, v2, v3), c2_0))); c2_1 = fma(x2_2, vec4f(v36, v37, v38, v39), fma(x2_1, vec4f(v20, v21, v22, v23), fma(x2_0, vec4f(v4, v5, v6, v7), c2_1))); c2_2 = fma(x2_2, vec4f(v40, v41, v42, v43), fma(x2_1, vec4f(v24, v25, v26, v27), fma(x2_0, vec4f(v8, v9, v10, v11), c2_2))); c2_3 = fma(x2_2, vec4f(v44, v45, v46, v47), fma(x2_1, vec4f(v28, v29, v30, v31), fma(x2_0, vec4f(v12, v13, v14, v15), c2_3))); c2_4 = fma(x2_2, vec4f(v48, v49, v50, v51), fma(x2_1, vec4f(v32, v33, v34, v35), fma(x2_0, vec4f(v16, v17, v18, v19), c2_4))); c2_5 = fma(x2_2, vec4f(v52, v53, v54, v55), fma(x2_1, vec4f(v36, v37, v38, v39), fma(x2_0, vec4f(v20, v21, v22, v23), c2_5))); c2_6 = fma(x2_2, vec4f(v56, v57, v58, v59), fma(x2_1, vec4f(v40, v41, v42, v43), fma(x2_0, vec4f(v24, v25, v26, v27), c2_6))); c2_7 = fma(x2_2, vec4f(v60, v61, v62, v63), fma(x2_1, vec4f(v44, v45, v46, v47), fma(x2_0, vec4f(v28, v29, v30, v31), c2_7)));
    c3_0 = fma(x3_2, vec4f(v32, v33, v34, v35), fma(x3_1, vec4f(v16, v17, v18, v19), fma(x3_0, vec4f(v0, v1, v2, v3), c3_0))); c3_1 = fma(x3_2, vec4f(v36, v37, v38, v39), fma(x3_1, vec4f(v20, v21, v22, v23), fma(x3_0, vec4f(v4, v5, v6, v7), c3_1))); c3_2 = fma(x3_2, vec4f(v40, v41, v42, v43), fma(x3_1, vec4f(v24, v25, v26, v27), fma(x3_0, vec4f(v8, v9, v10, v11), c3_2))); c3_3 = fma(x3_2, vec4f(v44, v45, v46, v47), fma(x3_1, vec4f(v28, v29, v30, v31), fma(x3_0, vec4f(v12, v13, v14, v15), c3_3))); c3_4 = fma(x3_2, vec4f(v48, v49, v50, v51), fma(x3_1, vec4f(v32, v33, v34, v35), fma(x3_0, vec4f(v16, v17, v18, v19), c3_4))); c3_5 = fma(x3_2, vec4f(v52, v53, v54, v55), fma(x3_1, vec4f(v36, v37, v38, v39), fma(x3_0, vec4f(v20, v21, v22, v23), c3_5))); c3_6 = fma(x3_2, vec4f(v56, v57, v58, v59), fma(x3_1, vec4f(v40, v41, v42, v43), fma(x3_0, vec4f(v24, v25, v26, v27), c3_6))); c3_7 = fma(x3_2, vec4f(v60, v61, v62, v63), fma(x3_1, vec4f(v44, v45, v46, v47), fma(x3_0, vec4f(v28, v29, v30, v31), c3_7)));
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
    if (first + 16 < u.n2) { c[out + (first + 16) * u.c_n2] = activate(c0_4[0] + add); }
    if (first + 17 < u.n2) { c[out + (first + 17) * u.c_n2] = activate(c0_4[1] + add); }
    if (first + 18 < u.n2) { c[out + (first + 18) * u.c_n2] = activate(c0_4[2] + add); }
    if (first + 19 < u.n2) { c[out + (first + 19) * u.c_n2] = activate(c0_4[3] + add); }
    if (first + 20 < u.n2) { c[out + (first + 20) * u.c_n2] = activate(c0_5[0] + add); }
    if (first + 21 < u.n2) { c[out + (first + 21) * u.c_n2] = activate(c0_5[1] + add); }
    if (first + 22 < u.n2) { c[out + (first + 22) * u.c_n2] = activate(c0_5[2] + add); }
    if (first + 23 < u.n2) { c[out + (first + 23) * u.c_n2] = activate(c0_5[3] + add); }
    if (first + 24 < u.n2) { c[out + (first + 24) * u.c_n2] = activate(c0_6[0] + add); }
    if (first + 25 < u.n2) { c[out + (first + 25) * u.c_n2] = activate(c0_6[1] + add); }
    if (first + 26 < u.n2) { c[out + (first + 26) * u.c_n2] = activate(c0_6[2] + add); }
    if (first + 27 < u.n2) { c[out + (first + 27) * u.c_n2] = activate(c0_6[3] + add); }
    if (first + 28 < u.n2) { c[out + (first + 28) * u.c_n2] = activate(c0_7[0] + add); }
    if (first + 29 < u.n2) { c[out + (first + 29) * u.c_n2] = activate(c0_7[1] + add); }
    if (first + 30 < u.n2) { c[out + (first + 30) * u.c_n2] = activate(c0_7[2] + add); }
    if (first + 31 < u.n2) { c[out + (first + 31) * u.c_n2] = activate(c0_7[3] + add); }
  }
  let m1 = row0 + 8;
  if (m1 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m1]; }
    let out = out_row + m1 * u.c_m;
    if (first + 0 < u.n2) { c[out + (first + 0) * u.c_n2] = activate(c1_0[0] + add); }
    if (first + 1 < u.n2) { c[out + (first + 1) * u.c_n2] = activate(c1_0[1] + add); }
    if (first + 2 < u.n2) { c[out + (first + 2) * u.c_n2] = activate(c1_0[2] + add); }
    if (first + 3 < u.n2) { c[out + (first + 3) * u.c_n2] = activate(c1_0[3] + add); }
    if (first + 4 < u.n2) { c[out + (first + 4) * u.c_n2] = activate(c1_1[0] + add); }
    if (first + 5 < u.n2) { c[out + (first + 5) * u.c_n2] = activate(c1_1[1] + add); }
    if (first + 6 < u.n2) { c[out + (first + 6) * u.c_n2] = activate(c1_1[2] + add); }
    if (first + 7 < u.n2) { c[out + (first + 7) * u.c_n2] = activate(c1_1[3] + add); }
    if (first + 8 < u.n2) { c[out + (first + 8) * u.c_n2] = activate(c1_2[0] + add); }
    if (first + 9 < u.n2) { c[out + (first + 9) * u.c_n2] = activate(c1_2[1] + add); }
    if (first + 10 < u.n2) { c[out + (first + 10) * u.c_n2] = activate(c1_2[2] + add); }
    if (first + 11 < u.n2) { c[out + (first + 11) * u.c_n2] = activate(c1_2[3] + add); }
    if (first + 12 < u.n2) { c[out + (first + 12) * u.c_n2] = activate(c1_3[0] + add); }
    if (first + 13 < u.n2) { c[out + (first + 13) * u.c_n2] = activate(c1_3[1] + add); }
    if (first + 14 < u.n2) { c[out + (first + 14) * u.c_n2] = activate(c1_3[2] + add); }
    if (first + 15 < u.n2) { c[out + (first + 15) * u.c_n2] = activate(c1_3[3] + add); }
    if (first + 16 < u.n2) { c[out + (first + 16) * u.c_n2] = activate(c1_4[0] + add); }
    if (first + 17 < u.n2) { c[out + (first + 17) * u.c_n2] = activate(c1_4[1] + add); }
    if (first + 18 < u.n2) { c[out + (first + 18) * u.c_n2] = activate(c1_4[2] + add); }
    if (first + 19 < u.n2) { c[out + (first + 19) * u.c_n2] = activate(c1_4[3] + add); }
    if (first + 20 < u.n2) { c[out + (first + 20) * u.c_n2] = activate(c1_5[0] + add); }
    if (first + 21 < u.n2) { c[out + (first + 21) * u.c_n2] = activate(c1_5[1] + add); }
    if (first + 22 < u.n2) { c[out + (first + 22) * u.c_n2] = activate(c1_5[2] + add); }
    if (first + 23 < u.n2) { c[out + (first + 23) * u.c_n2] = activate(c1_5[3] + add); }
    if (first + 24 < u.n2) { c[out + (first + 24) * u.c_n2] = activate(c1_6[0] + add); }
    if (first + 25 < u.n2) { c[out + (first + 25) * u.c_n2] = activate(c1_6[1] + add); }
    if (first + 26 < u.n2) { c[out + (first + 26) * u.c_n2] = activate(c1_6[2] + add); }
    if (first + 27 < u.n2) { c[out + (first + 27) * u.c_n2] = activate(c1_6[3] + add); }
    if (first + 28 < u.n2) { c[out + (first + 28) * u.c_n2] = activate(c1_7[0] + add); }
    if (first + 29 < u.n2) { c[out + (first + 29) * u.c_n2] = activate(c1_7[1] + add); }
    if (first + 30 < u.n2) { c[out + (first + 30) * u.c_n2] = activate(c1_7[2] + add); }
    if (first + 31 < u.n2) { c[out + (first + 31) * u.c_n2] = activate(c1_7[3] + add); }
  }
  let m2 = row0 + 16;
  if (m2 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m2]; }
    let out = out_row + m2 * u.c_m;
    if (first + 0 < u.n2) { c[out + (first + 0) * u.c_n2] = activate(c2_0[0] + add); }
    if (first + 1 < u.n2) { c[out + (first + 1) * u.c_n2] = activate(c2_0[1] + add); }
    if (first + 2 < u.n2) { c[out + (first + 2) * u.c_n2] = activate(c2_0[2] + add); }
    if (first + 3 < u.n2) { c[out + (first + 3) * u.c_n2] = activate(c2_0[3] + add); }
    if (first + 4 < u.n2) { c[out + (first + 4) * u.c_n2] = activate(c2_1[0] + add); }
    if (first + 5 < u.n2) { c[out + (first + 5) * u.c_n2] = activate(c2_1[1] + add); }
    if (first + 6 < u.n2) { c[out + (first + 6) * u.c_n2] = activate(c2_1[2] + add); }
    if (first + 7 < u.n2) { c[out + (first + 7) * u.c_n2] = activate(c2_1[3] + add); }
    if (first + 8 < u.n2) { c[out + (first + 8) * u.c_n2] = activate(c2_2[0] + add); }
    if (first + 9 < u.n2) { c[out + (first + 9) * u.c_n2] = activate(c2_2[1] + add); }
    if (first + 10 < u.n2) { c[out + (first + 10) * u.c_n2] = activate(c2_2[2] + add); }
    if (first + 11 < u.n2) { c[out + (first + 11) * u.c_n2] = activate(c2_2[3] + add); }
    if (first + 12 < u.n2) { c[out + (first + 12) * u.c_n2] = activate(c2_3[0] + add); }
    if (first + 13 < u.n2) { c[out + (first + 13) * u.c_n2] = activate(c2_3[1] + add); }
    if (first + 14 < u.n2) { c[out + (first + 14) * u.c_n2] = activate(c2_3[2] + add); }
    if (first + 15 < u.n2) { c[out + (first + 15) * u.c_n2] = activate(c2_3[3] + add); }
    if (first + 16 < u.n2) { c[out + (first + 16) * u.c_n2] = activate(c2_4[0] + add); }
    if (first + 17 < u.n2) { c[out + (first + 17) * u.c_n2] = activate(c2_4[1] + add); }
    if (first + 18 < u.n2) { c[out + (first + 18) * u.c_n2] = activate(c2_4[2] + add); }
    if (first + 19 < u.n2) { c[out + (first + 19) * u.c_n2] = activate(c2_4[3] + add); }
    if (first + 20 < u.n2) { c[out + (first + 20) * u.c_n2] = activate(c2_5[0] + add); }
    if (first + 21 < u.n2) { c[out + (first + 21) * u.c_n2] = activate(c2_5[1] + add); }
    if (first + 22 < u.n2) { c[out + (first + 22) * u.c_n2] = activate(c2_5[2] + add); }
    if (first + 23 < u.n2) { c[out + (first + 23) * u.c_n2] = activate(c2_5[3] + add); }
    if (first + 24 < u.n2) { c[out + (first + 24) * u.c_n2] = activate(c2_6[0] + add); }
    if (first + 25 < u.n2) { c[out + (first + 25) * u.c_n2] = activate(c2_6[1] + add); }
    if (first + 26 < u.n2) { c[out + (first + 26) * u.c_n2] = activate(c2_6[2] + add); }
    if (first + 27 < u.n2) { c[out + (first + 27) * u.c_n2] = activate(c2_6[3] + add); }
    if (first + 28 < u.n2) { c[out + (first + 28) * u.c_n2] = activate(c2_7[0] + add); }
    if (first + 29 < u.n2) { c[out + (first + 29) * u.c_n2] = activate(c2_7[1] + add); }
    if (first + 30 < u.n2) { c[out + (first + 30) * u.c_n2] = activate(c2_7[2] + add); }
    if (first + 31 < u.n2) { c[out + (first + 31) * u.c_n2] = activate(c2_7[3] + add); }
  }
  let m3 = row0 + 24;
  if (m3 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m3]; }
    let out = out_row + m3 * u.c_m;
    if (first + 0 < u.n2) { c[out + (first + 0) * u.c_n2] = activate(c3_0[0] + add); }
    if (first + 1 < u.n2) { c[out + (first + 1) * u.c_n2] = activate(c3_0[1] + add); }
    if (first + 2 < u.n2) { c[out + (first + 2) * u.c_n2] = activate(c3_0[2] + add); }
    if (first + 3 < u.n2) { c[out + (first + 3) * u.c_n2] = activate(c3_0[3] + add); }
    if (first + 4 < u.n2) { c[out + (first + 4) * u.c_n2] = activate(c3_1[0] + add); }
    if (first + 5 < u.n2) { c[out + (first + 5) * u.c_n2] = activate(c3_1[1] + add); }
    if (first + 6 < u.n2) { c[out + (first + 6) * u.c_n2] = activate(c3_1[2] + add); }
    if (first + 7 < u.n2) { c[out + (first + 7) * u.c_n2] = activate(c3_1[3] + add); }
    if (first + 8 < u.n2) { c[out + (first + 8) * u.c_n2] = activate(c3_2[0] + add); }
    if (first + 9 < u.n2) { c[out + (first + 9) * u.c_n2] = activate(c3_2[1] + add); }
    if (first + 10 < u.n2) { c[out + (first + 10) * u.c_n2] = activate(c3_2[2] + add); }
    if (first + 11 < u.n2) { c[out + (first + 11) * u.c_n2] = activate(c3_2[3] + add); }
    if (first + 12 < u.n2) { c[out + (first + 12) * u.c_n2] = activate(c3_3[0] + add); }
    if (first + 13 < u.n2) { c[out + (first + 13) * u.c_n2] = activate(c3_3[1] + add); }
    if (first + 14 < u.n2) { c[out + (first + 14) * u.c_n2] = activate(c3_3[2] + add); }
    if (first + 15 < u.n2) { c[out + (first + 15) * u.c_n2] = activate(c3_3[3] + add); }
    if (first + 16 < u.n2) { c[out + (first + 16) * u.c_n2] = activate(c3_4[0] + add); }
    if (first + 17 < u.n2) { c[out + (first + 17) * u.c_n2] = activate(c3_4[1] + add); }
    if (first + 18 < u.n2) { c[out + (first + 18) * u.c_n2] = activate(c3_4[2] + add); }
    if (first + 19 < u.n2) { c[out + (first + 19) * u.c_n2] = activate(c3_4[3] + add); }
    if (first + 20 < u.n2) { c[out + (first + 20) * u.c_n2] = activate(c3_5[0] + add); }
    if (first + 21 < u.n2) { c[out + (first + 21) * u.c_n2] = activate(c3_5[1] + add); }
    if (first + 22 < u.n2) { c[out + (first + 22) * u.c_n2] = activate(c3_5[2] + add); }
    if (first + 23 < u.n2) { c[out + (first + 23) * u.c_n2] = activate(c3_5[3] + add); }
    if (first + 24 < u.n2) { c[out + (first + 24) * u.c_n2] = activate(c3_6[0] + add); }
    if (first + 25 < u.n2) { c[out + (first + 25) * u.c_n2] = activate(c3_6[1] + add); }
    if (first + 26 < u.n2) { c[out + (first + 26) * u.c_n2] = activate(c3_6[2] + add); }
    if (first + 27 < u.n2) { c[out + (first + 27) * u.c_n2] = activate(c3_6[3] + add); }
    if (first + 28 < u.n2) { c[out + (first + 28) * u.c_n2] = activate(c3_7[0] + add); }
    if (first + 29 < u.n2) { c[out + (first + 29) * u.c_n2] = activate(c3_7[1] + add); }
    if (first + 30 < u.n2) { c[out + (first + 30) * u.c_n2] = activate(c3_7[2] + add); }
    if (first + 31 < u.n2) { c[out + (first + 31) * u.c_n2] = activate(c3_7[3] + add); }
  }
}
