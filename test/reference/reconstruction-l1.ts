/**
 * The fused reconstruction loss, the slow way: float64 loops over every cropped pixel for the
 * loss, and its gradient w.r.t. both estimates at gy = 1 (sign(0) taken as 0).
 */
export interface ReferenceBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

export interface ReferenceOptions {
  coarseWeight: number;
  complement: boolean;
  normalize: "count" | "weight";
}

export function reconstructionL1Reference(image: ArrayLike<number>, coarse: ArrayLike<number>, refined: ArrayLike<number>,
  weight: ArrayLike<number>, shape: readonly [number, number, number, number], boxes: readonly ReferenceBox[], options: ReferenceOptions) {
  const [b, c, h, w] = shape;
  const { height, width } = boxes[0]!;
  const shared = weight.length === height * width;
  let total = 0;
  let weightSum = 0;
  const dCoarse = new Float64Array(b * c * h * w);
  const dRefined = new Float64Array(b * c * h * w);
  const weightAt = (n: number, i: number, j: number) => {
    const v = weight[(shared ? 0 : n * height * width) + i * width + j]!;
    return options.complement ? 1 - v : v;
  };
  for (let n = 0; n < b; n++) {
    const box = boxes[boxes.length === 1 ? 0 : n]!;
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        weightSum += weightAt(n, i, j);
        for (let k = 0; k < c; k++) {
          const p = ((n * c + k) * h + box.top + i) * w + box.left + j;
          total += weightAt(n, i, j) * (options.coarseWeight * Math.abs(image[p]! - coarse[p]!) + Math.abs(image[p]! - refined[p]!));
          dCoarse[p] = weightAt(n, i, j) * options.coarseWeight * Math.sign(coarse[p]! - image[p]!);
          dRefined[p] = weightAt(n, i, j) * Math.sign(refined[p]! - image[p]!);
        }
      }
    }
  }
  const divisor = options.normalize === "count" ? b * c * height * width : c * weightSum;
  return { loss: total / divisor, dCoarse: dCoarse.map((v) => v / divisor), dRefined: dRefined.map((v) => v / divisor) };
}
