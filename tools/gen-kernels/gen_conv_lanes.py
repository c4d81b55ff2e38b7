"""The text of kernels/conv2d_lanes_w{W}_m{rows}.wgsl: the lanes register tile (see
lanes_core.py) applied to an implicit GEMM over an image read in place, which covers the
forward convolution, both of its gradients and the stride phases of a transposed
convolution. Per subgroup width W the files differ in tile height (W TM rows): the tallest
reuses each gathered pixel most; the shorter ones serve layers with few output channels
(an image's 3 to 5, a narrow model's first and last layers), where a tall tile would
compute rows that are thrown away. generate.py writes them with the tiles of
lanes_core.TILES.
"""
from lanes_core import TILES, accumulators, step

# The activation epilogue; kernels/conv2d_direct.wgsl and conv2d_gemm.wgsl carry the same
# text (test/kernel-contract.test.ts compares every copy).
EPILOGUE = """// The activation epilogue, the same in every forward convolution kernel (the contract test
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
"""


# The uniform struct, the epilogue's overrides and the bindings: the same in every kernel of
# the implicit-GEMM contract (these and gen_conv_window.py's).
PREAMBLE = """struct Params {
  m: i32, n: i32, n1: i32, n2: i32,
  k0: i32, k1: i32, k2: i32, a_base: i32,
  a_m: i32, a_k0: i32, a_k1: i32, a_k2: i32,
  b_base: i32, b_n0: i32, b_k0: i32, h: i32,
  w: i32, y0: i32, yn: i32, yk: i32,
  x0: i32, xn: i32, xk: i32, c_base: i32,
  c_m: i32, c_n0: i32, c_n1: i32, c_n2: i32,
}

override HAS_BIAS: bool = false;

""" + EPILOGUE + """
@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> image: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
"""


def name(W, TM, TN):
    """The file name of the width-W kernel with TM rows per lane and TN columns (a suffix
    _n{TN} marks a narrow tile, one with fewer columns than the width's conv_cols)."""
    narrow = "" if TN == TILES[W]["conv_cols"] else f"_n{TN}"
    return f"conv2d_lanes_w{W}_m{W * TM}{narrow}.wgsl"


def kernel(W, TM, TN, U):
    """The WGSL text of the kernel for subgroups of W lanes with TM rows per lane (W TM
    rows per tile) and TN columns, taking U reduction steps per loop iteration."""
    ROWS = W * TM
    unrolled = "" if U == 1 else f"""
// Each loop iteration takes {U} steps of the reduction (lanes_core.step says why); where {U}
// does not divide the step count, the steps past the end load zeros."""
    GATHERS = TN // W
    header = f"""// {name(W, TM, TN)}: C = A B for CPU adapters, where B is an image read in place
// (implicit GEMM). Generated (W {W}, TM {TM}, TN {TN}) by tools/gen-kernels/gen_conv_lanes.py
// (run `npm run gen:kernels`, do not edit); the register tile is the one of
// matmul_lanes_w{W}.wgsl (read its header for why it is fast): a workgroup is one
// subgroup of exactly {W} lanes, lane l owns rows l + {W} r (r < {TM}) of a {ROWS} x {TN} tile,
// gathers {GATHERS} values of B per step and shares them with subgroupBroadcast.{unrolled}
//
// Math: C[m, n] = activate(bias[m] + sum over k = (k0, k1, k2) of A[m, k] B[k, n]), where the column
// n = (n0 N1 + n1) N2 + n2 and the reduction index each split into three axes, and
//   A[m, k]  = a[a_base + m a_m + k0 a_k0 + k1 a_k1 + k2 a_k2]
//   B[k, n]  = image[b_base + n0 b_n0 + k0 b_k0 + iy w + ix]  (0 unless 0 <= iy < h, 0 <= ix < w)
//              with iy = y0 + n1 yn + k1 yk and ix = x0 + n2 xn + k2 xk
//   C[m, n] -> c[c_base + m c_m + n0 c_n0 + n1 c_n1 + n2 c_n2].
// For the forward convolution m is the output channel, n = (batch, oy, ox), k = (channel,
// ky, kx), iy = oy stride - pad + ky dilation; src/autograd/ops/conv-lanes.ts gives the
// other cases. Strides are signed, so a flipped weight is a negative stride from a
// shifted base. Zero padding is the bounds test on (iy, ix): no padded copy is made.
// Rows and columns past the edge are clamped for the loads; rows past M are not stored.
// K1 = 0 is allowed and stores zeros (or the bias). activate is the ACTIVATION override's
// function (identity by default), so a layer's conv + bias + activation is one dispatch.
// Bindings: 0 uniform Params, 1 a (read), 2 image (read), 3 bias (read; any buffer when
// HAS_BIAS is false), 4 c (write).
// Dispatch: (x, ceil(M / {ROWS}), z) workgroups of {W} with x z >= ceil(N / {TN}); column tile
// t = wg.z num_workgroups.x + wg.x, so images with over 65535 tiles still fit."""

    L = [header, "enable subgroups;", ""]
    L.append(PREAMBLE + """
/** The three axes (n0, n1, n2) of column n. */
fn column_axes(n: i32) -> vec3i {
  let rest = n / u.n2;
  return vec3i(rest / u.n1, rest % u.n1, n % u.n2);
}
""")
    L.append(f"@compute @workgroup_size({W})")
    L.append("fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) groups: vec3u,")
    L.append("        @builtin(subgroup_invocation_id) lane: u32) {")
    L.append("  let tile = wg.z * groups.x + wg.x;")
    L.append(f"  let col0 = i32(tile * {TN}u);")
    L.append("  if (col0 >= u.n) { return; }")
    L.append(f"  let row0 = i32(wg.y * {ROWS}u + lane);")
    for r in range(TM):
        L.append(f"  let a{r} = u.a_base + min(row0 + {W * r}, u.m - 1) * u.a_m;")
    L.append(f"  // Column lane + {W} g: where its window starts (cy, cx) and its image offset there.")
    for g in range(GATHERS):
        L.append(f"  let n{g} = column_axes(min(col0 + i32(lane) + {W * g}, u.n - 1));")
        L.append(f"  let cy{g} = u.y0 + n{g}.y * u.yn;")
        L.append(f"  let cx{g} = u.x0 + n{g}.z * u.xn;")
        L.append(f"  let b{g} = u.b_base + n{g}.x * u.b_n0 + cy{g} * u.w + cx{g};")
    L.append(f"  // Row row0 + {W} r, tile columns 4 q .. 4 q + 3 live in c{{r}}_{{q}}.")
    L += accumulators(TM, TN)
    # One flat loop over the reduction, walking (k0, k1, k2) as an odometer: nested loops
    # with a 3- or 5-step inner loop cost llvmpipe more per step than these uniform selects.
    L.append("  let steps = u.k0 * u.k1 * u.k2;")
    L.append("  var ka = 0;")
    L.append("  var kb = 0;")
    L.append("  var ty = 0;")
    L.append("  var tx = 0;")
    L.append("  var t1 = 0;")
    L.append("  var t2 = 0;")
    L.append("  for (var k = 0; k < steps; k++) {" if U == 1 else f"  for (var k = 0; k < steps; k += {U}) {{")
    # Past the end of the reduction (its last iteration when U does not divide it) a
    # sub-step's values are zeros, so its FMAs add nothing; its loads stay in bounds.
    sub = (lambda s: "") if U == 1 else (lambda s: f"_{s}")
    valid = (lambda s: "") if U == 1 else (lambda s: f"valid{s} && ")

    def before(s):
        lines = [] if U == 1 else [f"let valid{s} = k + {s} < steps;"]
        return lines + [f"let kt{sub(s)} = kb + ty * u.w + tx;"]

    def a_load(r, s):
        return f"a[a{r} + ka]" if U == 1 else f"select(0.0, a[a{r} + ka], valid{s})"

    # Unsigned compares test 0 <= v < n in one go.
    def b_load(g, s):
        return f"select(0.0, image[max(b{g} + kt{sub(s)}, 0)], {valid(s)}u32(cy{g} + ty) < u32(u.h) && u32(cx{g} + tx) < u32(u.w))"

    def advance(s):
        w2, w1 = f"wrap2{sub(s)}", f"wrap1{sub(s)}"
        return [
            "t2++;",
            f"let {w2} = t2 == u.k2;",
            f"t2 = select(t2, 0, {w2});",
            f"t1 += select(0, 1, {w2});",
            f"let {w1} = t1 == u.k1;",
            f"t1 = select(t1, 0, {w1});",
            f"ka += u.a_k2 + select(0, u.a_k1 - u.k2 * u.a_k2, {w2}) + select(0, u.a_k0 - u.k1 * u.a_k1, {w1});",
            f"tx = select(tx + u.xk, 0, {w2});",
            f"ty = select(select(ty, ty + u.yk, {w2}), 0, {w1});",
            f"kb += select(0, u.b_k0, {w1});",
        ]

    L += step(W, TM, TN, a_load, b_load, indent="    ", unroll=U, before=before, advance=advance)
    L.append("  }")
    # Stores: lane l knows where its own columns l + W g go; the other lanes learn it by
    # broadcast, so no lane divides per column and every accumulator index stays constant.
    # Columns past N were computed from the clamped column N - 1, so storing them rewrites
    # that column's address with the value it already has, and needs no test.
    for g in range(GATHERS):
        L.append(f"  let o{g} = n{g}.x * u.c_n0 + n{g}.y * u.c_n1 + n{g}.z * u.c_n2;")
    for x in range(TN):
        L.append(f"  let p{x} = subgroupBroadcast(o{x // W}, {x % W}u);")
    L += row_stores(W, TM, "u.c_base", lambda r: [f"c[out + p{x}] = activate(c{r}_{x // 4}[{x % 4}] + add);" for x in range(TN)])
    L.append("}")
    return "\n".join(L) + "\n"


def row_stores(W, TM, origin, stores):
    """The epilogue of a lane's rows row0 + W r (r < TM): for each row below M, `add` (its bias
    when HAS_BIAS) and `out` (origin plus the row's offset), then the lines stores(r)."""
    L = []
    for r in range(TM):
        L.append(f"  let m{r} = row0 + {W * r};")
        L.append(f"  if (m{r} < u.m) {{")
        L.append("    var add = 0.0;")
        L.append(f"    if (HAS_BIAS) {{ add = bias[m{r}]; }}")
        L.append(f"    let out = {origin} + m{r} * u.c_m;")
        L += ["    " + line for line in stores(r)]
        L.append("  }")
    return L


def kernels():
    """File name -> text, for every width, tile height and tile width (the conv columns and
    the narrow ones, where the width has them) of lanes_core.TILES."""
    return {name(w, tm, tn): kernel(w, tm, tn, t["conv_unroll"]) for w, t in TILES.items() for tm in t["conv_rows"]
            for tn in (t["conv_cols"], t["conv_narrow_cols"]) if tn is not None}
