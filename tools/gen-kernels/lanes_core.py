"""The register-tile core shared by the lanes kernels (matmul_lanes_w*, conv2d_lanes_w*_m*),
and the table of tiles that generate.py writes.

A workgroup is one subgroup of W lanes (W = 4, 8, 16 or 32, one file per width). Per step
of the reduction each lane gathers its TM values of A (rows lane + W r) and TN / W values
of B (tile columns lane + W g); then subgroupBroadcast hands every B value to every lane
and each lane does TM x TN FMAs into named vec4 accumulators. llvmpipe keeps values in
registers only when no array is indexed dynamically, and subgroupBroadcast needs a constant
lane, so the body is spelled out.
"""

# Per subgroup width: the matmul tile (rows per lane TM, columns TN) and the conv tiles'
# rows per lane (one file each; the launcher takes the shortest that holds every row) and
# columns. src/autograd/ops/lanes.ts holds the same table for the launchers, and
# test/generated-kernels.test.ts checks that the two agree (generate.py --tiles prints this).
#
# Why these: the tile is W TM rows by TN columns, and per step a lane issues TM + TN / W
# loads for TM TN FMAs. Width 8 (lavapipe on AVX2) was measured at 4 x 32. Width 4
# (SwiftShader, 4-wide SSE) keeps 4 x 32 for matmul (8 x 16 measured the same), but its
# convolutions take up to 8 rows by 16 columns: their B values are gathered with a bounds
# test each, and SwiftShader checks every gathered lane again, so halving the B gathers and
# broadcasts per FMA made the 3x3 convolutions 1.4 times as fast (3.3 -> 4.7 GFLOP/s).
# 16 and 32 keep the tile at 32 x 32 outputs, 2 and 1 rows per lane.
TILES = {
    4: {"matmul": (4, 32), "conv_rows": (1, 2, 4, 8), "conv_cols": 16},
    8: {"matmul": (4, 32), "conv_rows": (1, 2, 4), "conv_cols": 32},
    16: {"matmul": (2, 32), "conv_rows": (1, 2), "conv_cols": 32},
    32: {"matmul": (1, 32), "conv_rows": (1,), "conv_cols": 32},
}


def accumulators(tm, tn):
    """Declarations of the accumulators c{r}_{q}: row r of the lane, tile columns 4q..4q+3."""
    return ["  " + " ".join(f"var c{r}_{q} = vec4f();" for q in range(tn // 4)) for r in range(tm)]


def step(w, tm, tn, a_load, b_load, before_b=(), indent="    "):
    """One reduction step for a W-lane subgroup: a_load(r) and b_load(g) are WGSL
    expressions of the gathered values; before_b are lines placed between the two sets of
    loads."""
    lines = [f"{indent}let x{r} = vec4f({a_load(r)});" for r in range(tm)]
    lines += [indent + line for line in before_b]
    lines += [f"{indent}let g{g} = {b_load(g)};" for g in range(tn // w)]
    lines.append(f"{indent}// Tile column x was gathered by lane x % {w} into g(x / {w}).")
    for q in range(tn // 4):
        comps = ", ".join(f"subgroupBroadcast(g{x // w}, {x % w}u)" for x in range(4 * q, 4 * q + 4))
        lines.append(f"{indent}let y{q} = vec4f({comps});")
    for r in range(tm):
        lines.append(indent + " ".join(f"c{r}_{q} = fma(x{r}, y{q}, c{r}_{q});" for q in range(tn // 4)))
    return lines


def row_values(r, tn):
    """The accumulators of row r as one array expression, for the stores."""
    return f"array<vec4f, {tn // 4}>(" + ", ".join(f"c{r}_{q}" for q in range(tn // 4)) + ")"
