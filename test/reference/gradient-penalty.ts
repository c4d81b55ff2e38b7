/**
 * The masked gradient penalty, the slow way in float64: per-sample norms straight from the
 * definition, the penalty as their mean squared distance to 1, and the gradient w.r.t. g.
 */

/** g [B, C, H, W], mask [B, 1, H, W] -> per-sample norms sqrt(sum g^2 mask). */
export function penaltyNormsReference(g: ArrayLike<number>, shape: readonly number[], mask: ArrayLike<number>): number[] {
  const [b, c, h, w] = shape as [number, number, number, number];
  const norms: number[] = [];
  for (let n = 0; n < b; n++) {
    let total = 0;
    for (let k = 0; k < c; k++) {
      for (let p = 0; p < h * w; p++) {
        const v = g[((n * c + k) * h * w) + p]!;
        total += v * v * mask[n * h * w + p]!;
      }
    }
    norms.push(Math.sqrt(total));
  }
  return norms;
}

/** mean_b (n_b - 1)^2. */
export function gradientPenaltyReference(g: ArrayLike<number>, shape: readonly number[], mask: ArrayLike<number>): number {
  const norms = penaltyNormsReference(g, shape, mask);
  return norms.reduce((s, n) => s + (n - 1) ** 2, 0) / norms.length;
}

/** d penalty / d g times gy: gy 2 (n_b - 1) / (n_b B) g mask, and 0 where n_b = 0. */
export function gradientPenaltyBackwardReference(gy: number, g: ArrayLike<number>, shape: readonly number[], mask: ArrayLike<number>): Float32Array {
  const [b, c, h, w] = shape as [number, number, number, number];
  const norms = penaltyNormsReference(g, shape, mask);
  const out = new Float32Array(g.length);
  for (let n = 0; n < b; n++) {
    const norm = norms[n]!;
    const scale = norm > 0 ? (gy * 2 * (norm - 1)) / (norm * b) : 0;
    for (let k = 0; k < c; k++) {
      for (let p = 0; p < h * w; p++) {
        const i = (n * c + k) * h * w + p;
        out[i] = scale * g[i]! * mask[n * h * w + p]!;
      }
    }
  }
  return out;
}
