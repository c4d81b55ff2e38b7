/**
 * Slow, obviously right twins of the elementwise ops, computed in float64 from the
 * mathematical definitions (not from the kernels' formulas).
 */
import { broadcastCoords, generate, size, valueAt, type NdArray } from "./layout.js";

export type UnaryName =
  | "neg" | "exp" | "log" | "sqrt" | "square" | "abs" | "relu" | "elu" | "leakyRelu"
  | "clip" | "affine" | "powScalar" | "sign" | "step";

/** f(x) for each unary op; p0 and p1 are the op's numeric parameters. */
export function unaryFn(name: UnaryName, p0 = 0, p1 = 0): (x: number) => number {
  switch (name) {
    case "neg": return (x) => -x;
    case "exp": return Math.exp;
    case "log": return Math.log;
    case "sqrt": return Math.sqrt;
    case "square": return (x) => x * x;
    case "abs": return Math.abs;
    case "relu": return (x) => (x > 0 ? x : 0);
    case "elu": return (x) => (x > 0 ? x : p0 * (Math.exp(x) - 1));
    case "leakyRelu": return (x) => (x > 0 ? x : p0 * x);
    case "clip": return (x) => (x < p0 ? p0 : x > p1 ? p1 : x);
    case "affine": return (x) => p0 * x + p1;
    case "powScalar": return (x) => x ** p0;
    case "sign": return (x) => (x > 0 ? 1 : x < 0 ? -1 : 0);
    case "step": return (x) => (x > p0 ? 1 : 0);
  }
}

export function unaryRef(x: NdArray, name: UnaryName, p0 = 0, p1 = 0): NdArray {
  const f = unaryFn(name, p0, p1);
  return { data: Float64Array.from(x.data, f), shape: [...x.shape] };
}

export type BinaryName =
  | "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "greater" | "greaterEqual" | "equal";

export function binaryFn(name: BinaryName): (a: number, b: number) => number {
  switch (name) {
    case "add": return (a, b) => a + b;
    case "sub": return (a, b) => a - b;
    case "mul": return (a, b) => a * b;
    case "div": return (a, b) => a / b;
    case "pow": return (a, b) => a ** b;
    case "maximum": return Math.max;
    case "minimum": return Math.min;
    case "greater": return (a, b) => (a > b ? 1 : 0);
    case "greaterEqual": return (a, b) => (a >= b ? 1 : 0);
    case "equal": return (a, b) => (a === b ? 1 : 0);
  }
}

/** NumPy broadcasting: align shapes at the right; each pair equal or one of them 1. */
export function broadcastShapeRef(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const pa = [...new Array<number>(rank - a.length).fill(1), ...a];
  const pb = [...new Array<number>(rank - b.length).fill(1), ...b];
  return pa.map((da, k) => {
    const db = pb[k]!;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`broadcastShapeRef: [${a}] and [${b}] do not broadcast`);
    return Math.max(da, db);
  });
}

export function binaryRef(a: NdArray, b: NdArray, name: BinaryName): NdArray {
  const f = binaryFn(name);
  const shape = broadcastShapeRef(a.shape, b.shape);
  return generate(shape, (c) => f(valueAt(a, broadcastCoords(c, a.shape)), valueAt(b, broadcastCoords(c, b.shape))));
}

export function fullRef(shape: readonly number[], value: number): NdArray {
  return { data: new Float64Array(size(shape)).fill(value), shape: [...shape] };
}

/** cond ? a : b with all three broadcast together (cond holds 0 or 1). */
export function lerpRef(a: NdArray, b: NdArray, t: NdArray): NdArray {
  const shape = broadcastShapeRef(broadcastShapeRef(a.shape, b.shape), t.shape);
  return generate(shape, (c) => {
    const from = valueAt(a, broadcastCoords(c, a.shape));
    return from + valueAt(t, broadcastCoords(c, t.shape)) * (valueAt(b, broadcastCoords(c, b.shape)) - from);
  });
}

export function whereRef(cond: NdArray, a: NdArray, b: NdArray): NdArray {
  const shape = broadcastShapeRef(broadcastShapeRef(cond.shape, a.shape), b.shape);
  return generate(shape, (c) =>
    valueAt(cond, broadcastCoords(c, cond.shape)) !== 0 ? valueAt(a, broadcastCoords(c, a.shape)) : valueAt(b, broadcastCoords(c, b.shape)));
}
