/**
 * Slow, obviously right twins of the layout ops, plus the n-dimensional indexing the other
 * references share. An array is its values in row-major order with a shape; every op walks
 * the output's coordinates one by one and fetches the value they name.
 */
export interface NdArray {
  data: ArrayLike<number>;
  shape: readonly number[];
}

export function size(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The coordinates of flat (row-major) position `index` in `shape`. */
export function coordsOf(index: number, shape: readonly number[]): number[] {
  const coords = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    coords[k] = index % shape[k]!;
    index = Math.floor(index / shape[k]!);
  }
  return coords;
}

/** The flat (row-major) position of `coords` in `shape`. */
export function indexOf(coords: readonly number[], shape: readonly number[]): number {
  let index = 0;
  for (let k = 0; k < shape.length; k++) index = index * shape[k]! + coords[k]!;
  return index;
}

/** Builds an array of `shape` from a function of each output coordinate. */
export function generate(shape: readonly number[], at: (coords: number[]) => number): NdArray {
  const data = new Float64Array(size(shape));
  for (let i = 0; i < data.length; i++) data[i] = at(coordsOf(i, shape));
  return { data, shape: [...shape] };
}

/** The value of `x` at `coords`. */
export function valueAt(x: NdArray, coords: readonly number[]): number {
  return x.data[indexOf(coords, x.shape)]!;
}

/** The coordinate in `from` that NumPy broadcasting maps output coordinate `coords` to. */
export function broadcastCoords(coords: readonly number[], from: readonly number[]): number[] {
  const offset = coords.length - from.length;
  return from.map((d, k) => (d === 1 ? 0 : coords[k + offset]!));
}

export function broadcastToRef(x: NdArray, shape: readonly number[]): NdArray {
  return generate(shape, (c) => valueAt(x, broadcastCoords(c, x.shape)));
}

/** Output axis k is input axis perm[k]. */
export function permuteRef(x: NdArray, perm: readonly number[]): NdArray {
  const shape = perm.map((a) => x.shape[a]!);
  return generate(shape, (c) => {
    const source = new Array<number>(x.shape.length);
    perm.forEach((a, k) => (source[a] = c[k]!));
    return valueAt(x, source);
  });
}

export function transposeRef(x: NdArray, a: number, b: number): NdArray {
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permuteRef(x, perm);
}

export function sliceRef(x: NdArray, begin: readonly number[], end: readonly number[]): NdArray {
  const shape = x.shape.map((_, k) => end[k]! - begin[k]!);
  return generate(shape, (c) => valueAt(x, c.map((v, k) => v + begin[k]!)));
}

export function flipRef(x: NdArray, axes: readonly number[]): NdArray {
  return generate(x.shape, (c) => valueAt(x, c.map((v, k) => (axes.includes(k) ? x.shape[k]! - 1 - v : v))));
}

/**
 * Where padded position `s` (relative to the first real element) reads from, for an axis
 * of `n` elements. The mirror modes repeat with a period: reflect walks 0..n-1..1 (period
 * 2n-2), symmetric walks 0..n-1, n-1..0 (period 2n). Zero padding reads nothing (-1).
 */
function padSource(s: number, n: number, mode: "zero" | "reflect" | "symmetric"): number {
  if (s >= 0 && s < n) return s;
  if (mode === "zero") return -1;
  const period = mode === "reflect" ? 2 * n - 2 : 2 * n;
  const m = ((s % period) + period) % period;
  if (m < n) return m;
  return mode === "reflect" ? period - m : period - 1 - m;
}

export function padRef(x: NdArray, pads: readonly (readonly [number, number])[], mode: "zero" | "reflect" | "symmetric"): NdArray {
  const shape = x.shape.map((n, k) => n + pads[k]![0] + pads[k]![1]);
  return generate(shape, (c) => {
    const source = c.map((v, k) => padSource(v - pads[k]![0], x.shape[k]!, mode));
    return source.includes(-1) ? 0 : valueAt(x, source);
  });
}

export function concatRef(xs: readonly NdArray[], axis: number): NdArray {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
  return generate(shape, (c) => {
    let along = c[axis]!;
    for (const x of xs) {
      if (along < x.shape[axis]!) return valueAt(x, c.map((v, k) => (k === axis ? along : v)));
      along -= x.shape[axis]!;
    }
    throw new Error("concatRef: coordinate past the end");
  });
}
