/** Helpers shared by the op families: argument checks and launches over a 1-D range of invocations. */
import type { Device } from "../../tensor/device.js";
import { gridFor } from "../../tensor/device.js";
import type { KernelSpec, Overrides } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { ParamsLayout, ParamValues } from "../../tensor/uniforms.js";
import { formatShape } from "../../tensor/shape.js";

/** Lanes per workgroup of the kernels launched over a 1-D range (elementwise, reductions, direct convolutions, copies). */
export const LINEAR_WG = 64;

/** The device of the op's inputs; each must be alive and on the same device. */
export function deviceOf(op: string, ...tensors: Tensor[]): Device {
  const device = tensors[0]!.device;
  for (const t of tensors) {
    t.buffer(op);
    if (t.device !== device) throw new Error(`${op}: the inputs live on different devices`);
  }
  return device;
}

export interface LaunchOptions {
  overrides?: Overrides;
  /** Needed when there are no inputs to take it from. */
  device?: Device;
  /** Invocations to run (default: one per output element). */
  invocations?: number;
}

/**
 * Runs a kernel into a new output of `shape` over a 1-D range of invocations (one per output
 * element unless `invocations` says otherwise), in workgroups of LINEAR_WG lanes.
 */
export function launchLinear<L extends ParamsLayout>(op: string, spec: KernelSpec<L>, inputs: readonly Tensor[], shape: readonly number[],
  params: ParamValues<L>, options: LaunchOptions = {}): Tensor {
  const device = options.device ?? deviceOf(op, ...inputs);
  const out = device.empty(shape);
  if (out.size === 0) return out;
  device.run(spec, {
    inputs: inputs.map((t) => t.buffer(op)),
    outputs: [out.buffer(op)],
    params,
    workgroups: gridFor(options.invocations ?? out.size, LINEAR_WG),
    overrides: { WG: LINEAR_WG, ...options.overrides },
  });
  return out;
}

export function expectRank(op: string, t: Tensor, rank: number, what = "input"): void {
  if (t.rank !== rank) throw new Error(`${op}: the ${what} must have rank ${rank}, got shape ${formatShape(t.shape)}`);
}

/** The largest rank the strided kernels take (two vec4 blocks of axes). */
export const MAX_RANK = 8;

/** The uniform type of one per-axis array (a shape, strides) of the strided kernels. */
export const AXES = `array<vec4<i32>, ${MAX_RANK / 4}>` as const;

export function expectMaxRank(op: string, shape: readonly number[]): void {
  if (shape.length > MAX_RANK) {
    throw new Error(`${op}: shape ${formatShape(shape)} has rank ${shape.length}; the kernels take at most ${MAX_RANK} axes (reshape first)`);
  }
}
