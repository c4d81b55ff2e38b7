/**
 * The WGAN critics of DeepFill v1 (docs/model.md#critics): four 5x5 stride-2 'SAME' convolutions with
 * bias and leaky ReLU 0.2, no normalisation, then a flatten and a dense layer to one linear
 * score per image.
 *
 * The local critic sees the bbox crop (128^2 at the paper's 256^2) with widths
 * cnum x [1, 2, 4, 8]; the global critic sees the whole image with widths cnum x [1, 2, 4, 4].
 * The dense layer's input size depends on the image size, so a critic is built for one size.
 *
 * Flatten order: TensorFlow flattens the NHWC map, so the dense weight's rows run over
 * (y, x, channel) with the channel fastest. Our maps are NCHW; we permute to NHWC before the
 * reshape, so row r of "dense.weight" means the same feature as in the official checkpoint.
 */
import { permute, reshape } from "../autograd/ops/layout.js";
import type { Device } from "../tensor/device.js";
import { formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import { ConvLayer, DenseLayer, ParameterStore } from "./layers.js";

export interface CriticOptions {
  /** Base width (the paper: 64). */
  cnum?: number;
  /** Input [height, width]; each is halved (rounding up) by each of the four convolutions. */
  size: readonly [number, number];
  /** Input channels (3; 4 would add the mask, the official GAN_WITH_MASK option). */
  inputChannels?: number;
  /** Seed of the initial values (an integer in [0, 2^21)). */
  seed?: number;
}

export class Critic {
  readonly store: ParameterStore;
  readonly convs: ConvLayer[];
  readonly dense: DenseLayer;
  readonly size: readonly [number, number];
  readonly inputChannels: number;

  /** `name` prefixes the parameter names ("localCritic.conv1.weight"); `widths` multiply cnum. */
  constructor(device: Device, readonly name: string, widths: readonly number[], options: CriticOptions) {
    const cnum = options.cnum ?? 64;
    this.size = [options.size[0], options.size[1]];
    this.inputChannels = options.inputChannels ?? 3;
    if (!this.size.every((d) => Number.isInteger(d) && d >= 1)) {
      throw new Error(`${name}: the input size must be two positive integers, got [${this.size.join(", ")}]`);
    }
    this.store = new ParameterStore(device, name, options.seed ?? 0);
    let channels = this.inputChannels;
    let [h, w] = this.size;
    this.convs = widths.map((m, i) => {
      const layer = new ConvLayer(this.store, `conv${i + 1}`, { cin: channels, cout: cnum * m, kernel: 5, stride: 2, activation: "leakyRelu" });
      channels = cnum * m;
      h = Math.ceil(h / 2);
      w = Math.ceil(w / 2);
      return layer;
    });
    this.dense = new DenseLayer(this.store, "dense", h * w * channels, 1);
  }

  /** Named parameters, in layer order. */
  get parameters(): Map<string, Tensor> {
    return this.store.parameters;
  }

  /** Scores [B, 1] for images x [B, inputChannels, height, width]. */
  forward(x: Tensor): Tensor {
    const [, c, h, w] = x.shape;
    if (x.rank !== 4 || c !== this.inputChannels || h !== this.size[0] || w !== this.size[1]) {
      throw new Error(`${this.name}: the input ${formatShape(x.shape)} must be [B, ${this.inputChannels}, ${this.size[0]}, ${this.size[1]}], the size the critic was built for`);
    }
    let y = x;
    for (const conv of this.convs) y = conv.forward(y);
    const nhwc = permute(y, [0, 2, 3, 1]);
    return this.dense.forward(reshape(nhwc, [x.shape[0]!, -1]));
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** The local critic: bbox crops of `size` (128^2 for 256^2 images), widths cnum x 1, 2, 4, 8. */
export function localCritic(device: Device, options: CriticOptions): Critic {
  return new Critic(device, "localCritic", [1, 2, 4, 8], options);
}

/** The global critic: whole images of `size`, widths cnum x 1, 2, 4, 4. */
export function globalCritic(device: Device, options: CriticOptions): Critic {
  return new Critic(device, "globalCritic", [1, 2, 4, 4], options);
}
