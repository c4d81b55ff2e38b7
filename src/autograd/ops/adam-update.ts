/**
 * Adam's update of one parameter tensor, in place (kernels/adam.wgsl): the moments m and v
 * and the parameter are overwritten through their existing buffers, so an optimizer step
 * allocates nothing. Not recorded for autograd: an update is not part of any function that
 * is differentiated. Every tensor sharing the parameter's storage (its views) sees the new
 * values, which is what a model holding its parameters wants.
 */
import { gridFor } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import { formatShape, sameShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { deviceOf } from "./common.js";

const ADAM = defineKernel({
  name: "adam", inputs: ["grad"], outputs: ["param", "m", "v"],
  params: { vec_count: "u32", step_size: "f32", beta1: "f32", beta2: "f32", one_minus_beta1: "f32", one_minus_beta2: "f32", eps: "f32" },
});
const WG = 64;

/** One step's numbers; stepSize already holds the bias corrections (TensorFlow's form, see the kernel). */
export interface AdamStep {
  stepSize: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** The four tensors of one update. `name` is what an error calls the parameter. */
export interface AdamSlot {
  name: string;
  param: Tensor;
  grad: Tensor;
  m: Tensor;
  v: Tensor;
}

/** Throws one line naming the parameter unless `slot` can be updated; checks only, so a caller can check every slot before changing any. */
export function checkAdamSlot({ name, param, grad, m, v }: AdamSlot): void {
  deviceOf(`adamUpdate "${name}"`, param, grad, m, v);
  if (!sameShape(grad.shape, param.shape)) {
    throw new Error(`adamUpdate: the gradient of "${name}" has shape ${formatShape(grad.shape)}, the parameter ${formatShape(param.shape)}`);
  }
  if (!sameShape(m.shape, param.shape) || !sameShape(v.shape, param.shape)) {
    throw new Error(`adamUpdate: the moments of "${name}" have shapes ${formatShape(m.shape)} and ${formatShape(v.shape)}, the parameter ${formatShape(param.shape)}`);
  }
  // A buffer bound both read-only and read_write in one dispatch is a validation error.
  if (grad.buffer(name) === param.buffer(name)) throw new Error(`adamUpdate: the gradient of "${name}" is the parameter itself`);
}

/** m <- beta1 m + (1 - beta1) g; v <- beta2 v + (1 - beta2) g^2; param <- param - stepSize m / (sqrt(v) + eps). */
export function adamUpdate(slot: AdamSlot, step: AdamStep): void {
  checkAdamSlot(slot);
  const { name, param, grad, m, v } = slot;
  if (param.size === 0) return;
  const vecCount = Math.ceil(param.size / 4);
  param.device.run(ADAM, {
    inputs: [grad.buffer(name)],
    outputs: [param.buffer(name), m.buffer(name), v.buffer(name)],
    params: {
      vec_count: vecCount, step_size: step.stepSize, beta1: step.beta1, beta2: step.beta2,
      one_minus_beta1: 1 - step.beta1, one_minus_beta2: 1 - step.beta2, eps: step.eps,
    },
    workgroups: gridFor(vecCount, WG),
    overrides: { WG },
  });
}
