"""The text of kernels/matmul_lanes_w{W}.wgsl for a W TM rows by TN columns tile.

The kernel keeps every accumulator in a named variable: llvmpipe only keeps values in
registers when no array is indexed dynamically, and WGSL's subgroupBroadcast needs a
constant lane, so the unrolled body is spelled out. generate.py writes one file per
subgroup width with the tiles of lanes_core.TILES, which the launcher in
src/autograd/ops/matmul.ts is written for; other tiles are for experiments.
"""
from lanes_core import accumulators, row_values, step


def kernel(W, TM, TN):
    """The WGSL text of the W TM by TN tile for subgroups of W lanes."""
    G = TN // W   # B values each lane gathers per k
    ROWS = W * TM

    header = f"""// matmul_lanes_w{W}.wgsl: C[b, i, j] = sum_k A[b, i, k] * B[b, k, j], built for CPU
// adapters, where a workgroup of {W} invocations is one subgroup ({W} lanes of one vector).
// It needs the subgroups feature and subgroups of exactly {W} lanes (the launcher checks the
// adapter; src/autograd/ops/lanes.ts). Generated (W {W}, TM {TM}, TN {TN}) by
// tools/gen-kernels/gen_matmul_lanes.py: run `npm run gen:kernels`, do not edit.
//
// Why this shape (measured with the bench on lavapipe at width 8): on
// llvmpipe every storage load costs tens of cycles, whether its index differs between
// lanes (a gather, {W} values) or not (a broadcast load, 1 value); FMAs and subgroup
// broadcasts stay in registers. So per k the workgroup gathers each value it needs once:
// - lane l owns rows row0 + l + {W} r (r < {TM}) of a {ROWS} x {TN} tile: {TM} gathers of A;
// - the tile's {TN} B values are gathered {G} per lane (columns l + {W} g), then
//   subgroupBroadcast hands each one to every lane;
// then every lane does {TM * TN} FMAs. That is {TM + G} gathers per {TM * TN * W} FMAs in the
// vector. At width 8, making B uniform loads instead (1 value per load) was slower, and so
// were 2 x 16 tiles; 8 x 32 tiles were not faster but took 6 s to compile. The limit is
// then the FMAs and the accumulators spilled to the stack ({TM * TN} scalars per lane).
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
// Dispatch: workgroups (ceil(n / {TN}), ceil(m / {ROWS}), batch) of {W} invocations."""

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
    L.append(f"@compute @workgroup_size({W})")
    L.append("fn main(@builtin(workgroup_id) wg: vec3u, @builtin(subgroup_invocation_id) lane: u32) {")
    L.append(f"  let row0 = wg.y * {ROWS}u + lane;")
    L.append(f"  let col0 = wg.x * {TN}u;")
    for r in range(TM):
        L.append(f"  let a{r} = wg.z * u.a_batch + min(row0 + {W * r}u, u.m - 1u) * u.a_row;")
    for g in range(G):
        L.append(f"  let b{g} = wg.z * u.b_batch + min(col0 + lane + {W * g}u, u.n - 1u) * u.b_col;")
    L.append(f"  // Row row0 + {W} r, tile columns 4 q .. 4 q + 3 live in c{{r}}_{{q}}.")
    L += accumulators(TM, TN)
    L.append("  for (var k = 0u; k < u.k; k++) {")
    L += step(W, TM, TN, lambda r, s: f"a[a{r} + k * u.a_col]", lambda g, s: f"b[b{g} + kb]", ["let kb = k * u.b_row;"])
    L.append("  }")
    L.append(f"  let cols = min(u.n - col0, {TN}u);")
    for r in range(TM):
        L.append(f"  let i{r} = row0 + {W * r}u;")
        L.append(f"  if (i{r} < u.m) {{")
        L.append(f"    let row = {row_values(r, TN)};")
        L.append(f"    let out = (wg.z * u.m + i{r}) * u.n + col0;")
        L.append("    for (var x = 0u; x < cols; x++) { c[out + x] = row[x / 4u][x % 4u]; }")
        L.append("  }")
    L.append("}")
    return "\n".join(L) + "\n"
