/**
 * The WGAN critic and its masked gradient penalty, the slow way in float64: 5x5 stride-2
 * 'SAME' convolutions with bias and leaky ReLU 0.2, the NHWC flatten and a dense layer to one
 * score per image; the input gradient by the chain rule written out backwards; the penalty at
 * alpha-interpolates; and its gradient w.r.t. every parameter by central differences.
 */
import { conv2dBackwardInputRef, conv2dRef, type RefConvParams } from "./conv.js";
import { gradientPenaltyReference } from "./gradient-penalty.js";
import type { NdArray } from "./layout.js";

const KERNEL = 5;
const STRIDE = 2;
const SLOPE = 0.2;

/** Parameters in the engine's layouts: conv weight [cout, cin, 5, 5], dense weight [in, 1]. */
export interface CriticWeights {
  convs: { weight: NdArray; bias: NdArray }[];
  dense: { weight: NdArray; bias: NdArray };
}

/** TensorFlow's 'SAME' for one axis of n pixels: ceil(n / 2) outputs, the odd padding pixel after. */
function samePadding(n: number): [number, number] {
  const total = Math.max((Math.ceil(n / STRIDE) - 1) * STRIDE + KERNEL - n, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function convParams(inputShape: readonly number[]): RefConvParams {
  const [top, bottom] = samePadding(inputShape[2]!);
  const [left, right] = samePadding(inputShape[3]!);
  return { kernel: [KERNEL, KERNEL], stride: [STRIDE, STRIDE], dilation: [1, 1], padding: [top, bottom, left, right], padMode: "zero" };
}

/** The scores [B] and every convolution's input and pre-activation map, for the backward pass. */
function forward(w: CriticWeights, x: NdArray): { scores: Float64Array; inputs: NdArray[]; preActivations: NdArray[] } {
  const inputs: NdArray[] = [];
  const preActivations: NdArray[] = [];
  let y = x;
  for (const conv of w.convs) {
    inputs.push(y);
    const z = conv2dRef(y, conv.weight, convParams(y.shape), conv.bias);
    preActivations.push(z);
    y = { data: Array.from(z.data, (v) => (v > 0 ? v : SLOPE * v)), shape: z.shape };
  }
  const [b, c, h, wd] = y.shape as [number, number, number, number];
  const scores = new Float64Array(b).fill(w.dense.bias.data[0]!);
  for (let n = 0; n < b; n++) {
    for (let k = 0; k < c; k++) {
      for (let p = 0; p < h * wd; p++) scores[n]! += y.data[(n * c + k) * h * wd + p]! * w.dense.weight.data[p * c + k]!;
    }
  }
  return { scores, inputs, preActivations };
}

/** D(x) for x [B, C, H, W]: one score per image. */
export function criticScoresReference(w: CriticWeights, x: NdArray): Float64Array {
  return forward(w, x).scores;
}

/** d sum_b D(x_b) / dx: the dense weights unflattened, then each layer's slopes and transposed convolution. */
export function criticInputGradientReference(w: CriticWeights, x: NdArray): NdArray {
  const { inputs, preActivations } = forward(w, x);
  const last = preActivations[preActivations.length - 1]!;
  const [b, c, h, wd] = last.shape as [number, number, number, number];
  const features = new Float64Array(last.data.length);
  for (let n = 0; n < b; n++) {
    for (let k = 0; k < c; k++) {
      for (let p = 0; p < h * wd; p++) features[(n * c + k) * h * wd + p] = w.dense.weight.data[p * c + k]!;
    }
  }
  let gy: NdArray = { data: features, shape: last.shape };
  for (let i = w.convs.length - 1; i >= 0; i--) {
    const z = preActivations[i]!;
    const gz = { data: Array.from(z.data, (v, j) => gy.data[j]! * (v > 0 ? 1 : SLOPE)), shape: z.shape };
    gy = conv2dBackwardInputRef(gz, w.convs[i]!.weight, inputs[i]!.shape, convParams(inputs[i]!.shape));
  }
  return gy;
}

/** real + alpha_b (fake - real), one alpha per image. */
export function interpolatesReference(real: NdArray, fake: NdArray, alpha: ArrayLike<number>): NdArray {
  const perImage = real.data.length / real.shape[0]!;
  return { data: Array.from(real.data, (r, i) => r + alpha[Math.floor(i / perImage)]! * (fake.data[i]! - r)), shape: real.shape };
}

/** The penalty mean_b (||dD/dx(x^_b) * mask_b|| - 1)^2 at the interpolates x^, mask [B, 1, H, W]. */
export function criticPenaltyReference(w: CriticWeights, real: NdArray, fake: NdArray, alpha: ArrayLike<number>, mask: ArrayLike<number>): number {
  const g = criticInputGradientReference(w, interpolatesReference(real, fake, alpha));
  return gradientPenaltyReference(g.data, g.shape, mask);
}

/**
 * The smallest |pre-activation| at the interpolates: the penalty is smooth in the weights
 * only while no pre-activation changes sign, so a finite-difference step must stay well below it.
 */
export function smallestPreActivation(w: CriticWeights, real: NdArray, fake: NdArray, alpha: ArrayLike<number>): number {
  const { preActivations } = forward(w, interpolatesReference(real, fake, alpha));
  return Math.min(...preActivations.flatMap((z) => Array.from(z.data, Math.abs)));
}

/** Every parameter array in the engine's order: conv1 weight, conv1 bias, ..., dense weight, dense bias. */
export function criticParameterArrays(w: CriticWeights): NdArray[] {
  return [...w.convs.flatMap((conv) => [conv.weight, conv.bias]), w.dense.weight, w.dense.bias];
}

/** The penalty's gradient w.r.t. every parameter (criticParameterArrays' order) by central differences of step `eps`. */
export function criticPenaltyWeightGradientsReference(w: CriticWeights, real: NdArray, fake: NdArray, alpha: ArrayLike<number>,
  mask: ArrayLike<number>, eps = 1e-6): Float64Array[] {
  return criticParameterArrays(w).map((param) => {
    const values = param.data as Float64Array;
    const out = new Float64Array(values.length);
    for (let j = 0; j < values.length; j++) {
      const original = values[j]!;
      values[j] = original + eps;
      const up = criticPenaltyReference(w, real, fake, alpha, mask);
      values[j] = original - eps;
      const down = criticPenaltyReference(w, real, fake, alpha, mask);
      values[j] = original;
      out[j] = (up - down) / (2 * eps);
    }
    return out;
  });
}

