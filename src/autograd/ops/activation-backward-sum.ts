/**
 * A layer's two gradients below its activation, for y = f(conv + bias) with channels on
 * axis 1: the gradient at the pre-activation, g * f'(x) (activationBackward), and the bias
 * gradient, that tensor's sum over every axis but the channels. One pass of
 * kernels/activation_backward_sum.wgsl computes both where it applies: when the result
 * records no node (the fused kernel has no vjp of its own; under grad's createGraph the two
 * ops below record theirs) and when each channel's run of pixels is whole vec4s.
 */
import { gridFor } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import { formatShape, sameShape, sizeOf } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { isRecording, requiresGrad } from "../graph.js";
import { deviceOf } from "./common.js";
import { activationBackward, ActivationSlope, type ActivationFunction } from "./elementwise.js";
import { outerInnerLanes, sum } from "./reduce.js";

const ACTIVATION_BACKWARD_SUM = defineKernel({
  name: "activation_backward_sum", inputs: ["g", "y"], outputs: ["dx", "sums"],
  params: { outer: "u32", kept: "u32", inner4: "u32", p0: "f32" },
});

/** [g f'(x), its sum over all axes but 1] for an activation's gradient g and output y. */
export function activationBackwardSum(f: ActivationFunction, g: Tensor, y: Tensor): [Tensor, Tensor] {
  const op = `${f.kind}BackwardSum`;
  const device = deviceOf(op, g, y);
  if (!sameShape(g.shape, y.shape) || y.rank < 2) {
    throw new Error(`${op}: the gradient ${formatShape(g.shape)} and the output ${formatShape(y.shape)} must have one shape with channels on axis 1`);
  }
  const [outer, kept, inner] = [y.shape[0]!, y.shape[1]!, sizeOf(y.shape.slice(2))];
  const recorded = isRecording() && (requiresGrad(g) || requiresGrad(y));
  if (recorded || inner % 4 !== 0 || y.size === 0) {
    const pre = activationBackward(f, g, y);
    return [pre, sum(pre, y.shape.map((_, i) => i).filter((i) => i !== 1))];
  }
  const dx = device.empty(y.shape);
  const sums = device.empty([kept]);
  device.run(ACTIVATION_BACKWARD_SUM, {
    inputs: [g.buffer(op), y.buffer(op)],
    outputs: [dx.buffer(op), sums.buffer(op)],
    params: { outer, kept, inner4: inner / 4, p0: f.parameter },
    workgroups: gridFor(kept, 1),
    overrides: { OP: ActivationSlope[f.kind], WG: outerInnerLanes(outer * inner / 4) },
  });
  return [dx, sums];
}
