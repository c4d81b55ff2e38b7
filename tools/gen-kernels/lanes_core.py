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
#
# conv_narrow_cols, where not None, adds a tile of that many columns per conv tile height
# (the _n{cols} files) for GEMMs of at most that many columns: the critics' last layers on
# 4 x 4 and 2 x 2 maps at batch 4 and their stride phases (16 columns), where a 32-column
# tile computes twice the columns it stores. Side by side on lavapipe (Intel Xeon), the
# 5x5 stride-2 128 -> 256 layer on 4 x 4 maps at batch 4: forward 1.75 -> 1.17 ms and input
# gradient 2.6 -> 1.8 ms at width 8, 2.3 -> 1.5 and 3.2 -> 2.1 ms at width 16
# (LP_NATIVE_VECTOR_WIDTH=512). Width 4 already has 16 columns; width 32 has no narrower
# tile than its lanes.
#
# conv_unroll is the number of reduction steps per loop iteration (see step). Width 8
# takes 2, and a 64-row tile (8 rows per lane) for layers of over 32 channels: each
# gathered value feeds twice the FMAs, and the blends per step halve; measured side by
# side on lavapipe (AMD EPYC, AVX-512 hardware, 8-wide lanes), 3x3 convolutions of 64 and
# 128 channels ran about 1.4 times as fast as the 32-row tile with one step (30-35 ->
# 41-50 GFLOP/s), while two steps of the 64 x 64 tile or 128 rows were slower. On
# SwiftShader two steps were slower (4.9 -> 4.3 GFLOP/s): width 4 keeps one. Widths 16
# and 32 keep one step: 16 runs on lavapipe at LP_NATIVE_VECTOR_WIDTH=512 (tested there,
# not tuned), and no driver here runs 32.
TILES = {
    4: {"matmul": (4, 32), "conv_rows": (1, 2, 4, 8), "conv_cols": 16, "conv_narrow_cols": None, "conv_unroll": 1},
    8: {"matmul": (4, 32), "conv_rows": (1, 2, 4, 8), "conv_cols": 32, "conv_narrow_cols": 16, "conv_unroll": 2},
    16: {"matmul": (2, 32), "conv_rows": (1, 2), "conv_cols": 32, "conv_narrow_cols": 16, "conv_unroll": 1},
    32: {"matmul": (1, 32), "conv_rows": (1,), "conv_cols": 32, "conv_narrow_cols": None, "conv_unroll": 1},
}


def accumulators(tm, tn):
    """Declarations of the accumulators c{r}_{q}: row r of the lane, tile columns 4q..4q+3."""
    return ["  " + " ".join(f"var c{r}_{q} = vec4f();" for q in range(tn // 4)) for r in range(tm)]


def no_lines(s):
    return []


def step(w, tm, tn, a_load, b_load, before_b=(), indent="    ", unroll=1, before=no_lines, advance=no_lines):
    """One iteration of the reduction loop for a W-lane subgroup, covering `unroll` steps.
    Sub-step s starts with the lines before(s), gathers a_load(r, s) and b_load(g, s)
    (WGSL expressions) with the lines before_b between the two sets of loads, and ends
    with advance(s), the lines that move the reduction indices on. Each accumulator takes
    its `unroll` FMAs in one expression, after all the loads: llvmpipe blends every
    variable a loop writes with the loop's lane mask once per iteration (it cannot tell
    that the loop is uniform), so two steps per iteration halve those blends. With one
    step the names carry no suffix and the indices move after the FMAs."""
    suffix = (lambda s: f"_{s}") if unroll > 1 else (lambda s: "")
    lines = []
    for s in range(unroll):
        x = suffix(s)
        lines += [indent + line for line in before(s)]
        lines += [f"{indent}let x{r}{x} = vec4f({a_load(r, s)});" for r in range(tm)]
        lines += [indent + line for line in before_b]
        lines += [f"{indent}let g{g}{x} = {b_load(g, s)};" for g in range(tn // w)]
        if s == 0:
            where = f"g(x / {w})" if unroll == 1 else f"g(x / {w})_s in sub-step s"
            lines.append(f"{indent}// Tile column x was gathered by lane x % {w} into {where}.")
        for q in range(tn // 4):
            comps = ", ".join(f"subgroupBroadcast(g{c // w}{x}, {c % w}u)" for c in range(4 * q, 4 * q + 4))
            lines.append(f"{indent}let y{q}{x} = vec4f({comps});")
        if s < unroll - 1:
            lines += [indent + line for line in advance(s)]
    lines += fma_chains(tm, tn // 4, unroll, lambda r, s: f"x{r}{suffix(s)}", lambda q, s: f"y{q}{suffix(s)}", indent)
    return lines + [indent + line for line in advance(unroll - 1)]


def fma_chains(tm, vecs, terms, a_value, b_value, indent="    "):
    """One line per row r < tm in which each accumulator c{r}_{q} (q < vecs) takes `terms`
    FMAs in one expression, fma(a_value(r, i), b_value(q, i), ...) for i < terms."""
    lines = []
    for r in range(tm):
        chains = []
        for q in range(vecs):
            chain = f"c{r}_{q}"
            for i in range(terms):
                chain = f"fma({a_value(r, i)}, {b_value(q, i)}, {chain})"
            chains.append(f"c{r}_{q} = {chain};")
        lines.append(indent + " ".join(chains))
    return lines


def row_values(r, tn):
    """The accumulators of row r as one array expression, for the stores."""
    return f"array<vec4f, {tn // 4}>(" + ", ".join(f"c{r}_{q}" for q in range(tn // 4)) + ")"
