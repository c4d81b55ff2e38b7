/**
 * The DeepFill v1 generator's forward pass in float64, written from the model's description
 * (the official TensorFlow design) with the slow convolution, resize and attention twins, so
 * that it shares no wiring with the engine's Generator: every layer is a row of the tables
 * below, checked against the weight it reads, and every stage is spelled out in one function.
 *
 * Official conventions: each convolution has a bias and TF 'SAME' zero padding and is followed
 * by ELU (alpha 1) unless its row says otherwise; "upsample" rows resize x2 (nearest, align
 * corners) before convolving; each stage ends with a linear 3-channel layer clipped to [-1, 1].
 * A stage's input is the image, a plane of ones and the mask (5 channels).
 */
import { contextualAttentionRef, type AttentionRefResult } from "./attention.js";
import { conv2dRef, samePaddingRef } from "./conv.js";
import { concatRef, type NdArray } from "./layout.js";
import { sourceIndex } from "./resize.js";

type Activation = "elu" | "relu" | "linear";

/** One convolution: its name, kernel, stride, dilation, output width in units of c, activation, and whether it upsamples first. */
interface Row {
  name: string;
  k: number;
  stride: number;
  dilation: number;
  /** Output channels as a multiple of c; -1 for the 3-channel output. */
  width: number;
  activation: Activation;
  upsample: boolean;
}

const row = (name: string, k: number, width: number, extra: Partial<Row> = {}): Row =>
  ({ name, k, stride: 1, dilation: 1, width, activation: "elu", upsample: false, ...extra });

/** Coarse network, layers 1-17. */
const COARSE: Row[] = [
  row("conv1", 5, 1), row("conv2_downsample", 3, 2, { stride: 2 }), row("conv3", 3, 2),
  row("conv4_downsample", 3, 4, { stride: 2 }), row("conv5", 3, 4), row("conv6", 3, 4),
  row("conv7_atrous", 3, 4, { dilation: 2 }), row("conv8_atrous", 3, 4, { dilation: 4 }),
  row("conv9_atrous", 3, 4, { dilation: 8 }), row("conv10_atrous", 3, 4, { dilation: 16 }),
  row("conv11", 3, 4), row("conv12", 3, 4), row("conv13_upsample", 3, 2, { upsample: true }), row("conv14", 3, 2),
  row("conv15_upsample", 3, 1, { upsample: true }), row("conv16", 3, 0.5), row("conv17", 3, -1, { activation: "linear" }),
];

/** The refinement's convolution ("hallucination") branch: it halves to c then 2c. */
const HALLUCINATION: Row[] = [
  row("xconv1", 5, 1), row("xconv2_downsample", 3, 1, { stride: 2 }), row("xconv3", 3, 2),
  row("xconv4_downsample", 3, 2, { stride: 2 }), row("xconv5", 3, 4), row("xconv6", 3, 4),
  row("xconv7_atrous", 3, 4, { dilation: 2 }), row("xconv8_atrous", 3, 4, { dilation: 4 }),
  row("xconv9_atrous", 3, 4, { dilation: 8 }), row("xconv10_atrous", 3, 4, { dilation: 16 }),
];

/** The attention branch before the attention layer; its last layer is a ReLU. */
const ATTENTION_IN: Row[] = [
  row("pmconv1", 5, 1), row("pmconv2_downsample", 3, 1, { stride: 2 }), row("pmconv3", 3, 2),
  row("pmconv4_downsample", 3, 4, { stride: 2 }), row("pmconv5", 3, 4), row("pmconv6", 3, 4, { activation: "relu" }),
];

const ATTENTION_OUT: Row[] = [row("pmconv9", 3, 4), row("pmconv10", 3, 4)];

/** The decoder after both branches are joined (8c channels in). */
const DECODER: Row[] = [
  row("allconv11", 3, 4), row("allconv12", 3, 4), row("allconv13_upsample", 3, 2, { upsample: true }), row("allconv14", 3, 2),
  row("allconv15_upsample", 3, 1, { upsample: true }), row("allconv16", 3, 0.5), row("allconv17", 3, -1, { activation: "linear" }),
];

/** Weights by their dotted names ("generator.coarse.conv1.weight", ...). */
export type Weights = (name: string) => NdArray;

export interface GeneratorRefResult {
  coarse: Float64Array;
  refined: Float64Array;
  /** The attention layer's result on the refinement's features: offsets [B, 2, H/8, W/8] and weights. */
  attention: AttentionRefResult;
}

const map = (x: NdArray, fn: (v: number) => number): NdArray => ({ data: Float64Array.from(x.data, fn), shape: x.shape });

/** Nearest resize (align corners) of [B, C, H, W] to `height` x `width`. */
function resize(x: NdArray, height: number, width: number): NdArray {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const out = new Float64Array(b * c * height * width);
  for (let p = 0; p < b * c; p++)
    for (let y = 0; y < height; y++)
      for (let xx = 0; xx < width; xx++) {
        out[(p * height + y) * width + xx] = x.data[(p * h + sourceIndex(y, h, height, true)) * w + sourceIndex(xx, w, width, true)]!;
      }
  return { data: out, shape: [b, c, height, width] };
}

function activate(x: NdArray, activation: Activation): NdArray {
  if (activation === "elu") return map(x, (v) => (v > 0 ? v : Math.exp(v) - 1));
  if (activation === "relu") return map(x, (v) => Math.max(v, 0));
  return x;
}

function runRows(x: NdArray, block: string, rows: readonly Row[], c: number, weights: Weights): NdArray {
  let y = x;
  for (const r of rows) {
    if (r.upsample) y = resize(y, 2 * y.shape[2]!, 2 * y.shape[3]!);
    const weight = weights(`generator.${block}.${r.name}.weight`);
    const bias = weights(`generator.${block}.${r.name}.bias`);
    const expected = [r.width < 0 ? 3 : r.width * c, y.shape[1]!, r.k, r.k];
    if (weight.shape.join() !== expected.join()) {
      throw new Error(`generatorRef: ${block}.${r.name} should be [${expected}], the weights hold [${weight.shape}]`);
    }
    const [h, w] = [y.shape[2]!, y.shape[3]!];
    const padding = [...samePaddingRef(h, r.k, r.stride, r.dilation), ...samePaddingRef(w, r.k, r.stride, r.dilation)] as const;
    const params = { kernel: [r.k, r.k], stride: [r.stride, r.stride], dilation: [r.dilation, r.dilation], padding, padMode: "zero" } as const;
    y = activate(conv2dRef(y, weight, params, bias), r.activation);
  }
  return y;
}

/** [image, ones, mask] along the channels. */
function stageInput(x: NdArray, mask: NdArray): NdArray {
  const [b, , h, w] = x.shape as [number, number, number, number];
  return concatRef([x, { data: new Float64Array(b * h * w).fill(1), shape: [b, 1, h, w] }, mask], 1);
}

/** fn of each value of x [B, C, H, W], its image's mask value at that pixel and its flat index. */
function perPixel(x: NdArray, mask: NdArray, fn: (v: number, m: number, i: number) => number): NdArray {
  const [, c, h, w] = x.shape as [number, number, number, number];
  const plane = h * w;
  return { data: Float64Array.from(x.data, (v, i) => fn(v, mask.data[Math.floor(i / (c * plane)) * plane + (i % plane)]!, i)), shape: x.shape };
}

/**
 * image [B, 3, H, W], mask [B, 1, H, W] (1 = hole, one per image), base width c. The attention
 * layer runs with v1's ksize 3, rate 2, fuse 3 and scale 10, each image with its own mask.
 */
export function generatorRef(image: NdArray, mask: NdArray, c: number, weights: Weights): GeneratorRefResult {
  const [, , h, w] = image.shape as [number, number, number, number];
  const clip = (x: NdArray) => map(x, (v) => Math.min(1, Math.max(-1, v)));
  const incomplete = perPixel(image, mask, (v, m) => v * (1 - m));
  const coarse = clip(runRows(stageInput(incomplete, mask), "coarse", COARSE, c, weights));

  const pasted = perPixel(incomplete, mask, (v, m, i) => m * coarse.data[i]! + (1 - m) * v);
  const input = stageInput(pasted, mask);
  const hallucinated = runRows(input, "refine", HALLUCINATION, c, weights);
  const features = runRows(input, "refine", ATTENTION_IN, c, weights);
  const maskSmall = resize(mask, h / 4, w / 4);
  const attention = contextualAttentionRef(features, features, maskSmall, { ksize: 3, rate: 2, fuseK: 3, scale: 10, sharedMask: false });
  const attended = runRows({ data: attention.output, shape: features.shape }, "refine", ATTENTION_OUT, c, weights);
  const refined = clip(runRows(concatRef([hallucinated, attended], 1), "refine", DECODER, c, weights));
  return { coarse: Float64Array.from(coarse.data), refined: Float64Array.from(refined.data), attention };
}
