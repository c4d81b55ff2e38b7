/**
 * Adam's update of parameter tensors, in place (kernels/adam.wgsl), two tensors per dispatch:
 * the moments m and v and the parameter are overwritten through their existing buffers, so an
 * optimizer step allocates nothing that outlives it. Not recorded for autograd: an update is
 * not part of any function that is differentiated. Every tensor sharing a parameter's storage
 * (its views) sees the new values, which is what a model holding its parameters wants.
 */
import { gridFor } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import { formatShape, sameShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { deviceOf } from "./common.js";

const ADAM = defineKernel({
  name: "adam", inputs: ["grad0", "grad1"], outputs: ["param0", "m0", "v0", "param1", "m1", "v1"],
  params: { vec_count0: "u32", vec_count1: "u32", step_size: "f32", beta1: "f32", beta2: "f32", one_minus_beta1: "f32", one_minus_beta2: "f32", eps: "f32" },
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

/**
 * For each slot: m <- beta1 m + (1 - beta1) g; v <- beta2 v + (1 - beta2) g^2;
 * param <- param - stepSize m / (sqrt(v) + eps). Checks every slot before recording anything.
 */
export function adamUpdate(slots: readonly AdamSlot[], step: AdamStep): void {
  for (const slot of slots) checkAdamSlot(slot);
  const pending = slots.filter((s) => s.param.size > 0);
  while (pending.length > 0) {
    const first = pending.shift()!;
    // A second tensor whose buffers are the first's (views of one storage) cannot share the
    // dispatch: one buffer bound twice, once writable, is a validation error.
    const second = pending.length > 0 && !sharesStorage(first, pending[0]!) ? pending.shift()! : null;
    launch(first, second, step);
  }
}

function buffers({ name, param, grad, m, v }: AdamSlot): GPUBuffer[] {
  return [param, grad, m, v].map((t) => t.buffer(name));
}

function sharesStorage(a: AdamSlot, b: AdamSlot): boolean {
  const mine = new Set(buffers(a));
  return buffers(b).some((buffer) => mine.has(buffer));
}

/** One dispatch over `first` and, when given, `second`; without it slot 1 is empty and bound to scratch buffers. */
function launch(first: AdamSlot, second: AdamSlot | null, step: AdamStep): void {
  const device = first.param.device;
  const scratch = second ? [] : [device.empty([4]), device.empty([4]), device.empty([4])];
  const [g1, p1, m1, v1] = second ? [second.grad, second.param, second.m, second.v] : [first.grad, ...scratch] as Tensor[];
  const vecs = (slot: AdamSlot | null) => (slot ? Math.ceil(slot.param.size / 4) : 0);
  const name = first.name;
  device.run(ADAM, {
    inputs: [first.grad.buffer(name), g1!.buffer(name)],
    outputs: [first.param, first.m, first.v, p1!, m1!, v1!].map((t) => t.buffer(name)),
    params: {
      vec_count0: vecs(first), vec_count1: vecs(second), step_size: step.stepSize, beta1: step.beta1, beta2: step.beta2,
      one_minus_beta1: 1 - step.beta1, one_minus_beta2: 1 - step.beta2, eps: step.eps,
    },
    workgroups: gridFor(vecs(first) + vecs(second), WG),
    overrides: { WG },
  });
  for (const t of scratch) t.dispose();
}
