/**
 * Seeded random fills and Glorot initialisation.
 *
 * Every value is a hash of (seed, element index) computed on the GPU (kernels/random.wgsl),
 * so a seed gives the same tensor on every run, and fills of different sizes with one seed
 * agree on their common prefix. The bits are the same on every adapter; normal values
 * differ between adapters only by the rounding of their log and cos. Callers choose the seeds: draw them
 * from one seeded generator to make a whole training run reproducible. The results are
 * constants to autograd (no node is recorded).
 */
import type { Device } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import { checkShape, formatShape, sizeOf, type Shape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { launchLinear } from "./common.js";

const RANDOM = defineKernel({
  name: "random", inputs: [], outputs: ["y"],
  params: { count: "u32", seed_lo: "u32", seed_hi: "u32", p0: "f32", p1: "f32" },
});
const Dist = { uniform: 0, normal: 1 } as const;

export interface UniformOptions {
  /** A non-negative safe integer (all 53 bits are used). */
  seed: number;
  /** Default 0. */
  low?: number;
  /** Default 1. */
  high?: number;
}

export interface NormalOptions {
  /** A non-negative safe integer (all 53 bits are used). */
  seed: number;
  /** Default 0. */
  mean?: number;
  /** Default 1. */
  std?: number;
}

function fill(op: string, device: Device, shape: Shape, seed: number, dist: number, p0: number, p1: number): Tensor {
  checkShape(shape, op);
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`${op}: the seed must be a non-negative safe integer, got ${seed}`);
  }
  if (!Number.isFinite(p0) || !Number.isFinite(p1)) {
    throw new Error(`${op}: the distribution's parameters must be finite, got ${p0} and ${p1}`);
  }
  const count = sizeOf(shape);
  if (count >= 2 ** 32) throw new Error(`${op}: ${formatShape(shape)} has 2^32 elements or more; the element index is 32-bit`);
  const params = { count, seed_lo: seed >>> 0, seed_hi: Math.floor(seed / 2 ** 32), p0, p1 };
  return launchLinear(op, RANDOM, [], shape, params, { overrides: { DIST: dist }, device });
}

/** Values uniform in [low, high) (high itself can appear through float32 rounding of a wide range). */
export function randomUniform(device: Device, shape: Shape, options: UniformOptions): Tensor {
  const { seed, low = 0, high = 1 } = options;
  if (!(low <= high)) throw new Error(`randomUniform: low (${low}) must not exceed high (${high})`);
  return fill("randomUniform", device, shape, seed, Dist.uniform, low, high);
}

/** Normally distributed values (Box-Muller; |z| stays below about 5.8 standard deviations). */
export function randomNormal(device: Device, shape: Shape, options: NormalOptions): Tensor {
  const { seed, mean = 0, std = 1 } = options;
  if (!(std >= 0)) throw new Error(`randomNormal: std must be non-negative, got ${std}`);
  return fill("randomNormal", device, shape, seed, Dist.normal, mean, std);
}

/**
 * Fan-in and fan-out of a weight, by this project's layouts: a dense weight is [in, out];
 * a convolution weight is [Cout, Cin, ...kernel], whose fans count every kernel tap
 * (fanIn = Cin * kh * kw, fanOut = Cout * kh * kw, as TensorFlow computes them).
 */
export function glorotFans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new Error(`glorotUniform: a weight needs rank 2 ([in, out]) or more ([Cout, Cin, ...kernel]), got ${formatShape(shape)}`);
  }
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  const taps = sizeOf(shape.slice(2));
  return { fanIn: shape[1]! * taps, fanOut: shape[0]! * taps };
}

/** Glorot (Xavier) uniform initialisation: uniform in +-sqrt(6 / (fanIn + fanOut)). */
export function glorotUniform(device: Device, shape: Shape, options: { seed: number }): Tensor {
  const { fanIn, fanOut } = glorotFans(shape);
  if (fanIn + fanOut === 0) throw new Error(`glorotUniform: the weight ${formatShape(shape)} has no fans (a zero size)`);
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  return randomUniform(device, shape, { seed: options.seed, low: -limit, high: limit });
}
