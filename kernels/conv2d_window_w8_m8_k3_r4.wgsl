// conv2d_window_w8_m8_k3_r4.wgsl: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM), for K = 3 taps along x one pixel apart and output columns one pixel
// apart. Generated (W 8, TM 1, TN 32, K 3, D 1, S 1, R 4) by
// tools/gen-kernels/gen_conv_window.py (run `npm run gen:kernels`, do not edit).
// The contract is conv2d_lanes_w8_m8.wgsl's (the same Params, bindings, math and
// epilogue; src/autograd/ops/conv-lanes.ts maps each convolution onto it), restricted to
// k2 = 3, xn = 1 and xk = 1: the column n2 moves one pixel along x and the tap k2 1,
// so B[(k0, k1, t), (n0, n1, j)] is the window pixel j + t of the image row that
// (n0, n1, k0, k1) selects. A tile is the columns n2 < 8 of 4 consecutive (n0, n1) rows (n2 <= 8),
// and per (k0, k1) each lane gathers 5 pixels of the rows' 4 windows of 10 pixels each
// (window pixel p of row i is pixel 10 i + p, gathered by lane (10 i + p) % 8),
// the lanes share them with subgroupBroadcast, and lane l's rows l + 8 r (r < 1) take
// 3 FMAs per column from the shifted window. Columns past the row's end are computed
// and not stored; rows past M are not stored.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (read; any buffer when
// HAS_BIAS is false), 4 c (write).
// Dispatch: (x, ceil(M / 8), z) workgroups of 8 with x z >= ceil(N / n2 / 4); tile
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
  let row0 = i32(wg.y * 8u + lane);
  let a0 = u.a_base + min(row0 + 0, u.m - 1) * u.a_m;
  // Lane l gathers the pixels p = l + 8 g: pixel p % 10 of the window of tile row p / 10,
  // which starts at image column x0 of the image rows cy + ty; slots past the last row stay 0.
  let p0 = i32(lane) + 0;
  let r0 = 4 * tile + p0 / 10;
  let cy0 = u.y0 + (r0 % u.n1) * u.yn;
  let b0 = u.b_base + (r0 / u.n1) * u.b_n0 + cy0 * u.w + u.x0 + p0 % 10;
  let inside0 = p0 < 40 && r0 < rows && u32(u.x0 + p0 % 10) < u32(u.w);
  let p1 = i32(lane) + 8;
  let r1 = 4 * tile + p1 / 10;
  let cy1 = u.y0 + (r1 % u.n1) * u.yn;
  let b1 = u.b_base + (r1 / u.n1) * u.b_n0 + cy1 * u.w + u.x0 + p1 % 10;
  let inside1 = p1 < 40 && r1 < rows && u32(u.x0 + p1 % 10) < u32(u.w);
  let p2 = i32(lane) + 16;
  let r2 = 4 * tile + p2 / 10;
  let cy2 = u.y0 + (r2 % u.n1) * u.yn;
  let b2 = u.b_base + (r2 / u.n1) * u.b_n0 + cy2 * u.w + u.x0 + p2 % 10;
  let inside2 = p2 < 40 && r2 < rows && u32(u.x0 + p2 % 10) < u32(u.w);
  let p3 = i32(lane) + 24;
  let r3 = 4 * tile + p3 / 10;
  let cy3 = u.y0 + (r3 % u.n1) * u.yn;
  let b3 = u.b_base + (r3 / u.n1) * u.b_n0 + cy3 * u.w + u.x0 + p3 % 10;
  let inside3 = p3 < 40 && r3 < rows && u32(u.x0 + p3 % 10) < u32(u.w);
  let p4 = i32(lane) + 32;
  let r4 = 4 * tile + p4 / 10;
  let cy4 = u.y0 + (r4 % u.n1) * u.yn;
  let b4 = u.b_base + (r4 / u.n1) * u.b_n0 + cy4 * u.w + u.x0 + p4 % 10;
  let inside4 = p4 < 40 && r4 < rows && u32(u.x0 + p4 % 10) < u32(u.w);
  // Row row0 + 8 r, tile columns 4 q .. 4 q + 3 live in c{r}_{q}.
  var c0_0 = vec4f(); var c0_1 = vec4f(); var c0_2 = vec4f(); var c0_3 = vec4f(); var c0_4 = vec4f(); var c0_5 = vec4f(); var c0_6 = vec4f(); var c0_7 = vec4f();
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
    let at0 = ka + 0 * u.a_k2;
    let x0_0 = vec4f(a[a0 + at0]);
    let at1 = ka + 1 * u.a_k2;
    let x0_1 = vec4f(a[a0 + at1]);
    let at2 = ka + 2 * u.a_k2;
    let x0_2 = vec4f(a[a0 + at2]);
    c0_0 = fma(x0_2, vec4f(v2, v3, v4, v5), fma(x0_1, vec4f(v1, v2, v3, v4), fma(x0_0, vec4f(v0, v1, v2, v3), c0_0))); c0_1 = fma(x0_2, vec4f(v6, v7, v8, v9), fma(x0_1, vec4f(v5, v6, v7, v8), fma(x0_0, vec4f(v4, v5, v6, v7), c0_1))); c0_2 = fma(x0_2, vec4f(v12, v13, v14, v15), fma(x0_1, vec4f(v11, v12, v13, v14), fma(x0_0, vec4f(v10, v11, v12, v13), c0_2))); c0_3 = fma(x0_2, vec4f(v16, v17, v18, v19), fma(x0_1, vec4f(v15, v16, v17, v18), fma(x0_0, vec4f(v14, v15, v16, v17), c0_3))); c0_4 = fma(x0_2, vec4f(v22, v23, v24, v25), fma(x0_1, vec4f(v21, v22, v23, v24), fma(x0_0, vec4f(v20, v21, v22, v23), c0_4))); c0_5 = fma(x0_2, vec4f(v26, v27, v28, v29), fma(x0_1, vec4f(v25, v26, v27, v28), fma(x0_0, vec4f(v24, v25, v26, v27), c0_5))); c0_6 = fma(x0_2, vec4f(v32, v33, v34, v35), fma(x0_1, vec4f(v31, v32, v33, v34), fma(x0_0, vec4f(v30, v31, v32, v33), c0_6))); c0_7 = fma(x0_2, vec4f(v36, v37, v38, v39), fma(x0_1, vec4f(v35, v36, v37, v38), fma(x0_0, vec4f(v34, v35, v36, v37), c0_7)));
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
}
