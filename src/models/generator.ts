/**
 * The DeepFill v1 generator (docs/model.md#generator): a coarse network, then a refinement network with a
 * convolution ("hallucination") branch and a contextual-attention branch joined by a decoder.
 *
 * Conventions of the official code: every convolution has a bias, ELU, TF 'SAME' zero padding
 * and Glorot-uniform weights; "upsample" is a nearest x2 resize (align corners: exact pixel
 * duplication) followed by a 3x3 convolution; each stage ends with a linear 3x3 convolution to
 * 3 channels clipped to [-1, 1]. The input gets a channel of ones beside the mask, so the
 * network can tell the image border from zero padding.
 *
 * Parameter names follow the official TensorFlow scopes ("generator.coarse.conv2_downsample",
 * "generator.refine.pmconv6", "generator.refine.allconv17"), so checkpoints can be mapped.
 * Parameters are made in the constructor; the network is fully convolutional, so one
 * generator serves any image size that is a multiple of 8 (two stride-2 layers, then the
 * attention layer's rate 2).
 */
import { clip, ones, where } from "../autograd/ops/elementwise.js";
import { concat } from "../autograd/ops/layout.js";
import { resizeNearest } from "../autograd/ops/resize.js";
import type { Device } from "../tensor/device.js";
import { formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { contextualAttention, contextualAttentionOutput, type ContextualAttentionOptions } from "./contextual-attention.js";
import { ConvLayer, ParameterStore, type Activation } from "./layers.js";

/** The attention layer's tunables; ksize 3, stride 1 and rate 2 are v1's and fixed here. */
export type AttentionOptions = Omit<ContextualAttentionOptions, "ksize" | "stride" | "rate">;

export interface GeneratorOptions {
  /** Base width c (the paper: 32). Must be even (the layer before the last has c/2). */
  cnum?: number;
  /** Seed of the initial values (an integer in [0, 2^21)). */
  seed?: number;
  /** Passed to the contextual-attention layer (softmax scale, fuse size, shared mask, chunking). */
  attention?: AttentionOptions;
}

export interface GeneratorOutput {
  /** The coarse network's output, [B, 3, H, W] in [-1, 1]. */
  coarse: Tensor;
  /** The refinement network's output, [B, 3, H, W] in [-1, 1]. */
  refined: Tensor;
  /** Attention offsets [B, 2, H/8, W/8] (for the flow picture; no gradient). */
  offsets: Tensor;
}

export interface GeneratorStages {
  coarseEncoder: readonly ConvLayer[];
  coarseDecoder: readonly ConvLayer[];
  hallucination: readonly ConvLayer[];
  attentionEncoder: readonly ConvLayer[];
  attentionDecoder: readonly ConvLayer[];
  decoder: readonly ConvLayer[];
}

type LayerSpec = [name: string, cout: number, kernel: number, stride?: number, dilation?: number, activation?: Activation];

/** A chain of convolutions, each resizing x2 first where its name says "upsample". */
class Stack {
  readonly layers: ConvLayer[];

  constructor(store: ParameterStore, block: string, cin: number, specs: readonly LayerSpec[]) {
    let channels = cin;
    this.layers = specs.map(([name, cout, kernel, stride = 1, dilation = 1, activation = "elu"]) => {
      const layer = new ConvLayer(store, `${block}.${name}`, { cin: channels, cout, kernel, stride, dilation, activation });
      channels = cout;
      return layer;
    });
  }

  /**
   * Each intermediate map is released as soon as the next exists. Without a graph
   * (inference, the critic steps' generator pass) a pass then holds two maps at a time
   * instead of every layer's: at 256^2 that is most of the pass's memory, and large images
   * need it. With a graph, the maps the vjps read stay with the graph.
   */
  forward(x: Tensor): Tensor {
    let y = x;
    const advance = (next: Tensor) => {
      if (y !== x) y.dispose();
      y = next;
    };
    for (const layer of this.layers) {
      if (layer.name.endsWith("_upsample")) {
        const [, , h, w] = y.shape as [number, number, number, number];
        advance(resizeNearest(y, [2 * h, 2 * w], { alignCorners: true }));
      }
      advance(layer.forward(y));
    }
    return y;
  }
}

/** The four dilated layers both encoders end with: dilation 2, 4, 8, 16. */
const atrous = (prefix: string, first: number, c: number): LayerSpec[] =>
  [2, 4, 8, 16].map((d, i) => [`${prefix}${first + i}_atrous`, c, 3, 1, d]);

/** The shared tail: two 4c layers, up to 2c, up to c, then c/2 and the linear output. */
const decoder = (prefix: string, c: number): LayerSpec[] => [
  [`${prefix}11`, 4 * c, 3], [`${prefix}12`, 4 * c, 3],
  [`${prefix}13_upsample`, 2 * c, 3], [`${prefix}14`, 2 * c, 3],
  [`${prefix}15_upsample`, c, 3], [`${prefix}16`, c / 2, 3],
  [`${prefix}17`, 3, 3, 1, 1, "none"],
];

export class Generator {
  readonly store: ParameterStore;
  readonly cnum: number;
  private readonly coarseEncoder: Stack;
  private readonly coarseDecoder: Stack;
  private readonly hallucination: Stack;
  private readonly attentionEncoder: Stack;
  private readonly attentionDecoder: Stack;
  private readonly decoder: Stack;
  readonly attention: AttentionOptions;

  constructor(device: Device, options: GeneratorOptions = {}) {
    const c = options.cnum ?? 32;
    if (!Number.isInteger(c) || c < 2 || c % 2 !== 0) {
      throw new Error(`Generator: cnum must be an even integer >= 2 (the layer before the output has cnum/2 channels), got ${c}`);
    }
    this.cnum = c;
    this.attention = options.attention ?? {};
    this.store = new ParameterStore(device, "generator", options.seed ?? 0);
    const s = this.store;
    // Input: the image with holes (3), ones (1), the mask (1).
    this.coarseEncoder = new Stack(s, "coarse", 5, [
      ["conv1", c, 5], ["conv2_downsample", 2 * c, 3, 2], ["conv3", 2 * c, 3],
      ["conv4_downsample", 4 * c, 3, 2], ["conv5", 4 * c, 3], ["conv6", 4 * c, 3],
      ...atrous("conv", 7, 4 * c),
    ]);
    this.coarseDecoder = new Stack(s, "coarse", 4 * c, decoder("conv", c));
    // The refinement's conv branch downsamples to c and 2c where the coarse one has 2c and 4c.
    this.hallucination = new Stack(s, "refine", 5, [
      ["xconv1", c, 5], ["xconv2_downsample", c, 3, 2], ["xconv3", 2 * c, 3],
      ["xconv4_downsample", 2 * c, 3, 2], ["xconv5", 4 * c, 3], ["xconv6", 4 * c, 3],
      ...atrous("xconv", 7, 4 * c),
    ]);
    this.attentionEncoder = new Stack(s, "refine", 5, [
      ["pmconv1", c, 5], ["pmconv2_downsample", c, 3, 2], ["pmconv3", 2 * c, 3],
      ["pmconv4_downsample", 4 * c, 3, 2], ["pmconv5", 4 * c, 3], ["pmconv6", 4 * c, 3, 1, 1, "relu"],
    ]);
    // pmconv7 and pmconv8 do not exist in the official code: the attention layer sits there.
    this.attentionDecoder = new Stack(s, "refine", 4 * c, [["pmconv9", 4 * c, 3], ["pmconv10", 4 * c, 3]]);
    this.decoder = new Stack(s, "refine", 8 * c, decoder("allconv", c));
  }

  /** The convolutions of each stage in the order forward() runs them (memory planning reads their shapes). */
  get stages(): GeneratorStages {
    const layers = (stack: Stack) => stack.layers;
    return {
      coarseEncoder: layers(this.coarseEncoder), coarseDecoder: layers(this.coarseDecoder), hallucination: layers(this.hallucination),
      attentionEncoder: layers(this.attentionEncoder), attentionDecoder: layers(this.attentionDecoder), decoder: layers(this.decoder),
    };
  }

  /** Named parameters ("generator.coarse.conv1.weight", ...), in layer order. */
  get parameters(): Map<string, Tensor> {
    return this.store.parameters;
  }

  /**
   * image [B, 3, H, W] in [-1, 1] and mask [B, 1, H, W] (1 = hole; H and W multiples of 8).
   * The holes are blanked here (image * (1 - mask), so they hold 0), so the image may be the
   * ground truth or the already blanked input. Call inside tidy(): the intermediates belong to
   * the caller's scope, which releases them (the graph keeps what its vjps saved).
   */
  forward(image: Tensor, mask: Tensor): GeneratorOutput {
    const { offsets, ...outputs } = this.bothStages(image, mask, true);
    return { ...outputs, offsets: offsets! };
  }

  /** forward() without the attention offsets, which training never reads. */
  forwardOutputs(image: Tensor, mask: Tensor): Omit<GeneratorOutput, "offsets"> {
    const { coarse, refined } = this.bothStages(image, mask, false);
    return { coarse, refined };
  }

  private bothStages(image: Tensor, mask: Tensor, withOffsets: boolean): Omit<GeneratorOutput, "offsets"> & { offsets: Tensor | null } {
    const { incomplete, coarse } = this.coarseStage(image, mask);
    // The coarse result pasted into the hole; no stop-gradient, as in the official code.
    const refineInput = withGuides(composite(incomplete, coarse, mask), mask);
    const hallucinated = this.hallucination.forward(refineInput);
    const features = this.attentionEncoder.forward(refineInput);
    const [, , h, w] = image.shape as [number, number, number, number];
    const maskSmall = resizeNearest(mask, [h / 4, w / 4], { alignCorners: true });
    const options = { ksize: 3, stride: 1, rate: 2, ...this.attention };
    const { output, offsets } = withOffsets
      ? contextualAttention(features, features, maskSmall, options)
      : { output: contextualAttentionOutput(features, features, maskSmall, options), offsets: null };
    const attended = this.attentionDecoder.forward(output);
    const refined = clip(this.decoder.forward(concat([hallucinated, attended], 1)), -1, 1);
    return { coarse, refined, offsets };
  }

  /** The coarse network alone, [B, 3, H, W] in [-1, 1]: for the optional coarse-only warm-up. */
  forwardCoarse(image: Tensor, mask: Tensor): Tensor {
    return this.coarseStage(image, mask).coarse;
  }

  private coarseStage(image: Tensor, mask: Tensor): { incomplete: Tensor; coarse: Tensor } {
    const [b, c, h, w] = image.shape as [number, number, number, number];
    if (image.rank !== 4 || c !== 3) throw new Error(`Generator: the image must be [B, 3, H, W], got ${formatShape(image.shape)}`);
    if (mask.rank !== 4 || mask.shape[0] !== b || mask.shape[1] !== 1 || mask.shape[2] !== h || mask.shape[3] !== w) {
      throw new Error(`Generator: the mask must be [${b}, 1, ${h}, ${w}] (one channel, 1 = hole) for the image ${formatShape(image.shape)}, got ${formatShape(mask.shape)}`);
    }
    if (h % 8 !== 0 || w % 8 !== 0) {
      throw new Error(`Generator: the image size ${h}x${w} must be a multiple of 8 (two stride-2 layers, then attention at rate 2); crop or resize it`);
    }
    // image * (1 - mask) as one select, the mask holding 0 and 1.
    const incomplete = where(mask, image.device.tensor([0], [1]), image);
    const coarse = clip(this.coarseDecoder.forward(this.coarseEncoder.forward(withGuides(incomplete, mask))), -1, 1);
    return { incomplete, coarse };
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** A stage's 5-channel input: the image, a plane of ones (marks the border against the zero padding), the mask. */
function withGuides(x: Tensor, mask: Tensor): Tensor {
  const [b, , h, w] = x.shape as [number, number, number, number];
  return concat([x, ones(x.device, [b, 1, h, w]), mask], 1);
}

/**
 * output in the hole, image elsewhere: what the critics see as "fake" (the official
 * `batch_complete`), and the refinement stage's input (with the coarse output). The mask
 * holds 0 and 1, so the official output * mask + image * (1 - mask) is a select: one pass
 * instead of four, and the same values and gradients.
 */
export function composite(image: Tensor, output: Tensor, mask: Tensor): Tensor {
  return where(mask, output, image);
}
