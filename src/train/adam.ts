/**
 * Adam (Kingma and Ba) as one fused WGSL update per parameter tensor (kernels/adam.wgsl).
 *
 * Defaults are DeepFill's (docs/model.md#training-schedule): lr 1e-4, beta1 0.5, beta2 0.9, eps 1e-8. The update is
 * TensorFlow's form, which the official code trains with: the bias corrections fold into one
 * step size lr * sqrt(1 - beta2^t) / (1 - beta1^t), and eps is added to sqrt(v) uncorrected.
 *
 * Memory: the two moments of each parameter are allocated once, in the constructor (or when a
 * checkpoint's moments are loaded), and kept out of every tidy() scope. step() writes the
 * parameters and moments in place through device.run, binding the existing buffers as the
 * kernel's read_write outputs, so a training step allocates nothing here. The runtime needed
 * no change for this: device.run takes any buffers; launchLinear is only the
 * allocate-an-output convenience on top of it.
 *
 * In place means every tensor sharing a parameter's storage (its views) sees the new values,
 * which is what a model holding its parameters wants.
 */
import { gridFor, type Device } from "../tensor/device.js";
import { defineKernel } from "../tensor/kernels.js";
import { formatShape, sameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { HostTensor } from "../checkpoint/safetensors.js";

const ADAM = defineKernel({
  name: "adam", inputs: ["grad"], outputs: ["param", "m", "v"],
  params: { vec_count: "u32", step_size: "f32", beta1: "f32", beta2: "f32", one_minus_beta1: "f32", one_minus_beta2: "f32", eps: "f32" },
});
const WG = 64;

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
    // Check every gradient before touching anything, so a bad call changes no state.
    const launches: [number, GPUBuffer][] = [];
    this.names.forEach((name, i) => {
      const g = list[i];
      if (!g) return;
      const p = this.params.get(name)!;
      if (!sameShape(g.shape, p.shape)) {
        throw new Error(`Adam.step: the gradient of "${name}" has shape ${formatShape(g.shape)}, the parameter ${formatShape(p.shape)}`);
      }
      const grad = g.buffer(`Adam gradient "${name}"`);
      // A buffer bound both read-only and read_write in one dispatch is a validation error.
      if (grad === p.buffer(`Adam parameter "${name}"`)) throw new Error(`Adam.step: the gradient of "${name}" is the parameter itself`);
      if (p.size > 0) launches.push([i, grad]);
    });
    this.steps++;
    const t = this.steps;
    const stepSize = (this.lr * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    for (const [i, grad] of launches) {
      const vecCount = Math.ceil(this.m[i]!.size / 4);
      this.device.run(ADAM, {
        inputs: [grad],
        outputs: [this.params.get(this.names[i]!)!.buffer("Adam"), this.m[i]!.buffer("Adam"), this.v[i]!.buffer("Adam")],
        params: {
          vec_count: vecCount, step_size: stepSize, beta1: this.beta1, beta2: this.beta2,
          one_minus_beta1: 1 - this.beta1, one_minus_beta2: 1 - this.beta2, eps: this.eps,
        },
        workgroups: gridFor(vecCount, WG),
        overrides: { WG },
      });
    }
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
