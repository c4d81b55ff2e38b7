// conv2d_window_w8_m32_k5_s2_r4.wgsl: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM), for K = 5 taps along x one pixel apart and output columns 2 pixels
// apart. Generated (W 8, TM 4, TN 32, K 5, D 1, S 2, R 4) by
// tools/gen-kernels/gen_conv_window.py (run `npm run gen:kernels`, do not edit).
// The contract is conv2d_lanes_w8_m32.wgsl's (the same Params, bindings, math and
// epilogue; src/autograd/ops/conv-lanes.ts maps each convolution onto it), restricted to
// k2 = 5, xn = 2 and xk = 1: the column n2 moves 2 pixels along x and the tap k2 1,
// so B[(k0, k1, t), (n0, n1, j)] is the window pixel 2 j + t of the image row that
// (n0, n1, k0, k1) selects. A tile is the columns n2 < 8 of 4 consecutive (n0, n1) rows (n2 <= 8),
// and per (k0, k1) each lane gathers 10 pixels of the rows' 4 windows of 19 pixels each
// (window pixel p of row i is pixel 19 i + p, gathered by lane (19 i + p) % 8),
// the lanes share them with subgroupBroadcast, and lane l's rows l + 8 r (r < 4) take
// 5 FMAs per column from the shifted window. Columns past the row's end are computed
// and not stored; rows past M are not stored.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (read; any buffer when
// HAS_BIAS is false), 4 c (write).
// Dispatch: (x, ceil(M / 32), z) workgroups of 8 with x z >= ceil(N / n2 / 4); tile
// t = wg.z num_workgroups.x + wg.x holds the rows 4 t .. 4 t + 3.
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
  let rows = u.n / u.n2;
  if (4 * tile >= rows) { return; }
  let row0 = i32(wg.y * 32u + lane);
  let a0 = u.a_base + min(row0 + 0, u.m - 1) * u.a_m;
  let a1 = u.a_base + min(row0 + 8, u.m - 1) * u.a_m;
  let a2 = u.a_base + min(row0 + 16, u.m - 1) * u.a_m;
  let a3 = u.a_base + min(row0 + 24, u.m - 1) * u.a_m;
  // Lane l gathers the pixels p = l + 8 g: pixel p % 19 of the window of tile row p / 19,
  // which starts at image column x0 of the image rows cy + ty; slots past the last row stay 0.
  let p0 = i32(lane) + 0;
  let r0 = 4 * tile + p0 / 19;
  let cy0 = u.y0 + (r0 % u.n1) * u.yn;
  let b0 = u.b_base + (r0 / u.n1) * u.b_n0 + cy0 * u.w + u.x0 + p0 % 19;
  let inside0 = p0 < 76 && r0 < rows && u32(u.x0 + p0 % 19) < u32(u.w);
  let p1 = i32(lane) + 8;
  let r1 = 4 * tile + p1 / 19;
  let cy1 = u.y0 + (r1 % u.n1) * u.yn;
  let b1 = u.b_base + (r1 / u.n1) * u.b_n0 + cy1 * u.w + u.x0 + p1 % 19;
  let inside1 = p1 < 76 && r1 < rows && u32(u.x0 + p1 % 19) < u32(u.w);
  let p2 = i32(lane) + 16;
  let r2 = 4 * tile + p2 / 19;
  let cy2 = u.y0 + (r2 % u.n1) * u.yn;
  let b2 = u.b_base + (r2 / u.n1) * u.b_n0 + cy2 * u.w + u.x0 + p2 % 19;
  let inside2 = p2 < 76 && r2 < rows && u32(u.x0 + p2 % 19) < u32(u.w);
  let p3 = i32(lane) + 24;
  let r3 = 4 * tile + p3 / 19;
  let cy3 = u.y0 + (r3 % u.n1) * u.yn;
  let b3 = u.b_base + (r3 / u.n1) * u.b_n0 + cy3 * u.w + u.x0 + p3 % 19;
  let inside3 = p3 < 76 && r3 < rows && u32(u.x0 + p3 % 19) < u32(u.w);
  let p4 = i32(lane) + 32;
  let r4 = 4 * tile + p4 / 19;
  let cy4 = u.y0 + (r4 % u.n1) * u.yn;
  let b4 = u.b_base + (r4 / u.n1) * u.b_n0 + cy4 * u.w + u.x0 + p4 % 19;
  let inside4 = p4 < 76 && r4 < rows && u32(u.x0 + p4 % 19) < u32(u.w);
  let p5 = i32(lane) + 40;
  let r5 = 4 * tile + p5 / 19;
  let cy5 = u.y0 + (r5 % u.n1) * u.yn;
  let b5 = u.b_base + (r5 / u.n1) * u.b_n0 + cy5 * u.w + u.x0 + p5 % 19;
  let inside5 = p5 < 76 && r5 < rows && u32(u.x0 + p5 % 19) < u32(u.w);
  let p6 = i32(lane) + 48;
  let r6 = 4 * tile + p6 / 19;
  let cy6 = u.y0 + (r6 % u.n1) * u.yn;
  let b6 = u.b_base + (r6 / u.n1) * u.b_n0 + cy6 * u.w + u.x0 + p6 % 19;
  let inside6 = p6 < 76 && r6 < rows && u32(u.x0 + p6 % 19) < u32(u.w);
  let p7 = i32(lane) + 56;
  let r7 = 4 * tile + p7 / 19;
  let cy7 = u.y0 + (r7 % u.n1) * u.yn;
  let b7 = u.b_base + (r7 / u.n1) * u.b_n0 + cy7 * u.w + u.x0 + p7 % 19;
  let inside7 = p7 < 76 && r7 < rows && u32(u.x0 + p7 % 19) < u32(u.w);
  let p8 = i32(lane) + 64;
  let r8 = 4 * tile + p8 / 19;
  let cy8 = u.y0 + (r8 % u.n1) * u.yn;
  let b8 = u.b_base + (r8 / u.n1) * u.b_n0 + cy8 * u.w + u.x0 + p8 % 19;
  let inside8 = p8 < 76 && r8 < rows && u32(u.x0 + p8 % 19) < u32(u.w);
  let p9 = i32(lane) + 72;
  let r9 = 4 * tile + p9 / 19;
  let cy9 = u.y0 + (r9 % u.n1) * u.yn;
  let b9 = u.b_base + (r9 / u.n1) * u.b_n0 + cy9 * u.w + u.x0 + p9 % 19;
  let inside9 = p9 < 76 && r9 < rows && u32(u.x0 + p9 % 19) < u32(u.w);
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
    let kt = kb + ty * u.w;
    let g0 = select(0.0, image[max(b0 + kt, 0)], inside0 && u32(cy0 + ty) < u32(u.h));
    let g1 = select(0.0, image[max(b1 + kt, 0)], inside1 && u32(cy1 + ty) < u32(u.h));
    let g2 = select(0.0, image[max(b2 + kt, 0)], inside2 && u32(cy2 + ty) < u32(u.h));
    let g3 = select(0.0, image[max(b3 + kt, 0)], inside3 && u32(cy3 + ty) < u32(u.h));
    let g4 = select(0.0, image[max(b4 + kt, 0)], inside4 && u32(cy4 + ty) < u32(u.h));
    let g5 = select(0.0, image[max(b5 + kt, 0)], inside5 && u32(cy5 + ty) < u32(u.h));
    let g6 = select(0.0, image[max(b6 + kt, 0)], inside6 && u32(cy6 + ty) < u32(u.h));
    let g7 = select(0.0, image[max(b7 + kt, 0)], inside7 && u32(cy7 + ty) < u32(u.h));
    let g8 = select(0.0, image[max(b8 + kt, 0)], inside8 && u32(cy8 + ty) < u32(u.h));
    let g9 = select(0.0, image[max(b9 + kt, 0)], inside9 && u32(cy9 + ty) < u32(u.h));
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
    let v64 = subgroupBroadcast(g8, 0u);
    let v65 = subgroupBroadcast(g8, 1u);
    let v66 = subgroupBroadcast(g8, 2u);
    let v67 = subgroupBroadcast(g8, 3u);
    let v68 = subgroupBroadcast(g8, 4u);
    let v69 = subgroupBroadcast(g8, 5u);
    let v70 = subgroupBroadcast(g8, 6u);
    let v71 = subgroupBroadcast(g8, 7u);
    let v72 = subgroupBroadcast(g9, 0u);
    let v73 = subgroupBroadcast(g9, 1u);
    let v74 = subgroupBroadcast(g9, 2u);
    let v75 = subgroupBroadcast(g9, 3u);
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
    let at3 = ka + 3 * u.a_k2;
    let x0_3 = vec4f(a[a0 + at3]);
    let x1_3 = vec4f(a[a1 + at3]);
    let x2_3 = vec4f(a[a2 + at3]);
    let x3_3 = vec4f(a[a3 + at3]);
    let at4 = ka + 4 * u.a_k2;
    let x0_4 = vec4f(a[a0 + at4]);
    let x1_4 = vec4f(a[a1 + at4]);
    let x2_4 = vec4f(a[a2 + at4]);
    let x3_4 = vec4f(a[a3 + at4]);
    c0_0 = fma(x0_4, vec4f(v4, v6, v8, v10), fma(x0_3, vec4f(v3, v5, v7, v9), fma(x0_2, vec4f(v2, v4, v6, v8), fma(x0_1, vec4f(v1, v3, v5, v7), fma(x0_0, vec4f(v0, v2, v4, v6), c0_0))))); c0_1 = fma(x0_4, vec4f(v12, v14, v16, v18), fma(x0_3, vec4f(v11, v13, v15, v17), fma(x0_2, vec4f(v10, v12, v14, v16), fma(x0_1, vec4f(v9, v11, v13, v15), fma(x0_0, vec4f(v8, v10, v12, v14), c0_1))))); c0_2 = fma(x0_4, vec4f(v23, v25, v27, v29), fma(x0_3, vec4f(v22, v24, v26, v28), fma(x0_2, vec4f(v21, v23, v25, v27), fma(x0_1, vec4f(v20, v22, v24, v26), fma(x0_0, vec4f(v19, v21, v23, v25), c0_2))))); c0_3 = fma(x0_4, vec4f(v31, v33, v35, v37), fma(x0_3, vec4f(v30, v32, v34, v36), fma(x0_2, vec4f(v29, v31, v33, v35), fma(x0_1, vec4f(v28, v30, v32, v34), fma(x0_0, vec4f(v27, v29, v31, v33), c0_3))))); c0_4 = fma(x0_4, vec4f(v42, v44, v46, v48), fma(x0_3, vec4f(v41, v43, v45, v47), fma(x0_2, vec4f(v40, v42, v44, v46), fma(x0_1, vec4f(v39, v41, v43, v45), fma(x0_0, vec4f(v38, v40, v42, v44), c0_4))))); c0_5 = fma(x0_4, vec4f(v50, v52, v54, v56), fma(x0_3, vec4f(v49, v51, v53, v55), fma(x0_2, vec4f(v48, v50, v52, v54), fma(x0_1, vec4f(v47, v49, v51, v53), fma(x0_0, vec4f(v46, v48, v50, v52), c0_5))))); c0_6 = fma(x0_4, vec4f(v61, v63, v65, v67), fma(x0_3, vec4f(v60, v62, v64, v66), fma(x0_2, vec4f(v59, v61, v63, v65), fma(x0_1, vec4f(v58, v60, v62, v64), fma(x0_0, vec4f(v57, v59, v61, v63), c0_6))))); c0_7 = fma(x0_4, vec4f(v69, v71, v73, v75), fma(x0_3, vec4f(v68, v70, v72, v74), fma(x0_2, vec4f(v67, v69, v71, v73), fma(x0_1, vec4f(v66, v68, v70, v72), fma(x0_0, vec4f(v65, v67, v69, v71), c0_7)))));
    c1_0 = fma(x1_4, vec4f(v4, v6, v8, v10), fma(x1_3, vec4f(v3, v5, v7, v9), fma(x1_2, vec4f(v2, v4, v6, v8), fma(x1_1, vec4f(v1, v3, v5, v7), fma(x1_0, vec4f(v0, v2, v4, v6), c1_0))))); c1_1 = fma(x1_4, vec4f(v12, v14, v16, v18), fma(x1_3, vec4f(v11, v13, v15, v17), fma(x1_2, vec4f(v10, v12, v14, v16), fma(x1_1, vec4f(v9, v11, v13, v15), fma(x1_0, vec4f(v8, v10, v12, v14), c1_1))))); c1_2 = fma(x1_4, vec4f(v23, v25, v27, v29), fma(x1_3, vec4f(v22, v24, v26, v28), fma(x1_2, vec4f(v21, v23, v25, v27), fma(x1_1, vec4f(v20, v22, v24, v26), fma(x1_0, vec4f(v19, v21, v23, v25), c1_2))))); c1_3 = fma(x1_4, vec4f(v31, v33, v35, v37), fma(x1_3, vec4f(v30, v32, v34, v36), fma(x1_2, vec4f(v29, v31, v33, v35), fma(x1_1, vec4f(v28, v30, v32, v34), fma(x1_0, vec4f(v27, v29, v31, v33), c1_3))))); c1_4 = fma(x1_4, vec4f(v42, v44, v46, v48), fma(x1_3, vec4f(v41, v43, v45, v47), fma(x1_2, vec4f(v40, v42, v44, v46), fma(x1_1, vec4f(v39, v41, v43, v45), fma(x1_0, vec4f(v38, v40, v42, v44), c1_4))))); c1_5 = fma(x1_4, vec4f(v50, v52, v54, v56), fma(x1_3, vec4f(v49, v51, v53, v55), fma(x1_2, vec4f(v48, v50, v52, v54), fma(x1_1, vec4f(v47, v49, v51, v53), fma(x1_0, vec4f(v46, v48, v50, v52), c1_5))))); c1_6 = fma(x1_4, vec4f(v61, v63, v65, v67), fma(x1_3, vec4f(v60, v62, v64, v66), fma(x1_2, vec4f(v59, v61, v63, v65), fma(x1_1, vec4f(v58, v60, v62, v64), fma(x1_0, vec4f(v57, v59, v61, v63), c1_6))))); c1_7 = fma(x1_4, vec4f(v69, v71, v73, v75), fma(x1_3, vec4f(v68, v70, v72, v74), fma(x1_2, vec4f(v67, v69, v71, v73), fma(x1_1, vec4f(v66, v68, v70, v72), fma(x1_0, vec4f(v65, v67, v69, v71), c1_7)))));
    c2_0 = fma(x2_4, vec4f(v4, v6, v8, v10), fma(x2_3, vec4f(v3, v5, v7, v9), fma(x2_2, vec4f(v2, v4, v6, v8), fma(x2_1, vec4f(v1, v3, v5, v7), fma(x2_0, vec4f(v0, v2, v4, v6), c2_0))))); c2_1 = fma(x2_4, vec4f(v12, v14, v16, v18), fma(x2_3, vec4f(v11, v13, v15, v17), fma(x2_2, vec4f(v10, v12, v14, v16), fma(x2_1, vec4f(v9, v11, v13, v15), fma(x2_0, vec4f(v8, v10, v12, v14), c2_1))))); c2_2 = fma(x2_4, vec4f(v23, v25, v27, v29), fma(x2_3, vec4f(v22, v24, v26, v28), fma(x2_2, vec4f(v21, v23, v25, v27), fma(x2_1, vec4f(v20, v22, v24, v26), fma(x2_0, vec4f(v19, v21, v23, v25), c2_2))))); c2_3 = fma(x2_4, vec4f(v31, v33, v35, v37), fma(x2_3, vec4f(v30, v32, v34, v36), fma(x2_2, vec4f(v29, v31, v33, v35), fma(x2_1, vec4f(v28, v30, v32, v34), fma(x2_0, vec4f(v27, v29, v31, v33), c2_3))))); c2_4 = fma(x2_4, vec4f(v42, v44, v46, v48), fma(x2_3, vec4f(v41, v43, v45, v47), fma(x2_2, vec4f(v40, v42, v44, v46), fma(x2_1, vec4f(v39, v41, v43, v45), fma(x2_0, vec4f(v38, v40, v42, v44), c2_4))))); c2_5 = fma(x2_4, vec4f(v50, v52, v54, v56), fma(x2_3, vec4f(v49, v51, v53, v55), fma(x2_2, vec4f(v48, v50, v52, v54), fma(x2_1, vec4f(v47, v49, v51, v53), fma(x2_0, vec4f(v46, v48, v50, v52), c2_5))))); c2_6 = fma(x2_4, vec4f(v61, v63, v65, v67), fma(x2_3, vec4f(v60, v62, v64, v66), fma(x2_2, vec4f(v59, v61, v63, v65), fma(x2_1, vec4f(v58, v60, v62, v64), fma(x2_0, vec4f(v57, v59, v61, v63), c2_6))))); c2_7 = fma(x2_4, vec4f(v69, v71, v73, v75), fma(x2_3, vec4f(v68, v70, v72, v74), fma(x2_2, vec4f(v67, v69, v71, v73), fma(x2_1, vec4f(v66, v68, v70, v72), fma(x2_0, vec4f(v65, v67, v69, v71), c2_7)))));
    c3_0 = fma(x3_4, vec4f(v4, v6, v8, v10), fma(x3_3, vec4f(v3, v5, v7, v9), fma(x3_2, vec4f(v2, v4, v6, v8), fma(x3_1, vec4f(v1, v3, v5, v7), fma(x3_0, vec4f(v0, v2, v4, v6), c3_0))))); c3_1 = fma(x3_4, vec4f(v12, v14, v16, v18), fma(x3_3, vec4f(v11, v13, v15, v17), fma(x3_2, vec4f(v10, v12, v14, v16), fma(x3_1, vec4f(v9, v11, v13, v15), fma(x3_0, vec4f(v8, v10, v12, v14), c3_1))))); c3_2 = fma(x3_4, vec4f(v23, v25, v27, v29), fma(x3_3, vec4f(v22, v24, v26, v28), fma(x3_2, vec4f(v21, v23, v25, v27), fma(x3_1, vec4f(v20, v22, v24, v26), fma(x3_0, vec4f(v19, v21, v23, v25), c3_2))))); c3_3 = fma(x3_4, vec4f(v31, v33, v35, v37), fma(x3_3, vec4f(v30, v32, v34, v36), fma(x3_2, vec4f(v29, v31, v33, v35), fma(x3_1, vec4f(v28, v30, v32, v34), fma(x3_0, vec4f(v27, v29, v31, v33), c3_3))))); c3_4 = fma(x3_4, vec4f(v42, v44, v46, v48), fma(x3_3, vec4f(v41, v43, v45, v47), fma(x3_2, vec4f(v40, v42, v44, v46), fma(x3_1, vec4f(v39, v41, v43, v45), fma(x3_0, vec4f(v38, v40, v42, v44), c3_4))))); c3_5 = fma(x3_4, vec4f(v50, v52, v54, v56), fma(x3_3, vec4f(v49, v51, v53, v55), fma(x3_2, vec4f(v48, v50, v52, v54), fma(x3_1, vec4f(v47, v49, v51, v53), fma(x3_0, vec4f(v46, v48, v50, v52), c3_5))))); c3_6 = fma(x3_4, vec4f(v61, v63, v65, v67), fma(x3_3, vec4f(v60, v62, v64, v66), fma(x3_2, vec4f(v59, v61, v63, v65), fma(x3_1, vec4f(v58, v60, v62, v64), fma(x3_0, vec4f(v57, v59, v61, v63), c3_6))))); c3_7 = fma(x3_4, vec4f(v69, v71, v73, v75), fma(x3_3, vec4f(v68, v70, v72, v74), fma(x3_2, vec4f(v67, v69, v71, v73), fma(x3_1, vec4f(v66, v68, v70, v72), fma(x3_0, vec4f(v65, v67, v69, v71), c3_7)))));
    t1++;
    let wrap1 = t1 == u.k1;
    t1 = select(t1, 0, wrap1);
    ka += u.a_k1 + select(0, u.a_k0 - u.k1 * u.a_k1, wrap1);
    ty = select(ty + u.yk, 0, wrap1);
    kb += select(0, u.b_k0, wrap1);
  }
  let out_row0 = u.c_base + ((4 * tile + 0) / u.n1) * u.c_n0 + ((4 * tile + 0) % u.n1) * u.c_n1;
  let live0 = 4 * tile + 0 < rows;
  let out_row1 = u.c_base + ((4 * tile + 1) / u.n1) * u.c_n0 + ((4 * tile + 1) % u.n1) * u.c_n1;
  let live1 = 4 * tile + 1 < rows;
  let out_row2 = u.c_base + ((4 * tile + 2) / u.n1) * u.c_n0 + ((4 * tile + 2) % u.n1) * u.c_n1;
  let live2 = 4 * tile + 2 < rows;
  let out_row3 = u.c_base + ((4 * tile + 3) / u.n1) * u.c_n0 + ((4 * tile + 3) % u.n1) * u.c_n1;
  let live3 = 4 * tile + 3 < rows;
  let m0 = row0 + 0;
  if (m0 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m0]; }
    let out = 0 + m0 * u.c_m;
    if (live0 && 0 < u.n2) { c[out_row0 + out + 0 * u.c_n2] = activate(c0_0[0] + add); }
    if (live0 && 1 < u.n2) { c[out_row0 + out + 1 * u.c_n2] = activate(c0_0[1] + add); }
    if (live0 && 2 < u.n2) { c[out_row0 + out + 2 * u.c_n2] = activate(c0_0[2] + add); }
    if (live0 && 3 < u.n2) { c[out_row0 + out + 3 * u.c_n2] = activate(c0_0[3] + add); }
    if (live0 && 4 < u.n2) { c[out_row0 + out + 4 * u.c_n2] = activate(c0_1[0] + add); }
    if (live0 && 5 < u.n2) { c[out_row0 + out + 5 * u.c_n2] = activate(c0_1[1] + add); }
    if (live0 && 6 < u.n2) { c[out_row0 + out + 6 * u.c_n2] = activate(c0_1[2] + add); }
    if (live0 && 7 < u.n2) { c[out_row0 + out + 7 * u.c_n2] = activate(c0_1[3] + add); }
    if (live1 && 0 < u.n2) { c[out_row1 + out + 0 * u.c_n2] = activate(c0_2[0] + add); }
    if (live1 && 1 < u.n2) { c[out_row1 + out + 1 * u.c_n2] = activate(c0_2[1] + add); }
    if (live1 && 2 < u.n2) { c[out_row1 + out + 2 * u.c_n2] = activate(c0_2[2] + add); }
    if (live1 && 3 < u.n2) { c[out_row1 + out + 3 * u.c_n2] = activate(c0_2[3] + add); }
    if (live1 && 4 < u.n2) { c[out_row1 + out + 4 * u.c_n2] = activate(c0_3[0] + add); }
    if (live1 && 5 < u.n2) { c[out_row1 + out + 5 * u.c_n2] = activate(c0_3[1] + add); }
    if (live1 && 6 < u.n2) { c[out_row1 + out + 6 * u.c_n2] = activate(c0_3[2] + add); }
    if (live1 && 7 < u.n2) { c[out_row1 + out + 7 * u.c_n2] = activate(c0_3[3] + add); }
    if (live2 && 0 < u.n2) { c[out_row2 + out + 0 * u.c_n2] = activate(c0_4[0] + add); }
    if (live2 && 1 < u.n2) { c[out_row2 + out + 1 * u.c_n2] = activate(c0_4[1] + add); }
    if (live2 && 2 < u.n2) { c[out_row2 + out + 2 * u.c_n2] = activate(c0_4[2] + add); }
    if (live2 && 3 < u.n2) { c[out_row2 + out + 3 * u.c_n2] = activate(c0_4[3] + add); }
    if (live2 && 4 < u.n2) { c[out_row2 + out + 4 * u.c_n2] = activate(c0_5[0] + add); }
    if (live2 && 5 < u.n2) { c[out_row2 + out + 5 * u.c_n2] = activate(c0_5[1] + add); }
    if (live2 && 6 < u.n2) { c[out_row2 + out + 6 * u.c_n2] = activate(c0_5[2] + add); }
    if (live2 && 7 < u.n2) { c[out_row2 + out + 7 * u.c_n2] = activate(c0_5[3] + add); }
    if (live3 && 0 < u.n2) { c[out_row3 + out + 0 * u.c_n2] = activate(c0_6[0] + add); }
    if (live3 && 1 < u.n2) { c[out_row3 + out + 1 * u.c_n2] = activate(c0_6[1] + add); }
    if (live3 && 2 < u.n2) { c[out_row3 + out + 2 * u.c_n2] = activate(c0_6[2] + add); }
    if (live3 && 3 < u.n2) { c[out_row3 + out + 3 * u.c_n2] = activate(c0_6[3] + add); }
    if (live3 && 4 < u.n2) { c[out_row3 + out + 4 * u.c_n2] = activate(c0_7[0] + add); }
    if (live3 && 5 < u.n2) { c[out_row3 + out + 5 * u.c_n2] = activate(c0_7[1] + add); }
    if (live3 && 6 < u.n2) { c[out_row3 + out + 6 * u.c_n2] = activate(c0_7[2] + add); }
    if (live3 && 7 < u.n2) { c[out_row3 + out + 7 * u.c_n2] = activate(c0_7[3] + add); }
  }
  let m1 = row0 + 8;
  if (m1 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m1]; }
    let out = 0 + m1 * u.c_m;
    if (live0 && 0 < u.n2) { c[out_row0 + out + 0 * u.c_n2] = activate(c1_0[0] + add); }
    if (live0 && 1 < u.n2) { c[out_row0 + out + 1 * u.c_n2] = activate(c1_0[1] + add); }
    if (live0 && 2 < u.n2) { c[out_row0 + out + 2 * u.c_n2] = activate(c1_0[2] + add); }
    if (live0 && 3 < u.n2) { c[out_row0 + out + 3 * u.c_n2] = activate(c1_0[3] + add); }
    if (live0 && 4 < u.n2) { c[out_row0 + out + 4 * u.c_n2] = activate(c1_1[0] + add); }
    if (live0 && 5 < u.n2) { c[out_row0 + out + 5 * u.c_n2] = activate(c1_1[1] + add); }
    if (live0 && 6 < u.n2) { c[out_row0 + out + 6 * u.c_n2] = activate(c1_1[2] + add); }
    if (live0 && 7 < u.n2) { c[out_row0 + out + 7 * u.c_n2] = activate(c1_1[3] + add); }
    if (live1 && 0 < u.n2) { c[out_row1 + out + 0 * u.c_n2] = activate(c1_2[0] + add); }
    if (live1 && 1 < u.n2) { c[out_row1 + out + 1 * u.c_n2] = activate(c1_2[1] + add); }
    if (live1 && 2 < u.n2) { c[out_row1 + out + 2 * u.c_n2] = activate(c1_2[2] + add); }
    if (live1 && 3 < u.n2) { c[out_row1 + out + 3 * u.c_n2] = activate(c1_2[3] + add); }
    if (live1 && 4 < u.n2) { c[out_row1 + out + 4 * u.c_n2] = activate(c1_3[0] + add); }
    if (live1 && 5 < u.n2) { c[out_row1 + out + 5 * u.c_n2] = activate(c1_3[1] + add); }
    if (live1 && 6 < u.n2) { c[out_row1 + out + 6 * u.c_n2] = activate(c1_3[2] + add); }
    if (live1 && 7 < u.n2) { c[out_row1 + out + 7 * u.c_n2] = activate(c1_3[3] + add); }
    if (live2 && 0 < u.n2) { c[out_row2 + out + 0 * u.c_n2] = activate(c1_4[0] + add); }
    if (live2 && 1 < u.n2) { c[out_row2 + out + 1 * u.c_n2] = activate(c1_4[1] + add); }
    if (live2 && 2 < u.n2) { c[out_row2 + out + 2 * u.c_n2] = activate(c1_4[2] + add); }
    if (live2 && 3 < u.n2) { c[out_row2 + out + 3 * u.c_n2] = activate(c1_4[3] + add); }
    if (live2 && 4 < u.n2) { c[out_row2 + out + 4 * u.c_n2] = activate(c1_5[0] + add); }
    if (live2 && 5 < u.n2) { c[out_row2 + out + 5 * u.c_n2] = activate(c1_5[1] + add); }
    if (live2 && 6 < u.n2) { c[out_row2 + out + 6 * u.c_n2] = activate(c1_5[2] + add); }
    if (live2 && 7 < u.n2) { c[out_row2 + out + 7 * u.c_n2] = activate(c1_5[3] + add); }
    if (live3 && 0 < u.n2) { c[out_row3 + out + 0 * u.c_n2] = activate(c1_6[0] + add); }
    if (live3 && 1 < u.n2) { c[out_row3 + out + 1 * u.c_n2] = activate(c1_6[1] + add); }
    if (live3 && 2 < u.n2) { c[out_row3 + out + 2 * u.c_n2] = activate(c1_6[2] + add); }
    if (live3 && 3 < u.n2) { c[out_row3 + out + 3 * u.c_n2] = activate(c1_6[3] + add); }
    if (live3 && 4 < u.n2) { c[out_row3 + out + 4 * u.c_n2] = activate(c1_7[0] + add); }
    if (live3 && 5 < u.n2) { c[out_row3 + out + 5 * u.c_n2] = activate(c1_7[1] + add); }
    if (live3 && 6 < u.n2) { c[out_row3 + out + 6 * u.c_n2] = activate(c1_7[2] + add); }
    if (live3 && 7 < u.n2) { c[out_row3 + out + 7 * u.c_n2] = activate(c1_7[3] + add); }
  }
  let m2 = row0 + 16;
  if (m2 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m2]; }
    let out = 0 + m2 * u.c_m;
    if (live0 && 0 < u.n2) { c[out_row0 + out + 0 * u.c_n2] = activate(c2_0[0] + add); }
    if (live0 && 1 < u.n2) { c[out_row0 + out + 1 * u.c_n2] = activate(c2_0[1] + add); }
    if (live0 && 2 < u.n2) { c[out_row0 + out + 2 * u.c_n2] = activate(c2_0[2] + add); }
    if (live0 && 3 < u.n2) { c[out_row0 + out + 3 * u.c_n2] = activate(c2_0[3] + add); }
    if (live0 && 4 < u.n2) { c[out_row0 + out + 4 * u.c_n2] = activate(c2_1[0] + add); }
    if (live0 && 5 < u.n2) { c[out_row0 + out + 5 * u.c_n2] = activate(c2_1[1] + add); }
    if (live0 && 6 < u.n2) { c[out_row0 + out + 6 * u.c_n2] = activate(c2_1[2] + add); }
    if (live0 && 7 < u.n2) { c[out_row0 + out + 7 * u.c_n2] = activate(c2_1[3] + add); }
    if (live1 && 0 < u.n2) { c[out_row1 + out + 0 * u.c_n2] = activate(c2_2[0] + add); }
    if (live1 && 1 < u.n2) { c[out_row1 + out + 1 * u.c_n2] = activate(c2_2[1] + add); }
    if (live1 && 2 < u.n2) { c[out_row1 + out + 2 * u.c_n2] = activate(c2_2[2] + add); }
    if (live1 && 3 < u.n2) { c[out_row1 + out + 3 * u.c_n2] = activate(c2_2[3] + add); }
    if (live1 && 4 < u.n2) { c[out_row1 + out + 4 * u.c_n2] = activate(c2_3[0] + add); }
    if (live1 && 5 < u.n2) { c[out_row1 + out + 5 * u.c_n2] = activate(c2_3[1] + add); }
    if (live1 && 6 < u.n2) { c[out_row1 + out + 6 * u.c_n2] = activate(c2_3[2] + add); }
    if (live1 && 7 < u.n2) { c[out_row1 + out + 7 * u.c_n2] = activate(c2_3[3] + add); }
    if (live2 && 0 < u.n2) { c[out_row2 + out + 0 * u.c_n2] = activate(c2_4[0] + add); }
    if (live2 && 1 < u.n2) { c[out_row2 + out + 1 * u.c_n2] = activate(c2_4[1] + add); }
    if (live2 && 2 < u.n2) { c[out_row2 + out + 2 * u.c_n2] = activate(c2_4[2] + add); }
    if (live2 && 3 < u.n2) { c[out_row2 + out + 3 * u.c_n2] = activate(c2_4[3] + add); }
    if (live2 && 4 < u.n2) { c[out_row2 + out + 4 * u.c_n2] = activate(c2_5[0] + add); }
    if (live2 && 5 < u.n2) { c[out_row2 + out + 5 * u.c_n2] = activate(c2_5[1] + add); }
    if (live2 && 6 < u.n2) { c[out_row2 + out + 6 * u.c_n2] = activate(c2_5[2] + add); }
    if (live2 && 7 < u.n2) { c[out_row2 + out + 7 * u.c_n2] = activate(c2_5[3] + add); }
    if (live3 && 0 < u.n2) { c[out_row3 + out + 0 * u.c_n2] = activate(c2_6[0] + add); }
    if (live3 && 1 < u.n2) { c[out_row3 + out + 1 * u.c_n2] = activate(c2_6[1] + add); }
    if (live3 && 2 < u.n2) { c[out_row3 + out + 2 * u.c_n2] = activate(c2_6[2] + add); }
    if (live3 && 3 < u.n2) { c[out_row3 + out + 3 * u.c_n2] = activate(c2_6[3] + add); }
    if (live3 && 4 < u.n2) { c[out_row3 + out + 4 * u.c_n2] = activate(c2_7[0] + add); }
    if (live3 && 5 < u.n2) { c[out_row3 + out + 5 * u.c_n2] = activate(c2_7[1] + add); }
    if (live3 && 6 < u.n2) { c[out_row3 + out + 6 * u.c_n2] = activate(c2_7[2] + add); }
    if (live3 && 7 < u.n2) { c[out_row3 + out + 7 * u.c_n2] = activate(c2_7[3] + add); }
  }
  let m3 = row0 + 24;
  if (m3 < u.m) {
    var add = 0.0;
    if (HAS_BIAS) { add = bias[m3]; }
    let out = 0 + m3 * u.c_m;
    if (live0 && 0 < u.n2) { c[out_row0 + out + 0 * u.c_n2] = activate(c3_0[0] + add); }
    if (live0 && 1 < u.n2) { c[out_row0 + out + 1 * u.c_n2] = activate(c3_0[1] + add); }
    if (live0 && 2 < u.n2) { c[out_row0 + out + 2 * u.c_n2] = activate(c3_0[2] + add); }
    if (live0 && 3 < u.n2) { c[out_row0 + out + 3 * u.c_n2] = activate(c3_0[3] + add); }
    if (live0 && 4 < u.n2) { c[out_row0 + out + 4 * u.c_n2] = activate(c3_1[0] + add); }
    if (live0 && 5 < u.n2) { c[out_row0 + out + 5 * u.c_n2] = activate(c3_1[1] + add); }
    if (live0 && 6 < u.n2) { c[out_row0 + out + 6 * u.c_n2] = activate(c3_1[2] + add); }
    if (live0 && 7 < u.n2) { c[out_row0 + out + 7 * u.c_n2] = activate(c3_1[3] + add); }
    if (live1 && 0 < u.n2) { c[out_row1 + out + 0 * u.c_n2] = activate(c3_2[0] + add); }
    if (live1 && 1 < u.n2) { c[out_row1 + out + 1 * u.c_n2] = activate(c3_2[1] + add); }
    if (live1 && 2 < u.n2) { c[out_row1 + out + 2 * u.c_n2] = activate(c3_2[2] + add); }
    if (live1 && 3 < u.n2) { c[out_row1 + out + 3 * u.c_n2] = activate(c3_2[3] + add); }
    if (live1 && 4 < u.n2) { c[out_row1 + out + 4 * u.c_n2] = activate(c3_3[0] + add); }
    if (live1 && 5 < u.n2) { c[out_row1 + out + 5 * u.c_n2] = activate(c3_3[1] + add); }
    if (live1 && 6 < u.n2) { c[out_row1 + out + 6 * u.c_n2] = activate(c3_3[2] + add); }
    if (live1 && 7 < u.n2) { c[out_row1 + out + 7 * u.c_n2] = activate(c3_3[3] + add); }
    if (live2 && 0 < u.n2) { c[out_row2 + out + 0 * u.c_n2] = activate(c3_4[0] + add); }
    if (live2 && 1 < u.n2) { c[out_row2 + out + 1 * u.c_n2] = activate(c3_4[1] + add); }
    if (live2 && 2 < u.n2) { c[out_row2 + out + 2 * u.c_n2] = activate(c3_4[2] + add); }
    if (live2 && 3 < u.n2) { c[out_row2 + out + 3 * u.c_n2] = activate(c3_4[3] + add); }
    if (live2 && 4 < u.n2) { c[out_row2 + out + 4 * u.c_n2] = activate(c3_5[0] + add); }
    if (live2 && 5 < u.n2) { c[out_row2 + out + 5 * u.c_n2] = activate(c3_5[1] + add); }
    if (live2 && 6 < u.n2) { c[out_row2 + out + 6 * u.c_n2] = activate(c3_5[2] + add); }
    if (live2 && 7 < u.n2) { c[out_row2 + out + 7 * u.c_n2] = activate(c3_5[3] + add); }
    if (live3 && 0 < u.n2) { c[out_row3 + out + 0 * u.c_n2] = activate(c3_6[0] + add); }
    if (live3 && 1 < u.n2) { c[out_row3 + out + 1 * u.c_n2] = activate(c3_6[1] + add); }
    if (live3 && 2 < u.n2) { c[out_row3 + out + 2 * u.c_n2] = activate(c3_6[2] + add); }
    if (live3 && 3 < u.n2) { c[out_row3 + out + 3 * u.c_n2] = activate(c3_6[3] + add); }
    if (live3 && 4 < u.n2) { c[out_row3 + out + 4 * u.c_n2] = activate(c3_7[0] + add); }
    if (live3 && 5 < u.n2) { c[out_row3 + out + 5 * u.c_n2] = activate(c3_7[1] + add); }
    if (live3 && 6 < u.n2) { c[out_row3 + out + 6 * u.c_n2] = activate(c3_7[2] + add); }
    if (live3 && 7 < u.n2) { c[out_row3 + out + 7 * u.c_n2] = activate(c3_7[3] + add); }
  }
}
