/**
 * Layout ops: reshape (a view, no copy), broadcastTo, permute/transpose, slice, flip, pad
 * and concat. All copies go through one kernel, kernels/copy_strided.wgsl, which reads an
 * affine map of the source per axis (start + c * step, with boundary modes for padding).
 * Their vjps are layout ops again (slice <-> pad, permute <-> inverse permute, broadcast
 * <-> sum), so every one of them can be differentiated twice.
 */
import { defineKernel } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import { checkShape, formatShape, normalizeAxis, sizeOf, stridesOf, type Shape } from "../../tensor/shape.js";
import { record } from "../graph.js";
import { AXES, deviceOf, LINEAR_WG, expectMaxRank } from "./common.js";
import { gridFor } from "../../tensor/device.js";
import { add } from "./elementwise.js";
import { sumToShape } from "./reduce.js";

const COPY = defineKernel({
  name: "copy_strided", inputs: ["src"], outputs: ["dst"],
  params: {
    runs: "u32", rank: "u32", src_base: "i32", dst_base: "i32", runs_per_row: "i32", pad0: "i32", pad1: "i32", pad2: "i32",
    shape: AXES, start: AXES, step: AXES, size: AXES, src_strides: AXES, dst_strides: AXES,
  },
});
/** Elements of the last axis each invocation copies (see kernels/copy_strided.wgsl). */
const COPY_RUN = 16;

export type PadMode = "zero" | "reflect" | "symmetric";
const PAD_MODE_CODE: Record<PadMode, number> = { zero: 0, reflect: 1, symmetric: 2 };

/** How one axis of the view reads the source. */
interface AxisRead {
  start: number;
  step: number;
  /** Source extent along this axis (for the boundary test). */
  size: number;
  stride: number;
}

/** Runs copy_strided over a view of `shape`, writing into `dst` at `dstBase` with `dstStrides`. */
function copyStrided(op: string, src: Tensor, shape: Shape, reads: AxisRead[], mode: PadMode,
  dst: Tensor, dstBase = 0, dstStrides: readonly number[] = stridesOf(shape)): void {
  expectMaxRank(op, shape);
  if (sizeOf(shape) === 0) return;
  // A scalar is a view of rank 1, so the kernel always has a last axis to run along.
  const [view, axes, strides] = runAxisLast(shape.length === 0 ? [1] : shape,
    shape.length === 0 ? [{ start: 0, step: 0, size: 1, stride: 0 }] : reads, shape.length === 0 ? [0] : dstStrides);
  const last = view[view.length - 1]!;
  const runsPerRow = Math.ceil(last / COPY_RUN);
  const runs = (sizeOf(view) / last) * runsPerRow;
  src.device.run(COPY, {
    inputs: [src.buffer(op)],
    outputs: [dst.buffer(op)],
    params: {
      runs, rank: view.length, src_base: 0, dst_base: dstBase, runs_per_row: runsPerRow, pad0: 0, pad1: 0, pad2: 0,
      shape: view, start: axes.map((r) => r.start), step: axes.map((r) => r.step), size: axes.map((r) => r.size),
      src_strides: axes.map((r) => r.stride), dst_strides: strides,
    },
    workgroups: gridFor(runs, LINEAR_WG),
    overrides: { WG: LINEAR_WG, MODE: PAD_MODE_CODE[mode], CHUNK: COPY_RUN },
  });
}

/**
 * The view with the axis its runs go along moved last. Each axis carries its own source and
 * destination strides, so the kernel may walk the axes in any order; it decodes the others
 * once per run, so a run along a short last axis (a permute to channels last ends in 3 or 16
 * channels) pays that decoding every few elements. Where the last axis is shorter than a
 * run, the longest axis becomes the run axis instead.
 */
function runAxisLast(view: Shape, axes: AxisRead[], strides: readonly number[]): [Shape, AxisRead[], readonly number[]] {
  const last = view.length - 1;
  let longest = last;
  view.forEach((size, k) => { if (size > view[longest]!) longest = k; });
  if (view[last]! >= COPY_RUN || longest === last) return [view, axes, strides];
  const order = [...view.keys()].filter((k) => k !== longest).concat(longest);
  return [order.map((k) => view[k]!), order.map((k) => axes[k]!), order.map((k) => strides[k]!)];
}

function gather(op: string, src: Tensor, shape: Shape, reads: AxisRead[], mode: PadMode = "zero"): Tensor {
  const out = deviceOf(op, src).empty(shape);
  copyStrided(op, src, shape, reads, mode, out);
  return out;
}

/** Same data, new shape; one size may be -1 and is inferred. Shares the storage. */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const resolved = [...shape];
  const unknown = resolved.indexOf(-1);
  if (unknown >= 0) {
    const known = resolved.reduce((p, d, i) => (i === unknown ? p : p * d), 1);
    resolved[unknown] = known === 0 ? 0 : x.size / known;
    if (!Number.isInteger(resolved[unknown])) {
      throw new Error(`reshape: cannot view ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)}: ${x.size} is not a multiple of ${known}`);
    }
  }
  checkShape(resolved, "reshape");
  if (sizeOf(resolved) !== x.size) {
    throw new Error(`reshape: cannot view ${formatShape(x.shape)} (${x.size} elements) as ${formatShape(shape)} (${sizeOf(resolved)} elements)`);
  }
  return record("reshape", x.view(resolved), [x], (g) => [reshape(g, x.shape)]);
}

/** The same values with no gradient history: gradients stop here. Shares the storage. */
export function detach(x: Tensor): Tensor {
  return x.view(x.shape);
}

/** Repeats size-1 axes (and prepends axes) to reach `shape`, NumPy style. */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  const offset = shape.length - x.rank;
  if (offset < 0) throw new Error(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to the lower rank ${formatShape(shape)}`);
  const strides = stridesOf(x.shape);
  const reads = shape.map((size, k) => {
    const own = x.shape[k - offset];
    if (own !== undefined && own !== 1 && own !== size) {
      throw new Error(`broadcastTo: cannot broadcast ${formatShape(x.shape)} to ${formatShape(shape)}`);
    }
    if (own === undefined) return { start: 0, step: 0, size: 1, stride: 0 };
    return { start: 0, step: own === 1 ? 0 : 1, size: own, stride: strides[k - offset]! };
  });
  return record("broadcastTo", gather("broadcastTo", x, shape, reads), [x], (g) => [sumToShape(g, x.shape)]);
}

/** Reorders axes: output axis k is input axis perm[k]. */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  const rank = x.rank;
  const axes = perm.map((a) => normalizeAxis(a, rank, "permute"));
  if (axes.length !== rank || new Set(axes).size !== rank) {
    throw new Error(`permute: [${perm.join(", ")}] is not a permutation of the ${rank} axes of ${formatShape(x.shape)}`);
  }
  const strides = stridesOf(x.shape);
  const shape = axes.map((a) => x.shape[a]!);
  const reads = axes.map((a) => ({ start: 0, step: 1, size: x.shape[a]!, stride: strides[a]! }));
  const inverse = new Array<number>(rank);
  axes.forEach((a, k) => (inverse[a] = k));
  return record("permute", gather("permute", x, shape, reads), [x], (g) => [permute(g, inverse)]);
}

/** Swaps two axes (the last two by default). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const perm = x.shape.map((_, i) => i);
  const i = normalizeAxis(a, x.rank, "transpose");
  const j = normalizeAxis(b, x.rank, "transpose");
  [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  return permute(x, perm);
}

/** x[begin[0]:end[0], begin[1]:end[1], ...]; missing axes are taken whole. */
export function slice(x: Tensor, begin: readonly number[], end: readonly number[] = x.shape): Tensor {
  const strides = stridesOf(x.shape);
  const starts = x.shape.map((_, k) => begin[k] ?? 0);
  const stops = x.shape.map((n, k) => end[k] ?? n);
  x.shape.forEach((n, k) => {
    if (!(0 <= starts[k]! && starts[k]! <= stops[k]! && stops[k]! <= n)) {
      throw new Error(`slice: range [${starts[k]}, ${stops[k]}) of axis ${k} does not fit ${formatShape(x.shape)}`);
    }
  });
  const shape = stops.map((s, k) => s - starts[k]!);
  const reads = x.shape.map((n, k) => ({ start: starts[k]!, step: 1, size: n, stride: strides[k]! }));
  return record("slice", gather("slice", x, shape, reads), [x], (g) => [
    pad(g, x.shape.map((n, k) => [starts[k]!, n - stops[k]!] as [number, number])),
  ]);
}

/** Reverses the order along the given axes. */
export function flip(x: Tensor, axes: readonly number[]): Tensor {
  const flipped = new Set(axes.map((a) => normalizeAxis(a, x.rank, "flip")));
  const strides = stridesOf(x.shape);
  const reads = x.shape.map((n, k) => flipped.has(k)
    ? { start: n - 1, step: -1, size: n, stride: strides[k]! }
    : { start: 0, step: 1, size: n, stride: strides[k]! });
  return record("flip", gather("flip", x, x.shape, reads), [x], (g) => [flip(g, axes)]);
}

/**
 * Pads each axis by [before, after] (missing axes: none). Modes: "zero"; "reflect" mirrors
 * without repeating the edge (pad < size); "symmetric" repeats it (pad <= size).
 */
export function pad(x: Tensor, pads: readonly (readonly [number, number])[], mode: PadMode = "zero"): Tensor {
  const amounts = x.shape.map((_, k) => pads[k] ?? [0, 0]);
  amounts.forEach(([before, after], k) => {
    const n = x.shape[k]!;
    const limit = mode === "reflect" ? n - 1 : mode === "symmetric" ? n : Infinity;
    if (!(before >= 0 && after >= 0 && Number.isInteger(before) && Number.isInteger(after))) {
      throw new Error(`pad: amounts [${before}, ${after}] of axis ${k} must be non-negative integers`);
    }
    if (before > limit || after > limit) {
      throw new Error(`pad: ${mode} padding of [${before}, ${after}] on axis ${k} of ${formatShape(x.shape)} needs each amount <= ${limit}`);
    }
  });
  const strides = stridesOf(x.shape);
  const shape = x.shape.map((n, k) => n + amounts[k]![0] + amounts[k]![1]);
  const reads = x.shape.map((n, k) => ({ start: -amounts[k]![0], step: 1, size: n, stride: strides[k]! }));
  const y = gather("pad", x, shape, reads, mode);
  return record("pad", y, [x], (g) => [padVjp(g, x.shape, amounts, mode)]);
}

/**
 * The adjoint of pad. Zero padding: the centre slice. Mirror modes also fold each border
 * back onto the pixels it copied, one axis at a time: the border slice, flipped, lands at
 * offset 1 (reflect) or 0 (symmetric) from its edge.
 */
function padVjp(g: Tensor, shape: Shape, amounts: readonly (readonly [number, number])[], mode: PadMode): Tensor {
  let current = g;
  for (let k = 0; k < shape.length; k++) {
    const [before, after] = amounts[k]!;
    if (before === 0 && after === 0) continue;
    const n = shape[k]!;
    const total = current.shape[k]!;
    const axisRange = (from: number, to: number) =>
      slice(current, current.shape.map((_, i) => (i === k ? from : 0)), current.shape.map((d, i) => (i === k ? to : d)));
    const along = (before: number, after: number) => current.shape.map((_, i) => (i === k ? [before, after] as [number, number] : [0, 0] as [number, number]));
    let folded = axisRange(before, before + n);
    if (mode !== "zero") {
      const edge = mode === "reflect" ? 1 : 0;
      if (before > 0) {
        const border = flip(axisRange(0, before), [k]);
        folded = add(folded, pad(border, along(edge, n - edge - before)));
      }
      if (after > 0) {
        const border = flip(axisRange(total - after, total), [k]);
        folded = add(folded, pad(border, along(n - edge - after, edge)));
      }
    }
    current = folded;
  }
  return current;
}

/** Joins tensors along `axis`; every other axis must agree. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new Error("concat: needs at least one tensor");
  const first = xs[0]!;
  const k = normalizeAxis(axis, first.rank, "concat");
  for (const x of xs) {
    if (x.rank !== first.rank || x.shape.some((d, i) => i !== k && d !== first.shape[i])) {
      throw new Error(`concat: shapes ${xs.map((t) => formatShape(t.shape)).join(", ")} differ outside axis ${k}`);
    }
  }
  const device = deviceOf("concat", ...xs);
  const shape = first.shape.map((d, i) => (i === k ? xs.reduce((s, x) => s + x.shape[k]!, 0) : d));
  const out = device.empty(shape);
  const outStrides = stridesOf(shape);
  let offset = 0;
  const offsets: number[] = [];
  for (const x of xs) {
    const strides = stridesOf(x.shape);
    const reads = x.shape.map((n, i) => ({ start: 0, step: 1, size: n, stride: strides[i]! }));
    copyStrided("concat", x, x.shape, reads, "zero", out, offset * outStrides[k]!, outStrides);
    offsets.push(offset);
    offset += x.shape[k]!;
  }
  return record("concat", out, xs, (g, needed) => xs.map((x, i) => {
    if (!needed[i]) return null;
    return slice(g, shape.map((_, j) => (j === k ? offsets[i]! : 0)), shape.map((d, j) => (j === k ? offsets[i]! + x.shape[k]! : d)));
  }));
}
