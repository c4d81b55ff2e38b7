/**
 * The masked WGAN-GP penalty as one fused op (kernels/gradient_penalty.wgsl):
 *
 *   gradientPenalty(g, mask) = mean_b (sqrt(sum_{c,h,w} g^2 * mask) - 1)^2
 *
 * for g [B, C, H, W], the critic's gradient at the interpolates, and mask [B, 1, H, W]
 * (broadcast over channels; DeepFill passes the hole mask, so only hole pixels count).
 *
 * Its vjp is a second fused kernel (gradient_penalty_backward.wgsl), not a composition of
 * differentiable ops, so the op is first-order only: the critic's loss is differentiated once
 * through it (and then through g's own recorded graph down to the critic's weights), and a
 * grad(..., { createGraph: true }) through it raises SecondOrderNotSupportedError. The mask
 * is a constant; one that requires a gradient is refused.
 */
import { gridFor } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import { formatShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { ParamValues } from "../../tensor/uniforms.js";
import { record, requiresGrad } from "../../autograd/graph.js";
import { deviceOf, expectRank, launchLinear } from "../../autograd/ops/common.js";

const PARAMS = { batch: "u32", channels: "u32", plane: "u32" } as const;
const PENALTY = defineKernel({ name: "gradient_penalty", inputs: ["g", "mask"], outputs: ["penalty", "norms"], params: PARAMS });
const PENALTY_BACKWARD = defineKernel({ name: "gradient_penalty_backward", inputs: ["gy", "g", "mask", "norms"], outputs: ["dg"], params: PARAMS });

/** Lanes of the single workgroup that reduces the whole batch (a power of two). */
const REDUCE_WG = 256;

function check(op: string, g: Tensor, mask: Tensor): ParamValues<typeof PARAMS> {
  expectRank(op, g, 4, "gradient (NCHW)");
  expectRank(op, mask, 4, "mask");
  const [b, c, h, w] = g.shape as [number, number, number, number];
  if (mask.shape[0] !== b || mask.shape[1] !== 1 || mask.shape[2] !== h || mask.shape[3] !== w) {
    throw new Error(`${op}: the mask must be [${b}, 1, ${h}, ${w}] (one channel, broadcast over the gradient's ${c}), got ${formatShape(mask.shape)}`);
  }
  if (b === 0) throw new Error(`${op}: the batch is empty; the penalty is a mean over samples`);
  return { batch: b, channels: c, plane: h * w };
}

/** Runs the forward kernel; returns the penalty [] (a scalar) and the norms [B]. */
function penaltyAndNorms(op: string, g: Tensor, mask: Tensor): [Tensor, Tensor] {
  const params = check(op, g, mask);
  const device = deviceOf(op, g, mask);
  const penalty = device.empty([]);
  const norms = device.empty([g.shape[0]!]);
  device.run(PENALTY, {
    inputs: [g.buffer(op), mask.buffer(op)],
    outputs: [penalty.buffer(op), norms.buffer(op)],
    params,
    workgroups: gridFor(1, 1),
    overrides: { WG: REDUCE_WG },
  });
  return [penalty, norms];
}

/** mean_b (||g_b * mask_b||_2 - 1)^2 as a scalar tensor; see the file comment. */
export function gradientPenalty(g: Tensor, mask: Tensor): Tensor {
  const op = "gradientPenalty";
  if (requiresGrad(mask)) {
    throw new Error(`${op}: the mask is a constant of the penalty and must not require a gradient; pass detach(mask)`);
  }
  const [penalty, norms] = penaltyAndNorms(op, g, mask);
  // The vjp recomputes the norms from g (one read of g), so only g and the mask are saved.
  norms.dispose();
  return record(op, penalty, [g], (gy, _, [g, mask]) => [gradientPenaltyBackward(gy, g, mask)], { saved: [g, mask], firstOrderOnly: true });
}

/** The gradient of gradientPenalty(g, mask) w.r.t. g, scaled by gy (a one-element tensor). */
export function gradientPenaltyBackward(gy: Tensor, g: Tensor, mask: Tensor): Tensor {
  const op = "gradientPenaltyBackward";
  if (gy.size !== 1) throw new Error(`${op}: gy must hold one value (the penalty is a scalar), got ${formatShape(gy.shape)}`);
  const [penalty, norms] = penaltyAndNorms(op, g, mask);
  penalty.dispose();
  const dg = launchLinear(op, PENALTY_BACKWARD, [gy, g, mask, norms], g.shape, check(op, g, mask));
  norms.dispose();
  return dg;
}
