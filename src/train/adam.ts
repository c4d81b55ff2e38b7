/**
 * Adam (Kingma and Ba): the optimizer's state and schedule, with a fused in-place update of two
 * parameter tensors per dispatch (the adamUpdate op, kernels/adam.wgsl).
 *
 * Defaults are DeepFill's (docs/model.md#training-schedule): lr 1e-4, beta1 0.5, beta2 0.9, eps 1e-8. The update is
 * TensorFlow's form, which the official code trains with: the bias corrections fold into one
 * step size lr * sqrt(1 - beta2^t) / (1 - beta1^t), and eps is added to sqrt(v) uncorrected.
 *
 * Memory: the two moments of each parameter are allocated once, in the constructor (or when a
 * checkpoint's moments are loaded), and kept out of every tidy() scope. step() writes the
 * parameters and moments in place, so a training step allocates nothing here.
 */
import { adamUpdate, type AdamSlot } from "../autograd/ops/adam-update.js";
import type { HostTensor } from "../checkpoint/safetensors.js";
import type { Device } from "../tensor/device.js";
import { formatShape, sameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

export interface AdamOptions {
  lr?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** The optimizer's state for a checkpoint: the step count and both moments of every parameter. */
export interface AdamState {
  step: number;
  /** Keys `m.<param name>` and `v.<param name>`. */
  moments: Map<string, Tensor>;
}

/** What loadState takes: the same names, as host arrays (as a safetensors file gives them). */
export interface AdamStateInput {
  step: number;
  moments: ReadonlyMap<string, HostTensor>;
}

export class Adam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private steps = 0;
  private readonly device: Device;
  private readonly names: string[];
  private m: Tensor[];
  private v: Tensor[];

  constructor(readonly params: ReadonlyMap<string, Tensor>, options: AdamOptions = {}) {
    const { lr = 1e-4, beta1 = 0.5, beta2 = 0.9, eps = 1e-8 } = options;
    if (!(lr >= 0 && beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1 && eps >= 0)) {
      throw new Error(`Adam: needs lr >= 0, 0 <= beta1, beta2 < 1 and eps >= 0; got lr ${lr}, beta1 ${beta1}, beta2 ${beta2}, eps ${eps}`);
    }
    if (params.size === 0) throw new Error("Adam: no parameters to optimise; pass the model's named parameters");
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.names = [...params.keys()];
    this.device = params.values().next().value!.device;
    for (const [name, p] of params) {
      p.buffer(`Adam parameter "${name}"`);
      if (p.device !== this.device) throw new Error(`Adam: parameter "${name}" lives on another device than the first parameter`);
    }
    this.m = this.names.map((name) => this.zeros(name));
    this.v = this.names.map((name) => this.zeros(name));
  }

  /** Steps taken so far (t in the bias corrections). */
  get stepCount(): number {
    return this.steps;
  }

  /**
   * Updates every parameter from its gradient, in place. `grads` is keyed by parameter name,
   * or an array in the order of `params` (what grad(loss, [...params.values()]) returns).
   * A missing (null/undefined, or absent from the map) gradient leaves that parameter and its
   * moments untouched, as TensorFlow does for variables without a gradient.
   */
  step(grads: ReadonlyMap<string, Tensor> | readonly (Tensor | null | undefined)[]): void {
    const byName = isMap(grads) ? grads : null;
    const list = byName ? this.names.map((name) => byName.get(name)) : (grads as readonly (Tensor | null | undefined)[]);
    if (byName) {
      for (const name of byName.keys()) if (!this.params.has(name)) throw new Error(`Adam.step: gradient for "${name}", which is not one of the optimiser's parameters`);
    } else if (list.length !== this.names.length) {
      throw new Error(`Adam.step: ${list.length} gradients for ${this.names.length} parameters; pass them in the order of the parameter map`);
    }
    const slots = this.names.flatMap((name, i): AdamSlot[] => {
      const grad = list[i];
      return grad ? [{ name, param: this.params.get(name)!, grad, m: this.m[i]!, v: this.v[i]! }] : [];
    });
    // adamUpdate checks every slot before it records anything, so a bad call changes no state.
    const t = this.steps + 1;
    const step = { stepSize: (this.lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t), beta1: this.beta1, beta2: this.beta2, eps: this.eps };
    adamUpdate(slots, step);
    this.steps = t;
  }

  /** The step count and the moments (the optimizer's own tensors: read or save them, do not dispose them). */
  state(): AdamState {
    const moments = new Map<string, Tensor>();
    this.names.forEach((name, i) => {
      moments.set(`m.${name}`, this.m[i]!);
      moments.set(`v.${name}`, this.v[i]!);
    });
    return { step: this.steps, moments };
  }

  /** Replaces the moments and step count with saved ones, after checking that every name and shape matches. */
  loadState(state: AdamStateInput): void {
    if (!(Number.isInteger(state.step) && state.step >= 0)) throw new Error(`Adam.loadState: step ${state.step} must be a non-negative integer`);
    const expected = new Set(this.names.flatMap((n) => [`m.${n}`, `v.${n}`]));
    const missing = [...expected].filter((k) => !state.moments.has(k));
    const extra = [...state.moments.keys()].filter((k) => !expected.has(k));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(`Adam.loadState: the saved moments do not match the parameters (missing ${missing.slice(0, 3).join(", ") || "none"}; unexpected ${extra.slice(0, 3).join(", ") || "none"}); was the state saved for another model configuration?`);
    }
    for (const [key, saved] of state.moments) {
      const name = key.slice(2);
      const shape = this.params.get(name)!.shape;
      if (!sameShape(saved.shape, shape)) {
        throw new Error(`Adam.loadState: moment "${key}" has shape ${formatShape(saved.shape)}, the parameter ${formatShape(shape)}; was it saved for another configuration?`);
      }
    }
    // Checked everything first, so a mismatch leaves the current state untouched.
    const upload = (key: string) => {
      const saved = state.moments.get(key)!;
      if (saved.data.length !== this.params.get(key.slice(2))!.size) throw new Error(`Adam.loadState: moment "${key}" has ${saved.data.length} values for shape ${formatShape(saved.shape)}`);
      return this.device.tensor(saved.data, saved.shape).keep();
    };
    const m = this.names.map((n) => upload(`m.${n}`));
    const v = this.names.map((n) => upload(`v.${n}`));
    this.disposeMoments();
    this.m = m;
    this.v = v;
    this.steps = state.step;
  }

  /** Releases the moments; the optimizer cannot step afterwards. */
  dispose(): void {
    this.disposeMoments();
  }

  private disposeMoments(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }

  private zeros(name: string): Tensor {
    const p = this.params.get(name)!;
    return this.device.tensor(new Float32Array(p.size), p.shape).keep();
  }
}

function isMap<K, V>(x: ReadonlyMap<K, V> | readonly unknown[]): x is ReadonlyMap<K, V> {
  return x instanceof Map;
}
