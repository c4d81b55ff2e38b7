"""The text of kernels/conv2d_filter_w{W}_m{rows}_k{K}[_s{S}].wgsl: the lanes register tile of
gen_conv_lanes.py for the implicit GEMMs whose columns end in a window's K taps along x
(n2, one pixel apart) and whose reduction ends in steps of S pixels along x (k2): the filter
gradient, where a column is a weight (channel, ky, kx) and the reduction walks the output
pixels (batch, oy, ox). Column (channel, ky, kx) at step ox reads the pixel S ox + kx of its
image row, so U consecutive steps of the K columns of one (channel, ky) read a window of
S (U - 1) + K pixels, not U K: a tile of G such column groups gathers each group's window
once per U steps, the lanes share them with subgroupBroadcast, and each accumulator takes
U FMAs per loop iteration from shifted views of the windows.
"""
from gen_conv_lanes import PREAMBLE, row_stores
from gen_conv_window import pixels
from lanes_core import accumulators, fma_chains

# The (taps along x, pixels between steps) pairs that get a kernel: the filter gradients of
# the model's 3x3 and 5x5 layers, stride 1 and 2.
WINDOWS = ((3, 1), (5, 1), (5, 2))

# The tiles as (rows per lane TM, reduction steps per loop iteration U). Each gathered pixel
# feeds TM U FMAs per column, but the U TM values of A and the G windows are live beside the
# accumulators. Measured on lavapipe (width 8) beside the lanes kernel, filter gradients of
# 3x3 and 5x5 layers: 8 and 16 output channels (TM 1 and 2) ran 1.3-1.45x as fast with
# U = 8 (U = 4: 1.1-1.4x); 32 (TM 4) 1.15-1.25x with U = 4 and slower with 8; 64 and 128
# (TM 8, or several tiles of 4) 0.5-0.8x at either U, so taller layers stay on the lanes
# kernel.
TILES_TM_U = ((1, 8), (2, 8), (4, 4))


def name(W, TM, K, S):
    """The file name of the width-W kernel with TM rows per lane, K tap columns per group and steps S pixels apart."""
    return f"conv2d_filter_w{W}_m{W * TM}_k{K}" + ("" if S == 1 else f"_s{S}") + ".wgsl"


def kernel(W, TM, G, K, S, U):
    """The WGSL text for subgroups of W lanes, TM rows per lane (W TM rows per tile), G groups
    of K tap columns per tile and U reduction steps S pixels apart per loop iteration."""
    ROWS = W * TM
    TN = G * K
    Q = -(-TN // 4)
    SPAN = S * (U - 1) + K
    VALUES = G * SPAN
    GATHERS = -(-VALUES // W)
    header = f"""// {name(W, TM, K, S)}: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM), for column groups of K = {K} taps along x and reduction steps {pixels(S)}
// apart along x: the filter gradient. Generated (W {W}, TM {TM}, G {G}, K {K}, S {S}, U {U}) by
// tools/gen-kernels/gen_conv_filter.py (run `npm run gen:kernels`, do not edit).
// The contract is conv2d_lanes_w{W}_m{W * TM}.wgsl's for C[m, n] (the same Params, bindings and
// math; src/autograd/ops/conv-lanes.ts maps each convolution onto it), restricted to
// n2 = {K}, xn = 1, xk = {S} and k2 a multiple of {U}: B[(k0, k1, k2), (n0, n1, t)] is the pixel
// {S} k2 + t of the image row that (n0, n1, k0, k1) selects. A tile is {G} consecutive column
// groups (n0, n1) of {K} columns each; per loop iteration (k0, k1 and {U} steps of k2) each lane
// gathers {GATHERS} pixels of the tile's {G} windows of {SPAN} pixels (window pixel p of group g is
// value g {SPAN} + p, gathered by lane (g {SPAN} + p) % {W}), the lanes share them with
// subgroupBroadcast, and lane l's rows l + {W} r (r < {TM}) take {U} FMAs per column. Rows
// past M and groups past N / n2 are not stored. No bias, no activation: HAS_BIAS and
// ACTIVATION stay at their defaults.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (unused), 4 c (write).
// Dispatch: (x, ceil(M / {ROWS}), z) workgroups of {W} with x z >= ceil(N / {TN}); group tile
// t = wg.z num_workgroups.x + wg.x holds the column groups {G} t .. {G} t + {G - 1}."""

    L = [header, "enable subgroups;", "", PREAMBLE]
    L.append(f"@compute @workgroup_size({W})")
    L.append("fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,")
    L.append("        @builtin(subgroup_invocation_id) lane: u32) {")
    L.append(f"  let group0 = i32(wg.z * groups.x + wg.x) * {G};")
    L.append(f"  let column_groups = u.n / {K};")
    L.append("  if (group0 >= column_groups) { return; }")
    L.append(f"  let row0 = i32(wg.y * {ROWS}u + lane);")
    for r in range(TM):
        L.append(f"  let a{r} = u.a_base + min(row0 + {W * r}, u.m - 1) * u.a_m;")
    L.append(f"  // Value lane + {W} i is pixel p{{i}} of group g{{i}}'s window: its image row (cy{{i}}), column at")
    L.append("  // the first step (cx{i}) and offset there (b{i}).")
    for i in range(GATHERS):
        L.append(f"  let f{i} = min(i32(lane) + {W * i}, {VALUES - 1});")
        L.append(f"  let g{i} = min(group0 + f{i} / {SPAN}, column_groups - 1);")
        L.append(f"  let cy{i} = u.y0 + (g{i} % u.n1) * u.yn;")
        L.append(f"  let cx{i} = u.x0 + f{i} % {SPAN};")
        L.append(f"  let b{i} = u.b_base + (g{i} / u.n1) * u.b_n0 + cy{i} * u.w + cx{i};")
    L.append(f"  // Row row0 + {W} r, tile columns 4 q .. 4 q + 3 live in c{{r}}_{{q}}.")
    L += accumulators(TM, 4 * Q)
    # One flat loop over (k0, k1, k2 / U), walked as an odometer (gen_conv_lanes says why).
    L.append(f"  let chunks = u.k2 / {U};")
    L.append("  let steps = u.k0 * u.k1 * chunks;")
    L.append("  var ka = 0;")
    L.append("  var kb = 0;")
    L.append("  var ty = 0;")
    L.append("  var tx = 0;")
    L.append("  var t1 = 0;")
    L.append("  var t2 = 0;")
    L.append("  for (var k = 0; k < steps; k++) {")
    L.append("    let kt = kb + ty * u.w + tx;")
    for i in range(GATHERS):
        L.append(f"    let v{i} = select(0.0, image[max(b{i} + kt, 0)], u32(cy{i} + ty) < u32(u.h) && u32(cx{i} + tx) < u32(u.w));")
    L.append(f"    // Window pixel p of group g was gathered by lane (g {SPAN} + p) % {W} into v((g {SPAN} + p) / {W}).")
    for f in range(VALUES):
        L.append(f"    let w{f // SPAN}_{f % SPAN} = subgroupBroadcast(v{f // W}, {f % W}u);")
    for s in range(U):
        for r in range(TM):
            L.append(f"    let x{r}_{s} = vec4f(a[a{r} + ka + {s} * u.a_k2]);")

    def value(j, s):
        """Column j of the tile at sub-step s: tap j % K of group j / K reads window pixel S s + tap."""
        return "0.0" if j >= TN else f"w{j // K}_{S * s + j % K}"
    L += fma_chains(TM, Q, U, lambda r, s: f"x{r}_{s}", lambda q, s: "vec4f(" + ", ".join(value(4 * q + e, s) for e in range(4)) + ")")
    L.append("    t2++;")
    L.append("    let wrap2 = t2 == chunks;")
    L.append("    t2 = select(t2, 0, wrap2);")
    L.append("    t1 += select(0, 1, wrap2);")
    L.append("    let wrap1 = t1 == u.k1;")
    L.append("    t1 = select(t1, 0, wrap1);")
    L.append(f"    ka += {U} * u.a_k2 + select(0, u.a_k1 - u.k2 * u.a_k2, wrap2) + select(0, u.a_k0 - u.k1 * u.a_k1, wrap1);")
    L.append(f"    tx = select(tx + {S * U}, 0, wrap2);")
    L.append("    ty = select(select(ty, ty + u.yk, wrap2), 0, wrap1);")
    L.append("    kb += select(0, u.b_k0, wrap1);")
    L.append("  }")
    L.append(f"  // Column group g of the tile is (n0, n1) = ((group0 + g) / n1, (group0 + g) % n1); its tap t goes to o{{g}} + t c_n2.")
    for g in range(G):
        L.append(f"  let o{g} = ((group0 + {g}) / u.n1) * u.c_n0 + ((group0 + {g}) % u.n1) * u.c_n1;")

    def stores(r):
        return [f"if (group0 + {j // K} < column_groups) {{ c[out + o{j // K} + {j % K} * u.c_n2] = activate(c{r}_{j // 4}[{j % 4}] + add); }}" for j in range(TN)]
    L += row_stores(W, TM, "u.c_base", stores)
    L.append("}")
    return "\n".join(L) + "\n"


def filter_tiles(tile):
    """The (TM, U) tiles of a width: those of TILES_TM_U whose height it has conv tiles for."""
    return [(tm, u) for tm, u in TILES_TM_U if tm in tile["conv_rows"]]


def kernels(tiles):
    """File name -> text, for every width, tile and window."""
    return {name(w, tm, k, s): kernel(w, tm, t["conv_cols"] // k, k, s, u) for w, t in tiles.items() for tm, u in filter_tiles(t) for k, s in WINDOWS}
