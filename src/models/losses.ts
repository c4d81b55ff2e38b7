/**
 * The DeepFill v1 losses (docs/model.md#losses): the spatially discounted L1 over the bbox crop, the L1
 * over known pixels ("ae"), the WGAN terms and the masked gradient penalty.
 *
 * Every loss returns a scalar tensor with its graph; the weights that combine them (the G
 * loss 0.001 (g_global + g_local) + 1.2 l1 + 1.2 ae, the D loss d_global + d_local +
 * 10 (gp_global + gp_local)) are the training loop's. The 1.2 on the coarse terms inside l1
 * and ae is the official code's and an option here.
 */
import { grad } from "../autograd/grad.js";
import { requireGrad } from "../autograd/graph.js";
import { lerp } from "../autograd/ops/elementwise.js";
import { matmul } from "../autograd/ops/matmul.js";
import type { Box } from "./boxes.js";
import { reconstructionL1 } from "./ops/reconstruction-l1.js";
import { gradientPenalty } from "./ops/gradient-penalty.js";
import { detach, reshape } from "../autograd/ops/layout.js";
import { randomUniform } from "../autograd/ops/random.js";
import type { Device } from "../tensor/device.js";
import { formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * The official discount map for an h x w crop: gamma^min(i, h - i, j, w - j), 1 on the top and
 * left rows, gamma on the last row and column (the code's off-by-one, kept), smallest in the
 * middle (0.9^64 = 0.00118 at 128^2; mean 0.253).
 */
export function borderDiscountValues(height: number, width: number, gamma = 0.9): Float32Array {
  const out = new Float32Array(height * width);
  for (let i = 0; i < height; i++) {
    for (let j = 0; j < width; j++) {
      out[i * width + j] = gamma ** Math.min(i, height - i, j, width - j);
    }
  }
  return out;
}

/**
 * The paper's variant: gamma^d with d the distance of each pixel to the nearest known pixel of
 * its own image (0 on known pixels), for holes [B, H, W] flattened (1 = hole). The distance is
 * the chessboard one (8-neighbour steps, two chamfer passes), which for the rectangular v1
 * holes equals the distance to the nearest side. Compute it on the whole image, then crop.
 */
export function nearestKnownDiscountValues(holes: ArrayLike<number>, shape: readonly [number, number, number], gamma = 0.99): Float32Array {
  const [b, h, w] = shape;
  if (holes.length !== b * h * w) throw new Error(`nearestKnownDiscountValues: ${holes.length} mask values do not fill [${b}, ${h}, ${w}]`);
  const out = new Float32Array(b * h * w);
  const d = new Float64Array(h * w);
  for (let n = 0; n < b; n++) {
    const base = n * h * w;
    for (let p = 0; p < h * w; p++) d[p] = holes[base + p]! > 0.5 ? Infinity : 0;
    const relax = (y: number, x: number, dy: number, dx: number) => {
      for (const [oy, ox] of [[dy, -1], [dy, 0], [dy, 1], [0, dx]] as const) {
        const yy = y + oy;
        const xx = x + ox;
        if (yy >= 0 && yy < h && xx >= 0 && xx < w) d[y * w + x] = Math.min(d[y * w + x]!, d[yy * w + xx]! + 1);
      }
    };
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) relax(y, x, -1, -1);
    for (let y = h - 1; y >= 0; y--) for (let x = w - 1; x >= 0; x--) relax(y, x, 1, 1);
    for (let p = 0; p < h * w; p++) {
      if (d[p] === Infinity) throw new Error(`nearestKnownDiscountValues: image ${n} of the mask has no known pixel, so no distance to one`);
      out[base + p] = gamma ** d[p]!;
    }
  }
  return out;
}

/** borderDiscountValues on the device as [1, 1, height, width] (broadcast over the batch). */
export function borderDiscount(device: Device, height: number, width: number, gamma = 0.9): Tensor {
  return device.tensor(borderDiscountValues(height, width, gamma), [1, 1, height, width]);
}

/** nearestKnownDiscountValues on the device as [B, 1, H, W]; crop it with cropBoxes. */
export function nearestKnownDiscount(device: Device, holes: ArrayLike<number>, shape: readonly [number, number, number], gamma = 0.99): Tensor {
  return device.tensor(nearestKnownDiscountValues(holes, shape, gamma), [shape[0], 1, shape[1], shape[2]]);
}

export interface ReconstructionOptions {
  /** Weight of the coarse output's term (official: 1.2). */
  coarseWeight?: number;
}

/**
 * The discounted L1 over the crops: coarseWeight mean(|P(x) - P(x1)| d) + mean(|P(x) - P(x2)| d),
 * with P the crop to the boxes, the raw (not composited) outputs, and d the discount map,
 * broadcastable to the crops ([1, 1, h, w] or [B, 1, h, w]). Means run over B * 3 * h * w.
 * One fused op (reconstructionL1) that reads the crops in place.
 */
export function l1Loss(image: Tensor, coarse: Tensor, refined: Tensor, boxes: readonly Box[], discount: Tensor,
  options: ReconstructionOptions = {}): Tensor {
  return reconstructionL1(image, coarse, refined, discount, boxes, { coarseWeight: options.coarseWeight ?? 1.2, normalize: "count" });
}

/**
 * The L1 over known pixels, normalised by their share:
 * [coarseWeight mean(|x - x1| (1 - m)) + mean(|x - x2| (1 - m))] / mean(1 - m), mask [B, 1, H, W].
 * The same fused op, over the whole image, weighing by 1 - m and dividing by its sum.
 */
export function aeLoss(image: Tensor, coarse: Tensor, refined: Tensor, mask: Tensor, options: ReconstructionOptions = {}): Tensor {
  const [, , height = 0, width = 0] = image.shape;
  const whole = [{ top: 0, left: 0, height, width }];
  return reconstructionL1(image, coarse, refined, mask, whole, { coarseWeight: options.coarseWeight ?? 1.2, complement: true, normalize: "weight" });
}

/**
 * The critic's WGAN loss mean(D(fake)) - mean(D(real)) from the scores of one forward pass
 * over both, [2B, 1]: the B real images first, then the B fakes (the official code's concat).
 * Taken as one weighted sum (weights -1/B, then 1/B), so the two halves are never sliced out.
 */
export function wganCriticLoss(scores: Tensor): Tensor {
  const count = scores.shape[0]!;
  if (scores.rank !== 2 || scores.shape[1] !== 1 || count % 2 !== 0 || count === 0) {
    throw new Error(`wganCriticLoss: the scores must be [2B, 1] (B real, then B fake), got ${formatShape(scores.shape)}`);
  }
  const half = count / 2;
  return weightedSum(scores, Array.from({ length: count }, (_, i) => (i < half ? -1 : 1) / half));
}

/** The generator's WGAN loss -mean(D(fake)), fake scores [B, 1]. */
export function wganGeneratorLoss(fakeScores: Tensor): Tensor {
  return weightedSum(fakeScores, new Array<number>(fakeScores.size).fill(-1 / fakeScores.size));
}

/**
 * sum_i weights_i scores_i as a scalar, for scores [n, 1]: a [1, n] x [n, 1] product, so one
 * dispatch each way instead of a product and a sum forward and their two vjps back.
 */
function weightedSum(scores: Tensor, weights: readonly number[]): Tensor {
  const row = scores.device.tensor(weights, [1, weights.length]);
  const product = matmul(row, scores);
  const loss = reshape(product, []);
  // Outside a tidy() the intermediates would leak; the graph keeps what the vjps need.
  [row, product].forEach((t) => t.dispose());
  return loss;
}

/**
 * The masked gradient penalty (without lambda): x^ = real + alpha (fake - real) with one
 * alpha ~ U(0, 1) per image (drawn from `seed`), g = dD(x^)/dx^ recorded so the penalty can be
 * differentiated w.r.t. the critic's weights, then mean_b (||g_b * mask_b|| - 1)^2 by the fused
 * gradientPenalty op. x^ is a constant point (detached): this term trains the critic only.
 * mask [B, 1, H, W]: the hole mask for the global critic, its bbox crop for the local one.
 */
export function gradientPenaltyLoss(critic: (x: Tensor) => Tensor, real: Tensor, fake: Tensor, mask: Tensor, seed: number): Tensor {
  if (real.rank !== 4 || real.shape.some((d, i) => d !== fake.shape[i])) {
    throw new Error(`gradientPenaltyLoss: real ${formatShape(real.shape)} and fake ${formatShape(fake.shape)} must be one [B, C, H, W] shape`);
  }
  const alpha = randomUniform(real.device, [real.shape[0]!, 1, 1, 1], { seed });
  const interpolates = requireGrad(detach(lerp(real, fake, alpha)));
  const scores = critic(interpolates);
  // dD/dx^ of each image, seeded with ones rather than taken of the scores' sum: the same
  // gradient without the sum and its broadcast back.
  const ones = real.device.tensor(new Float32Array(scores.size).fill(1), scores.shape);
  const [g] = grad(scores, [interpolates], { createGraph: true, gradOutputs: [ones] });
  return gradientPenalty(g!, detach(mask));
}
