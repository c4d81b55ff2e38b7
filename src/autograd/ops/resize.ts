/**
 * Nearest-neighbour resize of NCHW images and its adjoint.
 *
 * resizeNearest gathers one source pixel per output pixel; resizeNearestBackward sums each
 * input pixel's outputs back onto it. The two are linear and each other's transpose, so
 * each one's vjp is the other and the pair is closed under differentiation.
 *
 * Source index per axis (see kernels/resize_nearest.wgsl): floor(o * in / out) by default;
 * with alignCorners, round(o * (in - 1) / (out - 1)) with halves rounded up: the rule of
 * TensorFlow's resize_nearest_neighbor(align_corners=True), which DeepFill uses, computed
 * exactly here where TensorFlow rounds a float product. x2 upsampling duplicates pixels;
 * 256 -> 64 picks 0, 4, ..., 125, 130, ..., 255.
 */
import { defineKernel, type KernelSpec } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import { record } from "../graph.js";
import { expectRank, launchLinear } from "./common.js";

const PARAMS = { planes: "u32", in_h: "u32", in_w: "u32", out_h: "u32", out_w: "u32", align_corners: "u32" } as const;
const RESIZE = defineKernel({ name: "resize_nearest", inputs: ["x"], outputs: ["y"], params: PARAMS });
const RESIZE_BACKWARD = defineKernel({ name: "resize_nearest_backward", inputs: ["gy"], outputs: ["gx"], params: PARAMS });

export interface ResizeOptions {
  /** Map corner pixels onto corner pixels (TensorFlow's align_corners=True). Default false. */
  alignCorners?: boolean;
}

function checkSizes(op: string, inHW: readonly number[], outHW: readonly number[]): void {
  if (inHW.length !== 2 || outHW.length !== 2 || ![...inHW, ...outHW].every((d) => Number.isInteger(d) && d >= 1)) {
    throw new Error(`${op}: image sizes must be [height, width] with positive integers, got input [${inHW.join(", ")}] and output [${outHW.join(", ")}]`);
  }
  for (let axis = 0; axis < 2; axis++) {
    const a = inHW[axis]!;
    const b = outHW[axis]!;
    // The kernels' index products reach about 2 * in * out and are computed in u32.
    if (2 * a * b + a + b >= 2 ** 32) {
      throw new Error(`${op}: resizing ${a} to ${b} pixels overflows the kernel's 32-bit index arithmetic; resize in two steps`);
    }
  }
}

/** Output pixels per invocation of resize_nearest (see its header). */
const RESIZE_RUN = 16;

function launch(op: string, spec: KernelSpec<typeof PARAMS>, src: Tensor, outShape: number[], inHW: readonly number[],
  outHW: readonly number[], alignCorners: boolean): Tensor {
  const planes = outShape[0]! * outShape[1]!;
  const params = { planes, in_h: inHW[0]!, in_w: inHW[1]!, out_h: outHW[0]!, out_w: outHW[1]!, align_corners: alignCorners ? 1 : 0 };
  if (spec !== RESIZE) return launchLinear(op, spec, [src], outShape, params);
  const runs = planes * outShape[2]! * Math.ceil(outShape[3]! / RESIZE_RUN);
  return launchLinear(op, spec, [src], outShape, params, { invocations: runs, overrides: { RUN: RESIZE_RUN } });
}

/** Resizes x [N, C, H, W] to [N, C, outH, outW] by nearest-neighbour sampling. */
export function resizeNearest(x: Tensor, size: readonly [number, number], options: ResizeOptions = {}): Tensor {
  const op = "resizeNearest";
  expectRank(op, x, 4, "input (NCHW)");
  const [n, c, h, w] = x.shape as [number, number, number, number];
  checkSizes(op, [h, w], size);
  const alignCorners = options.alignCorners ?? false;
  const y = launch(op, RESIZE, x, [n, c, size[0], size[1]], [h, w], size, alignCorners);
  return record(op, y, [x], (g) => [resizeNearestBackward(g, [h, w], { alignCorners })]);
}

/**
 * The adjoint of resizeNearest: gy [N, C, outH, outW] -> [N, C, inH, inW], where each input
 * pixel receives the sum of the outputs that resizeNearest copied from it (the gradient of
 * resizeNearest with respect to its input).
 */
export function resizeNearestBackward(gy: Tensor, inputSize: readonly [number, number], options: ResizeOptions = {}): Tensor {
  const op = "resizeNearestBackward";
  expectRank(op, gy, 4, "gradient (NCHW)");
  const [n, c, outH, outW] = gy.shape as [number, number, number, number];
  checkSizes(op, inputSize, [outH, outW]);
  const alignCorners = options.alignCorners ?? false;
  const gx = launch(op, RESIZE_BACKWARD, gy, [n, c, inputSize[0], inputSize[1]], inputSize, [outH, outW], alignCorners);
  return record(op, gx, [gy], (g) => [resizeNearest(g, [outH, outW], { alignCorners })]);
}
