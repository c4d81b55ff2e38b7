"""The register-tile core shared by the lanes kernels (matmul_lanes, conv2d_lanes).

A workgroup is one subgroup of 8 lanes. Per step of the reduction each lane gathers its TM
values of A (rows lane + 8 r) and TN / 8 values of B (tile columns lane + 8 g); then
subgroupBroadcast hands every B value to every lane and each lane does TM x TN FMAs into
named vec4 accumulators. llvmpipe keeps values in registers only when no array is indexed
dynamically, and subgroupBroadcast needs a constant lane, so the body is spelled out.
"""


def accumulators(tm, tn):
    """Declarations of the accumulators c{r}_{q}: row r of the lane, tile columns 4q..4q+3."""
    return ["  " + " ".join(f"var c{r}_{q} = vec4f();" for q in range(tn // 4)) for r in range(tm)]


def step(tm, tn, a_load, b_load, before_b=(), indent="    "):
    """One reduction step: a_load(r) and b_load(g) are WGSL expressions of the gathered
    values; before_b are lines placed between the two sets of loads."""
    lines = [f"{indent}let x{r} = vec4f({a_load(r)});" for r in range(tm)]
    lines += [indent + line for line in before_b]
    lines += [f"{indent}let g{g} = {b_load(g)};" for g in range(tn // 8)]
    lines.append(f"{indent}// Tile column x was gathered by lane x % 8 into g(x / 8).")
    for q in range(tn // 4):
        comps = ", ".join(f"subgroupBroadcast(g{x // 8}, {x % 8}u)" for x in range(4 * q, 4 * q + 4))
        lines.append(f"{indent}let y{q} = vec4f({comps});")
    for r in range(tm):
        lines.append(indent + " ".join(f"c{r}_{q} = fma(x{r}, y{q}, c{r}_{q});" for q in range(tn // 4)))
    return lines


def row_values(r, tn):
    """The accumulators of row r as one array expression, for the stores."""
    return f"array<vec4f, {tn // 4}>(" + ", ".join(f"c{r}_{q}" for q in range(tn // 4)) + ")"
