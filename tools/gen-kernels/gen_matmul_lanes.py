"""The text of kernels/matmul_lanes.wgsl for a TM x 8 rows by TN columns tile.

The kernel keeps every accumulator in a named variable: llvmpipe only keeps values in
registers when no array is indexed dynamically, and WGSL's subgroupBroadcast needs a
constant lane, so the unrolled body is spelled out. generate.py writes it with the tile
the launcher in src/autograd/ops/matmul.ts is written for, 4 x 32 (32 x 32 outputs); other
tiles are for experiments.
"""
from lanes_core import accumulators, row_values, step


def kernel(TM=4, TN=32):
    """The WGSL text of the TM x 8 by TN tile."""
    G = TN // 8   # B values each lane gathers per k
    V = TN // 4   # vec4 accumulators per row
    ROWS = 8 * TM

    header = f"""// matmul_lanes.wgsl: C[b, i, j] = sum_k A[b, i, k] * B[b, k, j], built for CPU adapters
// (llvmpipe/lavapipe), where a workgroup of 8 invocations is one AVX2 vector and one
// subgroup. It needs the subgroups feature and a subgroup size of 8. Generated (TM {TM},
// TN {TN}) by tools/gen-kernels/gen_matmul_lanes.py: run `npm run gen:kernels`, do not edit.
//
// Why this shape (measured with the bench on lavapipe): on
// llvmpipe every storage load costs tens of cycles, whether its index differs between
// lanes (a gather, 8 values) or not (a broadcast load, 1 value); FMAs and subgroup
// broadcasts stay in registers. So per k the workgroup gathers each value it needs once:
// - lane l owns rows row0 + l + 8 r (r < {TM}) of a {ROWS} x {TN} tile: {TM} gathers of A;
// - the tile's {TN} B values are gathered {G} per lane (columns l + 8 g), then
//   subgroupBroadcast hands each one to every lane;
// then every lane does {TM * TN} FMAs. That is {TM + G} gathers per {TM * TN * 8} FMAs in the
// vector; making B uniform loads instead (1 value per load) was slower, and so were 2 x 16
// tiles; 8 x 32 tiles were not faster but took 6 s to compile. The limit is then the FMAs
// and the accumulators spilled to the stack (128 scalars per lane, 16 ymm registers).
// Every load is a scalar through the strides, so transposed operands cost nothing extra.
// On a GPU a workgroup of 8 wastes most of a SIMD unit: kernels/matmul_tiled.wgsl is the
// GPU choice (see src/autograd/ops/matmul.ts).
//
// Strided operands: A[b, i, k] = a[b * a_batch + i * a_row + k * a_col], B[b, k, j] =
// b[b * b_batch + k * b_row + j * b_col]; batch stride 0 broadcasts. C is dense [batch, m, n].
// Edges: row and column indices are clamped for loads (no branch in the k loop) and only
// the stores inside C happen.
// Bindings: 0 uniform Params, 1 a (read), 2 b (read), 3 c (write).
// Dispatch: workgroups (ceil(n / {TN}), ceil(m / {ROWS}), batch) of 8 invocations."""

    L = [header, "enable subgroups;", ""]
    L.append("""struct Params {
  m: u32, n: u32, k: u32, batch: u32,
  a_batch: u32, a_row: u32, a_col: u32,
  b_batch: u32, b_row: u32, b_col: u32,
}

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;
""")
    L.append("@compute @workgroup_size(8)")
    L.append("fn main(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {")
    L.append(f"  let row0 = wg.y * {ROWS}u + lane;")
    L.append(f"  let col0 = wg.x * {TN}u;")
    for r in range(TM):
        L.append(f"  let a{r} = wg.z * u.a_batch + min(row0 + {8 * r}u, u.m - 1u) * u.a_row;")
    for g in range(G):
        L.append(f"  let b{g} = wg.z * u.b_batch + min(col0 + lane + {8 * g}u, u.n - 1u) * u.b_col;")
    L.append("  // Row row0 + 8 r, tile columns 4 q .. 4 q + 3 live in c{r}_{q}.")
    L += accumulators(TM, TN)
    L.append("  for (var k = 0u; k < u.k; k++) {")
    L += step(TM, TN, lambda r: f"a[a{r} + k * u.a_col]", lambda g: f"b[b{g} + kb]", ["let kb = k * u.b_row;"])
    L.append("  }")
    L.append(f"  let cols = min(u.n - col0, {TN}u);")
    for r in range(TM):
        L.append(f"  let i{r} = row0 + {8 * r}u;")
        L.append(f"  if (i{r} < u.m) {{")
        L.append(f"    let row = {row_values(r, TN)};")
        L.append(f"    let out = (wg.z * u.m + i{r}) * u.n + col0;")
        L.append("    for (var x = 0u; x < cols; x++) { c[out + x] = row[x / 4u][x % 4u]; }")
        L.append("  }")
    L.append("}")
    return "\n".join(L) + "\n"
