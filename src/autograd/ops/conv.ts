/**
 * The convolution family on NCHW tensors: conv2d, conv2dBackwardInput (the transposed
 * convolution) and conv2dBackwardFilter. The three are closed under differentiation: each
 * one's vjp is written with the other two, so gradients of gradients (the WGAN gradient
 * penalty) work to any order. convTranspose2d is conv2dBackwardInput with PyTorch's meaning.
 *
 * Mirror padding (reflect, symmetric) is an explicit `pad` followed by an unpadded
 * convolution, so its gradient flows through pad's own vjp.
 *
 * conv2d may apply an activation in the kernel's epilogue (a network layer's conv + bias +
 * activation in one dispatch). Its vjp is then exactly the composition: the activation's
 * slope, read from the output (activationBackward), times gy, then the convolution's own
 * gradients; the pre-activation tensor is never written. That product and its sum, the bias
 * gradient, come from one pass (activationBackwardSum).
 */
import type { Device } from "../../tensor/device.js";
import type { Tensor } from "../../tensor/tensor.js";
import { formatShape, type Shape } from "../../tensor/shape.js";
import { record } from "../graph.js";
import { deviceOf, expectRank } from "./common.js";
import {
  backwardFilterDirect, backwardFilterGemm, backwardInputDirect, backwardInputGemm,
  forwardDirect, forwardGemm, type ConvGeometry,
} from "./conv-kernels.js";
import {
  convOutputShape, convOutSize, describe, hasPadding, resolveConvParams, withoutPadding,
  type ConvOptions, type ConvParams, type ConvVariant,
} from "./conv-params.js";
import { backwardFilterLanes, backwardInputLanes, forwardLanes } from "./conv-lanes.js";
import { lanesByDefault, lanesFits, lanesPacksByDefault, lanesUnavailable, rowsShareCacheSets } from "./lanes.js";
import { tunedChoice } from "../../tensor/autotune.js";
import { noteTunable } from "./tunable-shapes.js";
import { pad } from "./layout.js";
import { sum } from "./reduce.js";
import { activationBackward, checkActivation, type ActivationFunction } from "./elementwise.js";
import { activationBackwardSum } from "./activation-backward-sum.js";

type Shape4 = [number, number, number, number];

function shape4(op: string, shape: Shape, what: string): Shape4 {
  if (shape.length !== 4) throw new Error(`${op}: the ${what} must be a 4-D shape, got ${formatShape(shape)}`);
  return [...shape] as Shape4;
}

/** Checks that w [cout, cin, kh, kw] fits an input of `input` [B, cin, H, W]. */
function checkWeight(op: string, input: Shape, w: Shape): void {
  if (w.length !== 4 || w[1] !== input[1]) {
    throw new Error(`${op}: the weight ${formatShape(w)} must be [cout, cin, kh, kw] with cin = ${input[1]} (the input ${formatShape(input)})`);
  }
}

/** Runs `conv` on x padded with the mirror mode. */
function withMirrorPad(x: Tensor, p: ConvParams, conv: (padded: Tensor, p: ConvParams) => Tensor): Tensor {
  const [top, bottom, left, right] = p.padding;
  const padded = pad(x, [[0, 0], [0, 0], [top, bottom], [left, right]], p.padMode);
  // The padded copy goes even when the convolution refuses (a lanes variant this adapter cannot run).
  try {
    return conv(padded, withoutPadding(p));
  } finally {
    padded.dispose();
  }
}

export type ConvDirection = "conv2d" | "conv2dBackwardInput" | "conv2dBackwardFilter";
export type ConvKernel = Exclude<ConvVariant, "auto">;

/**
 * Convolutions of one direction whose channel counts and output pixels are within a factor
 * of two of each other, with the same window (size, stride, dilation), share a tuning result;
 * filter gradients whose output-gradient planes share cache sets form classes of their own
 * (":aliased"), which also time the packed lanes kernels (conv-tune.ts).
 */
export function convShapeClass(op: ConvDirection, g: ConvGeometry): string {
  const bucket = (x: number) => Math.ceil(Math.log2(Math.max(1, x)));
  const [batch, cin] = g.input;
  const { kernel, stride, dilation } = g.params;
  const aliased = op === "conv2dBackwardFilter" && rowsShareCacheSets(g.out[0] * g.out[1]) ? ":aliased" : "";
  return `${op}:${bucket(cin)}:${bucket(g.cout)}:${bucket(batch * g.out[0] * g.out[1])}:${kernel.join("x")}:s${stride.join("x")}:d${dilation.join("x")}${aliased}`;
}

const isLanes = (kernel: ConvKernel): kernel is "lanes" | "lanes-packed" => kernel === "lanes" || kernel === "lanes-packed";
const CONV_KERNELS: readonly ConvKernel[] = ["direct", "gemm", "lanes", "lanes-packed"];

/**
 * The kernel family for a variant: "auto" takes what tuneConv measured fastest for this
 * adapter and shape class, else the lanes kernels where they are the default (CPU adapters
 * with a fixed subgroup width, where they ran about 4x faster than gemm on lavapipe; see
 * the bench; filter gradients packed where the width packs by default) and the
 * workgroup-tiled gemm kernels elsewhere.
 */
function chooseKernel(op: ConvDirection, device: Device, g: ConvGeometry): ConvKernel {
  const p = g.params;
  if (p.variant !== "auto" && isLanes(p.variant) && !lanesFits(device)) throw lanesUnavailable(op, device, 'variant "gemm"');
  if (p.variant !== "auto") return p.variant;
  const key = convShapeClass(op, g);
  noteTunable(() => ({ op: "conv", key, direction: op, input: g.input, weight: [g.cout, g.input[1], p.kernel[0], p.kernel[1]], params: p }));
  const stored = tunedChoice(device, key);
  const tuned = CONV_KERNELS.find((k) => k === stored);
  if (tuned && (!isLanes(tuned) || lanesFits(device))) return tuned;
  if (!lanesByDefault(device)) return "gemm";
  return op === "conv2dBackwardFilter" && lanesPacksByDefault(device) ? "lanes-packed" : "lanes";
}

function geometry(op: string, input: Shape, cout: number, p: ConvParams): ConvGeometry {
  const [, , ho, wo] = convOutputShape(op, input, cout, p);
  return { input: shape4(op, input, "input"), cout, out: [ho, wo], params: p };
}

/**
 * y = activation(x (*) w (+ bias)): x [B, cin, H, W], w [cout, cin, kh, kw], bias [cout] ->
 * y [B, cout, Ho, Wo]; no activation by default. Options: stride, dilation, padding (number,
 * [top, bottom, left, right], "same" or "valid"), padMode, and the kernel variant.
 */
export function conv2d(x: Tensor, w: Tensor, options: ConvOptions = {}, bias?: Tensor, activation?: ActivationFunction): Tensor {
  const op = "conv2d";
  deviceOf(op, x, w, ...(bias ? [bias] : []));
  expectRank(op, x, 4);
  checkWeight(op, x.shape, w.shape);
  if (bias && (bias.rank !== 1 || bias.shape[0] !== w.shape[0])) {
    throw new Error(`${op}: the bias ${formatShape(bias.shape)} must be [${w.shape[0]}] (one per output channel)`);
  }
  if (activation) checkActivation(activation);
  const p = resolveConvParams(op, options, [w.shape[2]!, w.shape[3]!], [x.shape[2]!, x.shape[3]!]);
  if (p.padMode !== "zero" && hasPadding(p)) return withMirrorPad(x, p, (padded, q) => conv2d(padded, w, q, bias, activation));
  const g = geometry(op, x.shape, w.shape[0]!, p);
  const kernel = chooseKernel(op, deviceOf(op, x), g);
  const forward = isLanes(kernel) ? forwardLanes : kernel === "gemm" ? forwardGemm : forwardDirect;
  const y = forward(x, w, bias, g, activation);
  const inputs = bias ? [x, w, bias] : [x, w];
  return record(op, y, inputs, (gy, needed, [x, w, y]) => {
    let [gpre, gbias]: [Tensor, Tensor | null] = [gy, null];
    if (activation && needed[2]) [gpre, gbias] = activationBackwardSum(activation, gy, y!);
    else {
      if (activation) gpre = activationBackward(activation, gy, y!);
      if (needed[2]) gbias = sum(gpre, [0, 2, 3]);
    }
    return [
      needed[0] ? conv2dBackwardInput(gpre, w, x.shape, p) : null,
      needed[1] ? conv2dBackwardFilter(x, gpre, w.shape, p) : null,
      gbias,
    ];
  }, { saved: activation ? [x, w, y] : [x, w] });
}

/**
 * The gradient of conv2d with respect to its input, which is the transposed convolution:
 * gy [B, cout, Ho, Wo], w [cout, cin, kh, kw] -> [B, cin, H, W] = inputShape. Taking the
 * input's size settles which H a strided convolution came from.
 */
export function conv2dBackwardInput(gy: Tensor, w: Tensor, inputShape: Shape, options: ConvOptions = {}): Tensor {
  const op = "conv2dBackwardInput";
  deviceOf(op, gy, w);
  expectRank(op, gy, 4, "output gradient");
  const input = shape4(op, inputShape, "input shape");
  checkWeight(op, input, w.shape);
  const p = resolveConvParams(op, options, [w.shape[2]!, w.shape[3]!], [input[2], input[3]]);
  if (p.padMode !== "zero" && hasPadding(p)) {
    throw new Error(`${op}: ${p.padMode} padding has no direct transposed form; differentiate conv2d(x, w, { padMode: "${p.padMode}" }) instead, whose gradient goes through pad`);
  }
  const expected = convOutputShape(op, input, w.shape[0]!, p);
  if (expected.some((d, i) => d !== gy.shape[i])) {
    throw new Error(`${op}: a convolution of ${formatShape(input)} by ${formatShape(w.shape)} (${describe(p)}) gives ${formatShape(expected)}, not the gradient's ${formatShape(gy.shape)}`);
  }
  const g = geometry(op, input, w.shape[0]!, p);
  const kernel = chooseKernel(op, deviceOf(op, gy), g);
  const gx = isLanes(kernel) ? backwardInputLanes(gy, w, g) : kernel === "gemm" ? backwardInputGemm(gy, w, g) : backwardInputDirect(gy, w, g);
  return record(op, gx, [gy, w], (gz, needed, [gy, w]) => [
    needed[0] ? conv2d(gz, w, p) : null,
    needed[1] ? conv2dBackwardFilter(gz, gy, w.shape, p) : null,
  ], { saved: [gy, w] });
}

/**
 * The gradient of conv2d with respect to its weight: x [B, cin, H, W], gy [B, cout, Ho, Wo]
 * -> [cout, cin, kh, kw] = weightShape.
 */
export function conv2dBackwardFilter(x: Tensor, gy: Tensor, weightShape: Shape, options: ConvOptions = {}): Tensor {
  const op = "conv2dBackwardFilter";
  deviceOf(op, x, gy);
  expectRank(op, x, 4);
  expectRank(op, gy, 4, "output gradient");
  const wShape = shape4(op, weightShape, "weight shape");
  checkWeight(op, x.shape, wShape);
  const p = resolveConvParams(op, options, [wShape[2], wShape[3]], [x.shape[2]!, x.shape[3]!]);
  if (p.padMode !== "zero" && hasPadding(p)) return withMirrorPad(x, p, (padded, q) => conv2dBackwardFilter(padded, gy, wShape, q));
  const expected = convOutputShape(op, x.shape, wShape[0], p);
  if (expected.some((d, i) => d !== gy.shape[i])) {
    throw new Error(`${op}: a convolution of ${formatShape(x.shape)} by ${formatShape(wShape)} (${describe(p)}) gives ${formatShape(expected)}, not the gradient's ${formatShape(gy.shape)}`);
  }
  const g = geometry(op, x.shape, wShape[0], p);
  const kernel = chooseKernel(op, deviceOf(op, x), g);
  const gw = isLanes(kernel) ? backwardFilterLanes(x, gy, g, kernel === "lanes-packed") : kernel === "gemm" ? backwardFilterGemm(x, gy, g) : backwardFilterDirect(x, gy, g);
  return record(op, gw, [x, gy], (gv, needed, [x, gy]) => [
    needed[0] ? conv2dBackwardInput(gy, gv, x.shape, p) : null,
    needed[1] ? conv2d(x, gv, p) : null,
  ], { saved: [x, gy] });
}

/**
 * Transposed convolution as in PyTorch: x [B, cin, H, W], w [cin, cout, kh, kw] ->
 * [B, cout, Ho, Wo] with Ho = (H - 1) * stride - top - bottom + dilation * (kh - 1) + 1,
 * unless `outputSize` [Ho, Wo] picks another size that a stride would map back to H.
 * "same" padding is resolved against the output size (TF's conv2d_transpose: Ho = H * stride).
 */
export function convTranspose2d(x: Tensor, w: Tensor, options: ConvOptions = {}, outputSize?: readonly [number, number]): Tensor {
  const op = "convTranspose2d";
  expectRank(op, x, 4);
  if (w.rank !== 4 || w.shape[0] !== x.shape[1]) {
    throw new Error(`${op}: the weight ${formatShape(w.shape)} must be [cin, cout, kh, kw] with cin = ${x.shape[1]} (the input ${formatShape(x.shape)})`);
  }
  const [kh, kw] = [w.shape[2]!, w.shape[3]!];
  const stride = typeof options.stride === "number" ? [options.stride, options.stride] : options.stride ?? [1, 1];
  const size = outputSize ?? (options.padding === "same"
    ? [x.shape[2]! * stride[0]!, x.shape[3]! * stride[1]!]
    : outputSizeOf(op, x.shape, [kh, kw], resolveConvParams(op, options, [kh, kw], [1, 1])));
  const p = resolveConvParams(op, options, [kh, kw], [size[0]!, size[1]!]);
  return conv2dBackwardInput(x, w, [x.shape[0]!, w.shape[1]!, size[0]!, size[1]!], p);
}

function outputSizeOf(op: string, shape: Shape, kernel: readonly [number, number], p: ConvParams): [number, number] {
  const sizes = [0, 1].map((a) => {
    const [before, after] = [p.padding[2 * a]!, p.padding[2 * a + 1]!];
    const n = (shape[2 + a]! - 1) * p.stride[a]! - before - after + p.dilation[a]! * (kernel[a]! - 1) + 1;
    if (n < 1 || convOutSize(n, kernel[a]!, p.stride[a]!, p.dilation[a]!, before, after) !== shape[2 + a]) {
      throw new Error(`${op}: no output size fits the input ${formatShape(shape)} with ${describe(p)}; reduce the padding`);
    }
    return n;
  });
  return [sizes[0]!, sizes[1]!];
}

export { samePadding, type ConvOptions, type ConvParams, type ConvVariant } from "./conv-params.js";
