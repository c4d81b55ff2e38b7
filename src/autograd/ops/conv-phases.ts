/**
 * The stride phases of a transposed convolution. With stride s, the input positions
 * i = phase + s j (one phase per residue mod s) each receive the taps of one residue class
 * only, so the transposed convolution splits into s_h x s_w plain (stride-1) correlations
 * of gy with a flipped, subsampled weight. Both fast kernel families run it this way.
 *
 * Along one axis, the taps reaching phase p are those with (p + padBefore - tap dilation)
 * divisible by the stride: the progression first + step t (t < count), tap t reading gy at
 * j + q - e t. Taken in reverse order (t' = count - 1 - t) they read gy forwards:
 *   gx[p + s j] = sum over t' of gy[j + start + e t'] w[lastTap - step t'],
 * with start = q - e (count - 1) and lastTap = first + step (count - 1).
 */
export interface AxisPhase {
  phase: number;
  /** How far the weight index and the gy index move per tap, and the number of taps. */
  step: number;
  e: number;
  count: number;
  /** Input positions of this phase: phase + stride j for j < positions. */
  positions: number;
  /** Where tap t' = 0 reads gy for j = 0 (may be negative: the correlation's padding). */
  start: number;
  /** The weight index of tap t' = 0. */
  lastTap: number;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export function axisPhases(size: number, kernel: number, stride: number, dilation: number, padBefore: number): AxisPhase[] {
  const step = stride / gcd(dilation, stride);
  const e = dilation / gcd(dilation, stride);
  const phases: AxisPhase[] = [];
  for (let phase = 0; phase < Math.min(stride, size); phase++) {
    let first = 0;
    while (first < kernel && (phase + padBefore - first * dilation) % stride !== 0) first++;
    const count = first < kernel ? Math.ceil((kernel - first) / step) : 0;
    const q = count > 0 ? (phase + padBefore - first * dilation) / stride : 0;
    const start = count > 0 ? q - e * (count - 1) : 0;
    const lastTap = count > 0 ? first + step * (count - 1) : 0;
    phases.push({ phase, step, e, count, positions: Math.ceil((size - phase) / stride), start, lastTap });
  }
  return phases;
}
