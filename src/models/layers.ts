/**
 * The building blocks of the DeepFill networks: a parameter store that names every
 * parameter, a convolution layer and a dense layer.
 *
 * Parameters are leaves kept outside every tidy() scope (keep) and marked for gradients
 * (requireGrad); they live until their store is disposed. Each has a stable dotted name,
 * "<network>.<block>.<layer>.weight|bias", which is what optimizers, checkpoints and logs key
 * on. The initial values depend only on the store's seed and the parameter's name, not on the
 * order in which layers are built, so adding a layer never changes the others' values.
 */
import { requireGrad } from "../autograd/graph.js";
import { activation as applyActivation, add, full, type ActivationFunction } from "../autograd/ops/elementwise.js";
import { conv2d } from "../autograd/ops/conv.js";
import { matmul } from "../autograd/ops/matmul.js";
import { glorotUniform } from "../autograd/ops/random.js";
import type { Device } from "../tensor/device.js";
import { formatShape, type Shape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

/** FNV-1a of a string: a per-name seed offset, so initial values do not depend on build order. */
function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Named parameters of one network. */
export class ParameterStore {
  /** Name -> parameter, in creation order (the layer order of the network). */
  readonly parameters = new Map<string, Tensor>();

  /**
   * `prefix` starts every name ("generator", "localCritic"); `seed` (a non-negative integer
   * below 2^21) selects the initial values.
   */
  constructor(readonly device: Device, readonly prefix: string, readonly seed = 0) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 21) {
      throw new Error(`ParameterStore: the seed must be an integer in [0, 2^21), got ${seed}`);
    }
  }

  /** Adds a Glorot-uniform weight (fans as glorotFans defines them); returns its full name. */
  glorot(name: string, shape: Shape): string {
    const qualified = this.fullName(name);
    // The seed occupies the bits above the 32-bit name hash: distinct for every (seed, name).
    return this.add(qualified, glorotUniform(this.device, shape, { seed: this.seed * 2 ** 32 + hashName(qualified) }));
  }

  /** Adds a zero-filled parameter; returns its full name. */
  zeros(name: string, shape: Shape): string {
    return this.add(this.fullName(name), full(this.device, shape, 0));
  }

  /** The parameter called `name` (the full dotted name). */
  get(name: string): Tensor {
    const p = this.parameters.get(name);
    if (!p) throw new Error(`no parameter named "${name}" in ${this.prefix}; names look like "${[...this.parameters.keys()][0] ?? this.prefix + ".layer.weight"}"`);
    return p;
  }

  /** Total number of scalar parameters. */
  count(): number {
    let n = 0;
    for (const p of this.parameters.values()) n += p.size;
    return n;
  }

  dispose(): void {
    for (const p of this.parameters.values()) p.dispose();
    this.parameters.clear();
  }

  private fullName(name: string): string {
    return `${this.prefix}.${name}`;
  }

  private add(name: string, tensor: Tensor): string {
    if (this.parameters.has(name)) {
      tensor.dispose();
      throw new Error(`parameter ${name} is defined twice; give each layer its own name`);
    }
    this.parameters.set(name, requireGrad(tensor.keep()));
    return name;
  }
}

export type Activation = "elu" | "leakyRelu" | "relu" | "none";

/** The activations with DeepFill's parameters: ELU with alpha 1, leaky ReLU with slope 0.2. */
const ACTIVATIONS: Record<Activation, ActivationFunction | undefined> = {
  elu: { kind: "elu", parameter: 1 },
  leakyRelu: { kind: "leakyRelu", parameter: 0.2 },
  relu: { kind: "relu", parameter: 0 },
  none: undefined,
};

/** Applies an activation (ACTIVATIONS gives the parameters). */
export function activate(x: Tensor, activation: Activation): Tensor {
  const f = ACTIVATIONS[activation];
  return f ? applyActivation(x, f) : x;
}

export interface ConvLayerOptions {
  cin: number;
  cout: number;
  kernel: number;
  stride?: number;
  dilation?: number;
  /** Default "elu" (every DeepFill generator layer but the last). */
  activation?: Activation;
}

/**
 * A 2-D convolution with bias: weight [cout, cin, k, k] Glorot-uniform, bias zero, TF 'SAME'
 * zero padding (the output is ceil(size / stride); the odd padding pixel goes after).
 */
export class ConvLayer {
  readonly stride: number;
  readonly dilation: number;
  readonly activation: Activation;
  private readonly weightName: string;
  private readonly biasName: string;

  constructor(private readonly store: ParameterStore, readonly name: string, options: ConvLayerOptions) {
    const { cin, cout, kernel } = options;
    if (![cin, cout, kernel].every((d) => Number.isInteger(d) && d >= 1)) {
      throw new Error(`${store.prefix}.${name}: cin, cout and kernel must be positive integers, got ${cin}, ${cout}, ${kernel} (is the width cnum too small?)`);
    }
    this.stride = options.stride ?? 1;
    this.dilation = options.dilation ?? 1;
    this.activation = options.activation ?? "elu";
    this.weightName = store.glorot(`${name}.weight`, [cout, cin, kernel, kernel]);
    this.biasName = store.zeros(`${name}.bias`, [cout]);
  }

  // Looked up by name on every use, so whoever holds the store's map (a checkpoint loader,
  // a gradient check) can swap a parameter and the layer follows.
  get weight(): Tensor {
    return this.store.get(this.weightName);
  }

  get bias(): Tensor {
    return this.store.get(this.biasName);
  }

  /** conv + bias + activation, one dispatch: the activation is the convolution kernel's epilogue. */
  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, { stride: this.stride, dilation: this.dilation, padding: "same" }, this.bias, ACTIVATIONS[this.activation]);
  }
}

/**
 * A dense layer y = x W + b with W [in, out] (TensorFlow's kernel layout, so official weights
 * load unchanged) Glorot-uniform and b [out] zero. x is [batch, in].
 */
export class DenseLayer {
  private readonly weightName: string;
  private readonly biasName: string;

  constructor(private readonly store: ParameterStore, readonly name: string, readonly inFeatures: number, readonly outFeatures: number) {
    this.weightName = store.glorot(`${name}.weight`, [inFeatures, outFeatures]);
    this.biasName = store.zeros(`${name}.bias`, [outFeatures]);
  }

  get weight(): Tensor {
    return this.store.get(this.weightName);
  }

  get bias(): Tensor {
    return this.store.get(this.biasName);
  }

  forward(x: Tensor): Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inFeatures) {
      throw new Error(`${this.store.prefix}.${this.name}: the input ${formatShape(x.shape)} must be [batch, ${this.inFeatures}]; does the image size match the one the network was built for?`);
    }
    return add(matmul(x, this.weight), this.bias);
  }
}
