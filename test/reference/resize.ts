/**
 * Nearest resize, the slow way: the source index straight from its definition in float64,
 * the forward pass as a gather and the backward pass as a brute-force scatter-add.
 */
export function sourceIndex(o: number, inSize: number, outSize: number, alignCorners: boolean): number {
  if (!alignCorners) return Math.floor((o * inSize) / outSize);
  if (outSize === 1) return 0;
  // Math.round sends halves up; an exact half is exactly representable, so the division finds it.
  return Math.round((o * (inSize - 1)) / (outSize - 1));
}

/** x [N, C, H, W] -> [N, C, outH, outW]. */
export function resizeReference(x: ArrayLike<number>, shape: readonly number[], size: readonly [number, number],
  alignCorners: boolean): Float32Array {
  const [n, c, h, w] = shape as [number, number, number, number];
  const [oh, ow] = size;
  const y = new Float32Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const sy = sourceIndex(oy, h, oh, alignCorners);
        const sx = sourceIndex(ox, w, ow, alignCorners);
        y[(p * oh + oy) * ow + ox] = x[(p * h + sy) * w + sx]!;
      }
    }
  }
  return y;
}

/** gy [N, C, outH, outW] -> gx [N, C, inH, inW]: every output adds itself onto its source. */
export function resizeBackwardReference(gy: ArrayLike<number>, shape: readonly number[], inputSize: readonly [number, number],
  alignCorners: boolean): Float64Array {
  const [n, c, oh, ow] = shape as [number, number, number, number];
  const [h, w] = inputSize;
  const gx = new Float64Array(n * c * h * w);
  for (let p = 0; p < n * c; p++) {
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const sy = sourceIndex(oy, h, oh, alignCorners);
        const sx = sourceIndex(ox, w, ow, alignCorners);
        gx[(p * h + sy) * w + sx] += gy[(p * oh + oy) * ow + ox]!;
      }
    }
  }
  return gx;
}
