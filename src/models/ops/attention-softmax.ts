/**
 * The fused masked, scaled softmax of contextual attention (kernels/attention_softmax.wgsl):
 * scores [B, P, L] (P foreground positions, L background patches per image) and a 0/1
 * validity [B, L] or [1, L] of the background patches give
 *   a = m * softmax(scale * s * m)  over L,
 * the official DeepFill rule, where invalid logits become 0 rather than -inf, with the
 * weights below NEGLIGIBLE_ATTENTION written as 0.
 *
 * Its vjp is a second fused kernel (attention_softmax_backward.wgsl) that reads only a and
 * the incoming gradient, so the op is first-order only: under grad(..., { createGraph: true })
 * it throws SecondOrderNotSupportedError. DeepFill needs second derivatives only through the
 * critics (the gradient penalty), never through the generator's attention.
 */
import { gridFor } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import { formatShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { record } from "../../autograd/graph.js";
import { deviceOf, expectRank } from "../../autograd/ops/common.js";

const FORWARD = defineKernel({
  name: "attention_softmax", inputs: ["s", "m"], outputs: ["a"],
  params: { rows: "u32", length: "u32", rowsPerImage: "u32", maskImages: "u32", scale: "f32", negligible: "f32" },
});
const BACKWARD = defineKernel({
  name: "attention_softmax_backward", inputs: ["a", "g"], outputs: ["ds"],
  params: { rows: "u32", length: "u32", scale: "f32" },
});

/**
 * Attention weights below this are written as 0. Those dropped from a row of L patches add
 * up to less than L * 1e-20 (1e-17 for the 1024 patches of a 256 x 256 image, 1e-14 for
 * 2^20 patches), while the row's largest weight is at least 1 / L: they cannot change a
 * float32 result. Keeping them is not harmless: lavapipe does not flush subnormal numbers
 * to zero, and arithmetic that meets them ran 20 to 35 times slower there (a 1024^3 matmul
 * with a tenth of one operand subnormal: 73 -> 1514 ms). Weights of 1e-38 to 1e-20 made such
 * values in the products with the patches and the gradients: in a profile of the 256 x 256
 * iteration the attention's matrix products took 2.8 of its 20.3 s, and 1.7 of 19.1 s with
 * this cut. SwiftShader flushes subnormals itself and ran that matmul at one speed.
 */
export const NEGLIGIBLE_ATTENTION = 1e-20;

/** Lanes sharing one row: rows are hundreds to thousands of patches long. */
const ROW_WG = 64;

/**
 * m * softmax(scale * scores * m) along the last axis. `validity` holds 1 for a usable
 * background patch and 0 for one that touches the hole; one row per image, or a single row
 * shared by every image. It is a constant to the gradient.
 */
export function attentionSoftmax(scores: Tensor, validity: Tensor, scale: number): Tensor {
  const op = "attentionSoftmax";
  const device = deviceOf(op, scores, validity);
  expectRank(op, scores, 3, "scores [B, P, L]");
  const [batch, positions, length] = scores.shape as [number, number, number];
  const maskImages = validity.shape[0]!;
  if (validity.rank !== 2 || validity.shape[1] !== length || (maskImages !== 1 && maskImages !== batch)) {
    throw new Error(`${op}: the validity ${formatShape(validity.shape)} must be [${batch}, ${length}] or [1, ${length}] for scores ${formatShape(scores.shape)}`);
  }
  if (!Number.isFinite(scale)) throw new Error(`${op}: the scale must be a finite number, got ${scale}`);
  const a = device.empty(scores.shape);
  const rows = batch * positions;
  if (a.size > 0) {
    device.run(FORWARD, {
      inputs: [scores.buffer(op), validity.buffer(op)],
      outputs: [a.buffer(op)],
      params: { rows, length, rowsPerImage: positions, maskImages, scale, negligible: NEGLIGIBLE_ATTENTION },
      workgroups: gridFor(rows, 1),
      overrides: { WG: ROW_WG },
    });
  }
  return record(op, a, [scores], (g, _, [a]) => [attentionSoftmaxBackward(a, g, scale)], { saved: [a], firstOrderOnly: true });
}

/** ds = scale * a * (g - sum(g * a)) per row: the gradient of attentionSoftmax from its output a. */
function attentionSoftmaxBackward(a: Tensor, g: Tensor, scale: number): Tensor {
  const op = "attentionSoftmax (backward)";
  const device = deviceOf(op, a, g);
  const ds = device.empty(a.shape);
  const length = a.shape[a.rank - 1]!;
  const rows = length === 0 ? 0 : a.size / length;
  if (ds.size > 0) {
    device.run(BACKWARD, {
      inputs: [a.buffer(op), g.buffer(op)],
      outputs: [ds.buffer(op)],
      params: { rows, length, scale },
      workgroups: gridFor(rows, 1),
      overrides: { WG: ROW_WG },
    });
  }
  return ds;
}
