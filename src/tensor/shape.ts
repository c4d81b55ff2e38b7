/** Shape arithmetic shared by the runtime and the ops. Shapes are plain arrays of sizes. */
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

/** Row-major (C order) strides in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = stride;
    stride *= shape[i]!;
  }
  return strides;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export function checkShape(shape: Shape, what: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(`${what}: invalid shape ${formatShape(shape)}; sizes must be non-negative integers`);
    }
  }
}

/** Normalises an axis that may count from the end (-1 is the last axis). */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new Error(`${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** NumPy broadcasting of two shapes; `op` names the operation in the error. */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together ` +
          `(axis ${i} has sizes ${da} and ${db}; each pair must be equal or one of them 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides that read a tensor of `shape` as if broadcast to `target` (0 on broadcast axes). */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const offset = target.length - shape.length;
  return target.map((_, i) => {
    const d = shape[i - offset];
    return d === undefined || d === 1 ? 0 : own[i - offset]!;
  });
}

/**
 * The same walk over fewer axes: drops axes of size 1 and merges each axis into the merged
 * axis after it where every operand steps over that one contiguously (its stride on axis k
 * is the merged axis's stride times the merged axis's size; two broadcast axes qualify too,
 * both strides being 0). Element i of the merged shape has the same offsets as element i of
 * the original. Keeps one axis at least.
 */
export function mergeAxes(shape: Shape, strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const merged: number[] = [];
  const mergedStrides: number[][] = strides.map(() => []);
  for (let k = shape.length - 1; k >= 0; k--) {
    const size = shape[k]!;
    if (size === 1) continue;
    // A merged axis keeps the stride of its innermost axis.
    if (merged.length > 0 && strides.every((s, j) => s[k] === mergedStrides[j]![0]! * merged[0]!)) {
      merged[0] = merged[0]! * size;
      continue;
    }
    merged.unshift(size);
    strides.forEach((s, j) => mergedStrides[j]!.unshift(s[k]!));
  }
  if (merged.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: merged, strides: mergedStrides };
}
