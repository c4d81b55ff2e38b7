/** Plain softmax along one axis in float64: the textbook formula, max subtracted. */
export function softmaxReference(x: ArrayLike<number>, shape: readonly number[], axis: number): Float64Array {
  const a = axis < 0 ? axis + shape.length : axis;
  const outer = shape.slice(0, a).reduce((p, d) => p * d, 1);
  const length = shape[a]!;
  const inner = shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const y = new Float64Array(outer * length * inner);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const at = (k: number) => (o * length + k) * inner + i;
      let m = -Infinity;
      for (let k = 0; k < length; k++) m = Math.max(m, x[at(k)]!);
      let s = 0;
      for (let k = 0; k < length; k++) s += Math.exp(x[at(k)]! - m);
      for (let k = 0; k < length; k++) y[at(k)] = Math.exp(x[at(k)]! - m) / s;
    }
  }
  return y;
}
