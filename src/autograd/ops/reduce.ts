/**
 * Reductions: sum and mean over any set of axes, max and argmax over one axis.
 *
 * The kernel reduces the middle axis of an [outer, length, inner] view. A set of axes is
 * reduced one run of adjacent axes at a time, from the last run to the first, so no data
 * is ever transposed. A long axis with few outputs takes two passes (see reduce.wgsl).
 * A sum keeping only a middle run of axes with few outputs (a convolution's bias gradient,
 * over batch, height and width) is one pass of sum_outer_inner.wgsl instead of three.
 */
import { gridFor } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import { formatShape, normalizeAxis, sameShape, sizeOf, type Shape } from "../../tensor/shape.js";
import { record } from "../graph.js";
import { deviceOf, launchLinear } from "./common.js";
import { affine, equal, mul, div } from "./elementwise.js";
import { broadcastTo, reshape } from "./layout.js";

const REDUCE = defineKernel({
  name: "reduce", inputs: ["x"], outputs: ["out"],
  params: { outer: "u32", length: "u32", inner: "u32", chunk: "u32", chunks: "u32" },
});
const ReduceOp = { sum: 0, max: 1, argmax: 2 } as const;
const SUM_OUTER_INNER = defineKernel({
  name: "sum_outer_inner", inputs: ["x"], outputs: ["out"],
  params: { outer: "u32", kept: "u32", inner: "u32" },
});
/**
 * Lanes sharing one output of sum_outer_inner: a power of two giving each lane about
 * TERMS_PER_LANE terms, from 4 to 64. On a software adapter a workgroup of 64 lanes over a
 * handful of terms (a small critic layer's bias) costs more than the three passes it replaces.
 */
const TERMS_PER_LANE = 8;
export function outerInnerLanes(terms: number): number {
  return Math.min(64, Math.max(4, 2 ** Math.floor(Math.log2(Math.max(1, terms / TERMS_PER_LANE)))));
}

/** Below this many outputs a long axis is split into chunks reduced in a second pass. */
const FEW_OUTPUTS = 4096;
const MIN_CHUNK = 64;

/** One kernel pass: [outer, length, inner] -> [outer, chunks, inner]. */
function reducePass(op: string, x: Tensor, outer: number, length: number, inner: number, code: number, chunk: number): Tensor {
  const chunks = Math.ceil(length / chunk);
  return launchLinear(op, REDUCE, [x], [outer, chunks, inner], { outer, length, inner, chunk, chunks }, { overrides: { OP: code } });
}

/** Reduces axis range [from, to) of x (kept as size 1), in one or two passes. */
function reduceAxes(op: string, x: Tensor, from: number, to: number, code: number): Tensor {
  const outer = sizeOf(x.shape.slice(0, from));
  const length = sizeOf(x.shape.slice(from, to));
  const inner = sizeOf(x.shape.slice(to));
  const keptShape = x.shape.map((d, i) => (i >= from && i < to ? 1 : d));
  if (length === 0) throw new Error(`${op}: cannot reduce over an empty axis of ${formatShape(x.shape)}`);
  const outputs = outer * inner;
  const split = code !== ReduceOp.argmax && outputs < FEW_OUTPUTS && length > MIN_CHUNK * 4;
  let result: Tensor;
  if (split) {
    const chunk = Math.max(MIN_CHUNK, Math.ceil(Math.sqrt(length)));
    const partial = reducePass(op, x, outer, length, inner, code, chunk);
    result = reducePass(op, partial, outer, partial.shape[1]!, inner, code, partial.shape[1]!);
    partial.dispose();
  } else {
    result = reducePass(op, x, outer, length, inner, code, length);
  }
  const shaped = result.view(keptShape);
  result.dispose();
  return shaped;
}

/** [outer, kept, inner] -> [kept]: sums over the first and last axes in one pass. */
function sumOuterInner(x: Tensor, outer: number, kept: number, inner: number): Tensor {
  const device = deviceOf("sum", x);
  const out = device.empty([kept]);
  device.run(SUM_OUTER_INNER, {
    inputs: [x.buffer("sum")],
    outputs: [out.buffer("sum")],
    params: { outer, kept, inner },
    workgroups: gridFor(kept, 1),
    overrides: { WG: outerInnerLanes(outer * inner) },
  });
  return out;
}

/**
 * The [outer, kept, inner] view when the reduced axes are exactly those before and after one
 * run of kept axes, with few outputs (one workgroup each); otherwise null.
 */
function outerInnerView(shape: Shape, reduced: readonly number[]): [number, number, number] | null {
  const kept = shape.map((_, i) => i).filter((i) => !reduced.includes(i));
  if (kept.length === 0 || kept[0] === 0 || kept.at(-1) === shape.length - 1) return null;
  if (kept.at(-1)! - kept[0]! + 1 !== kept.length) return null;
  const view: [number, number, number] = [
    sizeOf(shape.slice(0, kept[0])), sizeOf(shape.slice(kept[0], kept.at(-1)! + 1)), sizeOf(shape.slice(kept.at(-1)! + 1)),
  ];
  return view[1] > 0 && view[1] < FEW_OUTPUTS && view[0] * view[2] > 0 ? view : null;
}

function resolveAxes(op: string, x: Tensor, axes?: number | readonly number[]): number[] {
  if (axes === undefined) return x.shape.map((_, i) => i);
  const list = typeof axes === "number" ? [axes] : axes;
  return [...new Set(list.map((a) => normalizeAxis(a, x.rank, op)))].sort((a, b) => a - b);
}

/** Sums over `axes` (default: all). Reduced axes are kept as size 1 when keepDims is set. */
export function sum(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  deviceOf("sum", x);
  const list = resolveAxes("sum", x, axes);
  const keptShape = x.shape.map((d, i) => (list.includes(i) ? 1 : d));
  const outShape = keepDims ? keptShape : x.shape.filter((_, i) => !list.includes(i));
  const outerInner = outerInnerView(x.shape, list);
  let current = outerInner ? sumOuterInner(x, ...outerInner) : x;
  // Runs of adjacent axes, last run first, so earlier axis numbers stay valid.
  for (let end = outerInner ? 0 : list.length; end > 0;) {
    let start = end - 1;
    while (start > 0 && list[start - 1] === list[start]! - 1) start--;
    const next = reduceAxes("sum", current, list[start]!, list[end - 1]! + 1, ReduceOp.sum);
    if (current !== x) current.dispose();
    current = next;
    end = start;
  }
  const y = current.view(outShape);
  if (current !== x) current.dispose();
  return record("sum", y, [x], (g) => [broadcastTo(reshape(g, keptShape), x.shape)]);
}

export function mean(x: Tensor, axes?: number | readonly number[], keepDims = false): Tensor {
  const list = resolveAxes("mean", x, axes);
  const count = list.reduce((p, a) => p * x.shape[a]!, 1);
  const total = sum(x, list, keepDims);
  const y = affine(total, 1 / count);
  // Outside a tidy() the intermediate sum would leak.
  total.dispose();
  return y;
}

/**
 * Maximum along one axis. The gradient goes to every position holding the maximum, shared
 * equally among ties.
 */
export function max(x: Tensor, axis: number, keepDims = false): Tensor {
  deviceOf("max", x);
  const a = normalizeAxis(axis, x.rank, "max");
  const kept = reduceAxes("max", x, a, a + 1, ReduceOp.max);
  const outShape = keepDims ? kept.shape : x.shape.filter((_, i) => i !== a);
  const y = kept.view(outShape);
  kept.dispose();
  return record("max", y, [x], (g, _, [x]) => {
    const hits = equal(x, max(x, a, true));
    const share = div(hits, sum(hits, a, true));
    return [mul(share, reshape(g, kept.shape))];
  }, { saved: [x] });
}

/** Index of the first maximum along `axis`, as float32 values (no gradient). */
export function argmax(x: Tensor, axis: number, keepDims = false): Tensor {
  deviceOf("argmax", x);
  const a = normalizeAxis(axis, x.rank, "argmax");
  const kept = reduceAxes("argmax", x, a, a + 1, ReduceOp.argmax);
  const y = kept.view(keepDims ? kept.shape : x.shape.filter((_, i) => i !== a));
  kept.dispose();
  return y;
}

/** Sums a broadcast gradient back to `shape` (the adjoint of broadcasting). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const offset = g.rank - shape.length;
  const axes = g.shape.map((_, i) => i).filter((i) => i < offset || (shape[i - offset] === 1 && g.shape[i] !== 1));
  return reshape(sum(g, axes, true), shape);
}
