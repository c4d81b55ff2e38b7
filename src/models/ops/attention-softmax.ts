/**
 * The fused masked, scaled softmax of contextual attention (kernels/attention_softmax.wgsl):
 * scores [B, P, L] (P foreground positions, L background patches per image) and a 0/1
 * validity [B, L] or [1, L] of the background patches give
 *   a = m * softmax(scale * s * m)  over L,
 * the official DeepFill rule, where invalid logits become 0 rather than -inf.
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
  params: { rows: "u32", length: "u32", rowsPerImage: "u32", maskImages: "u32", scale: "f32" },
});
const BACKWARD = defineKernel({
  name: "attention_softmax_backward", inputs: ["a", "g"], outputs: ["ds"],
  params: { rows: "u32", length: "u32", scale: "f32" },
});

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
      params: { rows, length, rowsPerImage: positions, maskImages, scale },
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
