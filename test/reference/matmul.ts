/** The obvious triple loop, in float64, with the same shape and transpose rules as matmul(). */
export interface MatrixOperand {
  data: ArrayLike<number>;
  shape: readonly number[];
  transposed?: boolean;
}

/** op(A) x op(B) for rank-2 or rank-3 operands; a batch of 1 (or rank 2) is shared. */
export function referenceMatmul(a: MatrixOperand, b: MatrixOperand): { data: Float32Array; shape: number[] } {
  const [ba, ra, ca] = a.shape.length === 3 ? a.shape : [1, ...a.shape];
  const [bb, rb, cb] = b.shape.length === 3 ? b.shape : [1, ...b.shape];
  const m = a.transposed ? ca! : ra!;
  const k = a.transposed ? ra! : ca!;
  const n = b.transposed ? rb! : cb!;
  const batch = Math.max(ba!, bb!);
  const aAt = (p: number, i: number, q: number) =>
    a.data[(ba === 1 ? 0 : p) * ra! * ca! + (a.transposed ? q * ca! + i : i * ca! + q)]!;
  const bAt = (p: number, q: number, j: number) =>
    b.data[(bb === 1 ? 0 : p) * rb! * cb! + (b.transposed ? j * cb! + q : q * cb! + j)]!;
  const out = new Float32Array(batch * m * n);
  for (let p = 0; p < batch; p++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let q = 0; q < k; q++) sum += aAt(p, i, q) * bAt(p, q, j);
        out[(p * m + i) * n + j] = sum;
      }
    }
  }
  const shape = a.shape.length === 2 && b.shape.length === 2 ? [m, n] : [batch, m, n];
  return { data: out, shape };
}
