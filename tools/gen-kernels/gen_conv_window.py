"""The text of kernels/conv2d_window_w{W}_m{rows}_k{K}[_d{D}][_s{S}].wgsl: the lanes register
tile of gen_conv_lanes.py for the convolutions whose output columns step S pixels along x and
whose K taps along x step D pixels (the forward convolutions, dilated and strided ones
included, and the input gradients' stride phases). Column j's tap t reads window pixel
S j + D t, so a tile of TN columns in one output row needs S (TN - 1) + (K - 1) D + 1 pixels
per (channel, tap row), not TN K: each lane gathers its share of that window once, the lanes
share it with subgroupBroadcast, and the K taps are K FMAs on shifted views of the same
broadcast values. The gathers and broadcasts per FMA fall up to K-fold, and
each accumulator takes K FMAs per loop iteration (llvmpipe's per-iteration blend of every
loop-written variable, lanes_core.step, is paid once per K FMAs).
"""
from gen_conv_lanes import PREAMBLE, row_stores
from lanes_core import accumulators, fma_chains

# The (taps along x, pixels between taps, pixels between columns) triples that get a kernel:
# the model's 3x3 and 5x5 windows, the 2- and 3-tap stride phases of its stride-2 layers'
# input gradients, its dilated 3x3 layers (rates 2, 4, 8, 16) and its stride-2 3x3 and 5x5
# layers (the generator's downsampling; the critics' 5x5 ones only where STRIDED_5X5 says).
WINDOWS = ((2, 1, 1), (3, 1, 1), (5, 1, 1), (3, 2, 1), (3, 4, 1), (3, 8, 1), (3, 16, 1), (3, 1, 2))

# The widths that also get the 5-tap stride-2 window. Measured against the lanes kernel on the
# critics' layers (forward, 3 -> 32 to 128 -> 256 channels): SwiftShader (width 4) 1.1-1.3x as
# fast, lavapipe (width 8) 0.86-0.94x at 64 channels and more, where the 32-row window tile
# replaces the 64-row lanes tile.
STRIDED_5X5 = {4: ((5, 1, 2),)}

# The windows that also get kernels whose tile spans R output rows (the _r{R} files), per R and
# width: on maps at most 1/R of a tile wide a one-row tile leaves columns idle, and the lanes
# kernel took those layers instead. With 32-column tiles, R = 2 serves maps 12 to 16 pixels
# wide (the tiny model's 16 x 16 layers) and R = 4 (width 8) maps 6 to 8 wide (its critics'
# 8 x 8 maps); width 4's 16-column tiles take R = 2 for maps 6 to 8 wide.
# Measured against the lanes kernel on this project's Intel Xeon, batch 4 (and 8 where said):
# - R = 2 on lavapipe (width 8), two runs: 3x3 convolutions of 32 to 128 channels on 16 x 16
#   maps 1.17-1.30x as fast forward and 1.09-1.63x as input gradient, dilated ones (rates 2,
#   4, 8) 1.16-1.45x and 1.18-1.39x, the stride-2 3x3 ones onto 16 x 16 maps 1.24-1.39x
#   forward; at width 16 (LP_NATIVE_VECTOR_WIDTH=512) 1.40-1.70x forward and 1.46-1.65x as
#   input gradient.
# - R = 2 on SwiftShader (width 4): the critics' 5x5 stride-2 layers onto 8 x 8 maps (32 -> 64
#   and 64 -> 128 channels, batch 4 and 8) 1.39-1.42x forward and 1.25-1.34x as input gradient
#   (through its 3-tap stride phases), a 3x3 layer on 8 x 8 maps 1.77x as input gradient; the
#   tiny iteration, interleaved A/B (4 pairs), medians 6924 -> 6764 ms.
# - R = 4 on lavapipe (width 8): the same critic layers 1.15-1.26x forward (two runs) and
#   1.07-1.22x as input gradient, a 64-channel 3x3 layer on 8 x 8 maps 1.31x as input gradient;
#   the tiny iteration, interleaved A/B (10 pairs), medians 1603 -> 1540 ms. At width 16 the
#   iteration did not move (1969 and 1968 ms, 6 pairs), so R = 4 stays at width 8.
# The 2-tap window of a stride-2 input gradient's phases gained nothing (1.00x at R = 2 on
# both drivers), so it has none; the model has no dilated layer on maps under 16 pixels, so
# those windows get R = 2 only. Width 32 has width 16's set by the same argument, unmeasured
# (no driver here runs it).
WIDE_TWO_ROWS = ((3, 1, 1), (3, 2, 1), (3, 4, 1), (3, 8, 1), (3, 1, 2))
EIGHT_PIXEL_WINDOWS = ((3, 1, 1), (5, 1, 2))
MULTI_ROW_WINDOWS = {
    2: {4: EIGHT_PIXEL_WINDOWS, 8: WIDE_TWO_ROWS, 16: WIDE_TWO_ROWS, 32: WIDE_TWO_ROWS},
    4: {8: EIGHT_PIXEL_WINDOWS},
}

# The most rows per lane of a window tile. The window holds S (TN - 1) + (K - 1) D + 1 broadcast values
# beside the accumulators; measured on lavapipe (width 8), 32-row window tiles ran 3x3
# convolutions of 64 and 128 channels 17-28% faster than the 64-row lanes tile, and a
# 64-row window tile 14% slower than it. Taller layers take several 32-row tiles.
MAX_ROWS_PER_LANE = 4


def name(W, TM, K, D, S, R=1):
    """The file name of the width-W kernel with TM rows per lane, K taps along x D pixels
    apart, columns S pixels apart and R output rows per tile."""
    return f"conv2d_window_w{W}_m{W * TM}_k{K}" + ("" if D == 1 else f"_d{D}") + ("" if S == 1 else f"_s{S}") + ("" if R == 1 else f"_r{R}") + ".wgsl"


def pixels(n):
    return "one pixel" if n == 1 else f"{n} pixels"


def scaled(n, var):
    return var if n == 1 else f"{n} {var}"


def kernel(W, TM, TN, K, D, S, R=1):
    """The WGSL text for subgroups of W lanes, TM rows per lane (W TM rows per tile), TN
    columns per tile, S pixels apart, and K taps along x, D pixels apart. With R = 1 the
    columns are TN consecutive ones of one output row; with R > 1 they are the first TN / R
    columns of R consecutive output rows, for maps at most TN / R columns wide."""
    ROWS = W * TM
    CW = TN // R
    SPAN = S * (CW - 1) + (K - 1) * D + 1
    GATHERS = -(-(R * SPAN) // W)
    if R == 1:
        tiling = f"""A tile is {TN} consecutive columns n2 of one (n0, n1) row, and per
// (k0, k1) each lane gathers {GATHERS} pixels of the {SPAN}-pixel window (pixel lane + {W} g),"""
        dispatch = f"""(N / n2) ceil(n2 / {TN}); tile
// t = wg.z num_workgroups.x + wg.x is segment t % ceil(n2 / {TN}) of row t / ceil(n2 / {TN})."""
    else:
        tiling = f"""A tile is the columns n2 < {CW} of {R} consecutive (n0, n1) rows (n2 <= {CW}),
// and per (k0, k1) each lane gathers {GATHERS} pixels of the rows' {R} windows of {SPAN} pixels each
// (window pixel p of row i is pixel {SPAN} i + p, gathered by lane ({SPAN} i + p) % {W}),"""
        dispatch = f"""ceil(N / n2 / {R}); tile
// t = wg.z num_workgroups.x + wg.x holds the rows {R} t .. {R} t + {R - 1}."""
    header = f"""// {name(W, TM, K, D, S, R)}: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM), for K = {K} taps along x {pixels(D)} apart and output columns {pixels(S)}
// apart. Generated (W {W}, TM {TM}, TN {TN}, K {K}, D {D}, S {S}{"" if R == 1 else f", R {R}"}) by
// tools/gen-kernels/gen_conv_window.py (run `npm run gen:kernels`, do not edit).
// The contract is conv2d_lanes_w{W}_m{ROWS}.wgsl's (the same Params, bindings, math and
// epilogue; src/autograd/ops/conv-lanes.ts maps each convolution onto it), restricted to
// k2 = {K}, xn = {S} and xk = {D}: the column n2 moves {pixels(S)} along x and the tap k2 {D},
// so B[(k0, k1, t), (n0, n1, j)] is the window pixel {scaled(S, "j")} + {scaled(D, "t")} of the image row that
// (n0, n1, k0, k1) selects. {tiling}
// the lanes share them with subgroupBroadcast, and lane l's rows l + {W} r (r < {TM}) take
// {K} FMAs per column from the shifted window. Columns past the row's end are computed
// and not stored; rows past M are not stored.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (read; any buffer when
// HAS_BIAS is false), 4 c (write).
// Dispatch: (x, ceil(M / {ROWS}), z) workgroups of {W} with x z >= {dispatch}"""

    L = [header, "enable subgroups;", "", PREAMBLE]
    L.append(f"@compute @workgroup_size({W})")
    L.append("fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,")
    L.append("        @builtin(subgroup_invocation_id) lane: u32) {")
    L.append("  let tile = i32(wg.z * groups.x + wg.x);")
    if R == 1:
        L.append(f"  let segments = (u.n2 + {TN - 1}) / {TN};")
        L.append("  let row = tile / segments;")
        L.append("  if (row >= u.n / u.n2) { return; }")
        L.append(f"  let first = (tile % segments) * {TN};")
        L.append("  let n0 = row / u.n1;")
        L.append("  let n1 = row % u.n1;")
    else:
        L.append("  let rows = u.n / u.n2;")
        L.append(f"  if ({R} * tile >= rows) {{ return; }}")
    L.append(f"  let row0 = i32(wg.y * {ROWS}u + lane);")
    for r in range(TM):
        L.append(f"  let a{r} = u.a_base + min(row0 + {W * r}, u.m - 1) * u.a_m;")
    if R == 1:
        L.append("  // The window starts at image column cx of the rows cy + ty; lane l gathers its pixels l + W g.")
        L.append("  let cy = u.y0 + n1 * u.yn;")
        L.append("  let cx = u.x0 + " + ("first;" if S == 1 else f"first * {S};"))
        L.append("  let b = u.b_base + n0 * u.b_n0 + cy * u.w + cx + i32(lane);")
        for g in range(GATHERS):
            L.append(f"  let inside{g} = u32(cx + i32(lane) + {W * g}) < u32(u.w);")
    else:
        L.append(f"  // Lane l gathers the pixels p = l + {W} g: pixel p % {SPAN} of the window of tile row p / {SPAN},")
        L.append("  // which starts at image column x0 of the image rows cy + ty; slots past the last row stay 0.")
        for g in range(GATHERS):
            L.append(f"  let p{g} = i32(lane) + {W * g};")
            L.append(f"  let r{g} = {R} * tile + p{g} / {SPAN};")
            L.append(f"  let cy{g} = u.y0 + (r{g} % u.n1) * u.yn;")
            L.append(f"  let b{g} = u.b_base + (r{g} / u.n1) * u.b_n0 + cy{g} * u.w + u.x0 + p{g} % {SPAN};")
            L.append(f"  let inside{g} = p{g} < {R * SPAN} && r{g} < rows && u32(u.x0 + p{g} % {SPAN}) < u32(u.w);")
    L.append(f"  // Row row0 + {W} r, tile columns 4 q .. 4 q + 3 live in c{{r}}_{{q}}.")
    L += accumulators(TM, TN)
    # One flat loop over (k0, k1), walked as an odometer (gen_conv_lanes says why).
    L.append("  let steps = u.k0 * u.k1;")
    L.append("  var ka = 0;")
    L.append("  var kb = 0;")
    L.append("  var ty = 0;")
    L.append("  var t1 = 0;")
    L.append("  for (var k = 0; k < steps; k++) {")
    if R == 1:
        L.append("    let row_inside = u32(cy + ty) < u32(u.h);")
        L.append("    let kt = b + kb + ty * u.w;")
        for g in range(GATHERS):
            L.append(f"    let g{g} = select(0.0, image[max(kt + {W * g}, 0)], row_inside && inside{g});")
    else:
        L.append("    let kt = kb + ty * u.w;")
        for g in range(GATHERS):
            L.append(f"    let g{g} = select(0.0, image[max(b{g} + kt, 0)], inside{g} && u32(cy{g} + ty) < u32(u.h));")
    L.append(f"    // Window pixel p was gathered by lane p % {W} into g(p / {W}).")
    for p in range(R * SPAN):
        L.append(f"    let v{p} = subgroupBroadcast(g{p // W}, {p % W}u);")
    for t in range(K):
        L.append(f"    let at{t} = ka + {t} * u.a_k2;")
        for r in range(TM):
            L.append(f"    let x{r}_{t} = vec4f(a[a{r} + at{t}]);")
    # Tap t of tile column c (row c / CW, column j = c % CW) reads window pixel S j + D t of its row.
    pixel = lambda c, t: (c // CW) * SPAN + S * (c % CW) + D * t
    L += fma_chains(TM, TN // 4, K, lambda r, t: f"x{r}_{t}",
                    lambda q, t: "vec4f(" + ", ".join(f"v{pixel(4 * q + e, t)}" for e in range(4)) + ")")
    L.append("    t1++;")
    L.append("    let wrap1 = t1 == u.k1;")
    L.append("    t1 = select(t1, 0, wrap1);")
    L.append("    ka += u.a_k1 + select(0, u.a_k0 - u.k1 * u.a_k1, wrap1);")
    L.append("    ty = select(ty + u.yk, 0, wrap1);")
    L.append("    kb += select(0, u.b_k0, wrap1);")
    L.append("  }")
    if R == 1:
        L.append("  let out_row = u.c_base + n0 * u.c_n0 + n1 * u.c_n1;")
        L += row_stores(W, TM, "out_row", lambda r: [
            f"if (first + {j} < u.n2) {{ c[out + (first + {j}) * u.c_n2] = activate(c{r}_{j // 4}[{j % 4}] + add); }}" for j in range(TN)])
    else:
        for i in range(R):
            L.append(f"  let out_row{i} = u.c_base + (({R} * tile + {i}) / u.n1) * u.c_n0 + (({R} * tile + {i}) % u.n1) * u.c_n1;")
            L.append(f"  let live{i} = {R} * tile + {i} < rows;")
        L += row_stores(W, TM, "0", lambda r: [
            f"if (live{c // CW} && {c % CW} < u.n2) {{ c[out_row{c // CW} + out + {c % CW} * u.c_n2] = activate(c{r}_{c // 4}[{c % 4}] + add); }}" for c in range(TN)])
    L.append("}")
    return "\n".join(L) + "\n"


def kernels(tiles):
    """File name -> text, for every width, tile height and window, one-row and multi-row tiles."""
    files = {}
    for w, t in tiles.items():
        for tm in window_rows(t):
            files.update({name(w, tm, *window): kernel(w, tm, t["conv_cols"], *window) for window in windows(w)})
            for rows, wins in multi_row_windows(w).items():
                files.update({name(w, tm, *window, rows): kernel(w, tm, t["conv_cols"], *window, rows) for window in wins})
    return files


def windows(W):
    """The windows of width W's kernels."""
    return WINDOWS + STRIDED_5X5.get(W, ())


def multi_row_windows(W):
    """Output rows per tile -> the windows of width W's kernels with tiles of that many rows."""
    return {rows: by_width[W] for rows, by_width in MULTI_ROW_WINDOWS.items() if W in by_width}


def window_rows(tile):
    """The rows per lane of a width's window tiles: its conv tiles up to MAX_ROWS_PER_LANE."""
    return [tm for tm in tile["conv_rows"] if tm <= MAX_ROWS_PER_LANE]
