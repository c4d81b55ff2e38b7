/**
 * Slow, obviously right twins of the reductions: every input element is visited once and
 * folded into the output element whose coordinates are its own with the reduced axes
 * dropped (or set to 0 with keepDims). Sums are accumulated in float64.
 */
import { coordsOf, indexOf, size, type NdArray } from "./layout.js";

/** The output shape and, for each input position, its output position. */
function reduction(shape: readonly number[], axes: readonly number[], keepDims: boolean) {
  const reduced = (k: number) => axes.includes(k);
  const kept = shape.map((d, k) => (reduced(k) ? 1 : d));
  const outShape = keepDims ? kept : shape.filter((_, k) => !reduced(k));
  const target = (index: number) => indexOf(coordsOf(index, shape).map((c, k) => (reduced(k) ? 0 : c)), kept);
  return { outShape, outSize: size(kept), target };
}

/** Sum over `axes` (every axis when omitted). */
export function sumRef(x: NdArray, axes: readonly number[] = x.shape.map((_, k) => k), keepDims = false): NdArray {
  const { outShape, outSize, target } = reduction(x.shape, axes, keepDims);
  const data = new Float64Array(outSize);
  for (let i = 0; i < x.data.length; i++) data[target(i)] += x.data[i]!;
  return { data, shape: outShape };
}

export function meanRef(x: NdArray, axes: readonly number[] = x.shape.map((_, k) => k), keepDims = false): NdArray {
  const count = axes.reduce((p, k) => p * x.shape[k]!, 1);
  const total = sumRef(x, axes, keepDims);
  return { data: Float64Array.from(total.data, (v) => v / count), shape: total.shape };
}

/** The largest value along `axis` and the first index that holds it. */
function maxAndArgmax(x: NdArray, axis: number, keepDims: boolean) {
  const { outShape, outSize, target } = reduction(x.shape, [axis], keepDims);
  const best = new Float64Array(outSize).fill(-Infinity);
  const where = new Float64Array(outSize).fill(-1);
  for (let i = 0; i < x.data.length; i++) {
    const o = target(i);
    // Strictly greater: an equal value later along the axis does not replace the first.
    if (x.data[i]! > best[o]!) {
      best[o] = x.data[i]!;
      where[o] = coordsOf(i, x.shape)[axis]!;
    }
  }
  return { max: { data: best, shape: outShape }, argmax: { data: where, shape: outShape } };
}

export function maxRef(x: NdArray, axis: number, keepDims = false): NdArray {
  return maxAndArgmax(x, axis, keepDims).max;
}

export function argmaxRef(x: NdArray, axis: number, keepDims = false): NdArray {
  return maxAndArgmax(x, axis, keepDims).argmax;
}
