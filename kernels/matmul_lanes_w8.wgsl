// matmul_lanes_w8.wgsl: C[b, i, j] = sum_k A[b, i, k] * B[b, k, j], built for CPU
// adapters, where a workgroup of 8 invocations is one subgroup (8 lanes of one vector).
// It needs the subgroups feature and subgroups of exactly 8 lanes (the launcher checks the
// adapter; src/autograd/ops/lanes.ts). Generated (W 8, TM 4, TN 32) by
// tools/gen-kernels/gen_matmul_lanes.py: run `npm run gen:kernels`, do not edit.
//
// Why this shape (measured with the bench on lavapipe at width 8): on
// llvmpipe every storage load costs tens of cycles, whether its index differs between
// lanes (a gather, 8 values) or not (a broadcast load, 1 value); FMAs and subgroup
// broadcasts stay in registers. So per k the workgroup gathers each value it needs once:
// - lane l owns rows row0 + l + 8 r (r < 4) of a 32 x 32 tile: 4 gathers of A;
// - the tile's 32 B values are gathered 4 per lane (columns l + 8 g), then
//   subgroupBroadcast hands each one to every lane;
// then every lane does 128 FMAs. That is 8 gathers per 1024 FMAs in the
// vector. At width 8, making B uniform loads instead (1 value per load) was slower, and so
// were 2 x 16 tiles; 8 x 32 tiles were not faster but took 6 s to compile. The limit is
// then the FMAs and the accumulators spilled to the stack (128 scalars per lane).
// Every load is a scalar through the strides, so transposed operands cost nothing extra.
// On a GPU a workgroup of one subgroup leaves the workgroup memory unused:
// kernels/matmul_tiled.wgsl is the GPU default unless tuning measures otherwise (see
// src/autograd/ops/matmul.ts).
//
// Strided operands: A[b, i, k] = a[b * a_batch + i * a_row + k * a_col], B[b, k, j] =
// b[b * b_batch + k * b_row + j * b_col]; batch stride 0 broadcasts. C is dense [batch, m, n].
// Edges: row and column indices are clamped for loads (no branch in the k loop) and only
// the stores inside C happen.
// Bindings: 0 uniform Params, 1 a (read), 2 b (read), 3 c (write).
// Dispatch: workgroups (ceil(n / 32), ceil(m / 32), batch) of 8 invocations.
enable subgroups;

struct Params {
  m: u32, n: u32, k: u32, batch: u32,
  a_batch: u32, a_row: u32, a_col: u32,
  b_batch: u32, b_row: u32, b_col: u32,
}

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(8)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {
  let row0 = wg.y * 32u + lane;
  let col0 = wg.x * 32u;
  let a0 = wg.z * u.a_batch + min(row0 + 0u, u.m - 1u) * u.a_row;
  let a1 = wg.z * u.a_batch + min(row0 + 8u, u.m - 1u) * u.a_row;
  let a2 = wg.z * u.a_batch + min(row0 + 16u, u.m - 1u) * u.a_row;
  let a3 = wg.z * u.a_batch + min(row0 + 24u, u.m - 1u) * u.a_row;
  let b0 = wg.z * u.b_batch + min(col0 + lane + 0u, u.n - 1u) * u.b_col;
  let b1 = wg.z * u.b_batch + min(col0 + lane + 8u, u.n - 1u) * u.b_col;
  let b2 = wg.z * u.b_batch + min(col0 + lane + 16u, u.n - 1u) * u.b_col;
  let b3 = wg.z * u.b_batch + min(col0 + lane + 24u, u.n - 1u) * u.b_col;
  // Row row0 + 8 r, tile columns 4 q .. 4 q + 3 live in c{r}_{q}.
  var c0_0 = vec4f(); var c0_1 = vec4f(); var c0_2 = vec4f(); var c0_3 = vec4f(); var c0_4 = vec4f(); var c0_5 = vec4f(); var c0_6 = vec4f(); var c0_7 = vec4f();
  var c1_0 = vec4f(); var c1_1 = vec4f(); var c1_2 = vec4f(); var c1_3 = vec4f(); var c1_4 = vec4f(); var c1_5 = vec4f(); var c1_6 = vec4f(); var c1_7 = vec4f();
  var c2_0 = vec4f(); var c2_1 = vec4f(); var c2_2 = vec4f(); var c2_3 = vec4f(); var c2_4 = vec4f(); var c2_5 = vec4f(); var c2_6 = vec4f(); var c2_7 = vec4f();
  var c3_0 = vec4f(); var c3_1 = vec4f(); var c3_2 = vec4f(); var c3_3 = vec4f(); var c3_4 = vec4f(); var c3_5 = vec4f(); var c3_6 = vec4f(); var c3_7 = vec4f();
  for (var k = 0u; k < u.k; k++) {
    let x0 = vec4f(a[a0 + k * u.a_col]);
    let x1 = vec4f(a[a1 + k * u.a_col]);
    let x2 = vec4f(a[a2 + k * u.a_col]);
    let x3 = vec4f(a[a3 + k * u.a_col]);
    let kb = k * u.b_row;
    let g0 = b[b0 + kb];
    let g1 = b[b1 + kb];
    let g2 = b[b2 + kb];
    let g3 = b[b3 + kb];
    // Tile column x was gathered by lane x % 8 into g(x / 8).
    let y0 = vec4f(subgroupBroadcast(g0, 0u), subgroupBroadcast(g0, 1u), subgroupBroadcast(g0, 2u), subgroupBroadcast(g0, 3u));
    let y1 = vec4f(subgroupBroadcast(g0, 4u), subgroupBroadcast(g0, 5u), subgroupBroadcast(g0, 6u), subgroupBroadcast(g0, 7u));
    let y2 = vec4f(subgroupBroadcast(g1, 0u), subgroupBroadcast(g1, 1u), subgroupBroadcast(g1, 2u), subgroupBroadcast(g1, 3u));
    let y3 = vec4f(subgroupBroadcast(g1, 4u), subgroupBroadcast(g1, 5u), subgroupBroadcast(g1, 6u), subgroupBroadcast(g1, 7u));
    let y4 = vec4f(subgroupBroadcast(g2, 0u), subgroupBroadcast(g2, 1u), subgroupBroadcast(g2, 2u), subgroupBroadcast(g2, 3u));
    let y5 = vec4f(subgroupBroadcast(g2, 4u), subgroupBroadcast(g2, 5u), subgroupBroadcast(g2, 6u), subgroupBroadcast(g2, 7u));
    let y6 = vec4f(subgroupBroadcast(g3, 0u), subgroupBroadcast(g3, 1u), subgroupBroadcast(g3, 2u), subgroupBroadcast(g3, 3u));
    let y7 = vec4f(subgroupBroadcast(g3, 4u), subgroupBroadcast(g3, 5u), subgroupBroadcast(g3, 6u), subgroupBroadcast(g3, 7u));
    c0_0 = fma(x0, y0, c0_0); c0_1 = fma(x0, y1, c0_1); c0_2 = fma(x0, y2, c0_2); c0_3 = fma(x0, y3, c0_3); c0_4 = fma(x0, y4, c0_4); c0_5 = fma(x0, y5, c0_5); c0_6 = fma(x0, y6, c0_6); c0_7 = fma(x0, y7, c0_7);
    c1_0 = fma(x1, y0, c1_0); c1_1 = fma(x1, y1, c1_1); c1_2 = fma(x1, y2, c1_2); c1_3 = fma(x1, y3, c1_3); c1_4 = fma(x1, y4, c1_4); c1_5 = fma(x1, y5, c1_5); c1_6 = fma(x1, y6, c1_6); c1_7 = fma(x1, y7, c1_7);
    c2_0 = fma(x2, y0, c2_0); c2_1 = fma(x2, y1, c2_1); c2_2 = fma(x2, y2, c2_2); c2_3 = fma(x2, y3, c2_3); c2_4 = fma(x2, y4, c2_4); c2_5 = fma(x2, y5, c2_5); c2_6 = fma(x2, y6, c2_6); c2_7 = fma(x2, y7, c2_7);
    c3_0 = fma(x3, y0, c3_0); c3_1 = fma(x3, y1, c3_1); c3_2 = fma(x3, y2, c3_2); c3_3 = fma(x3, y3, c3_3); c3_4 = fma(x3, y4, c3_4); c3_5 = fma(x3, y5, c3_5); c3_6 = fma(x3, y6, c3_6); c3_7 = fma(x3, y7, c3_7);
  }
  let cols = min(u.n - col0, 32u);
  let i0 = row0 + 0u;
  if (i0 < u.m) {
    let row = array<vec4f, 8>(c0_0, c0_1, c0_2, c0_3, c0_4, c0_5, c0_6, c0_7);
    let out = (wg.z * u.m + i0) * u.n + col0;
    for (var x = 0u; x < cols; x++) { c[out + x] = row[x / 4u][x % 4u]; }
  }
  let i1 = row0 + 8u;
  if (i1 < u.m) {
    let row = array<vec4f, 8>(c1_0, c1_1, c1_2, c1_3, c1_4, c1_5, c1_6, c1_7);
    let out = (wg.z * u.m + i1) * u.n + col0;
    for (var x = 0u; x < cols; x++) { c[out + x] = row[x / 4u][x % 4u]; }
  }
  let i2 = row0 + 16u;
  if (i2 < u.m) {
    let row = array<vec4f, 8>(c2_0, c2_1, c2_2, c2_3, c2_4, c2_5, c2_6, c2_7);
    let out = (wg.z * u.m + i2) * u.n + col0;
    for (var x = 0u; x < cols; x++) { c[out + x] = row[x / 4u][x % 4u]; }
  }
  let i3 = row0 + 24u;
  if (i3 < u.m) {
    let row = array<vec4f, 8>(c3_0, c3_1, c3_2, c3_3, c3_4, c3_5, c3_6, c3_7);
    let out = (wg.z * u.m + i3) * u.n + col0;
    for (var x = 0u; x < cols; x++) { c[out + x] = row[x / 4u][x % 4u]; }
  }
}
