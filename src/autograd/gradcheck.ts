/**
 * Finite-difference checks of the recorded gradients, for tests and for users writing ops.
 *
 * gradcheck projects the output onto a fixed random direction v, L(x) = sum(f(x) * v), and
 * compares dL/dx from grad() with central differences (L(x + eps e_j) - L(x - eps e_j)) / 2eps
 * for every element j of every input. gradgradcheck applies the same test to
 * h(x) = sum_i sum(dL/dx_i * w_i), whose gradient needs the second derivatives of f: it
 * passes only if the vjps themselves are differentiable (grad with createGraph).
 * Use tiny shapes: each element costs two forward passes and a readback.
 */
import type { Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/scope.js";
import { grad } from "./grad.js";
import { requireGrad } from "./graph.js";
import { add, mul } from "./ops/elementwise.js";
import { sum } from "./ops/reduce.js";

export interface GradcheckOptions {
  /** Finite-difference step (default 1e-3). */
  eps?: number;
  /** Absolute tolerance (default 1e-2, suited to float32). */
  atol?: number;
  /** Relative tolerance (default 1e-2). */
  rtol?: number;
  /** Seed of the projection directions. */
  seed?: number;
}

export interface GradcheckMismatch {
  input: number;
  index: number;
  analytic: number;
  numeric: number;
}

export interface GradcheckResult {
  ok: boolean;
  /** The largest |analytic - numeric| - rtol * |numeric| seen (<= atol when ok). */
  worstExcess: number;
  mismatches: GradcheckMismatch[];
}

/** A small deterministic generator for projection directions (xorshift32). */
function directions(seed: number, count: number): number[] {
  let s = (seed >>> 0) || 1;
  return Array.from({ length: count }, () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

type Fn = (...inputs: Tensor[]) => Tensor;

/** L(x) = sum(f(x) * v) for a fixed random v; `constants` collects v for release. */
function projected(f: Fn, seed: number, constants: Tensor[]): Fn {
  let v: Tensor | null = null;
  return (...inputs) => {
    const y = f(...inputs);
    if (!v) constants.push((v = y.device.tensor(directions(seed, y.size), y.shape).keep()));
    return sum(mul(y, v));
  };
}

export async function gradcheck(f: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): Promise<GradcheckResult> {
  const { eps = 1e-3, atol = 1e-2, rtol = 1e-2, seed = 7 } = options;
  const constants: Tensor[] = [];
  try {
    return await compare(projected(f, seed, constants), inputs, eps, atol, rtol);
  } finally {
    constants.forEach((t) => t.dispose());
  }
}

async function compare(loss: Fn, inputs: readonly Tensor[], eps: number, atol: number, rtol: number): Promise<GradcheckResult> {
  const values = await Promise.all(inputs.map((x) => x.read()));
  const params = values.map((v, i) => requireGrad(inputs[i]!.device.tensor(v, inputs[i]!.shape)));
  const analytic = await Promise.all(tidy(() => grad(loss(...params), params, { allowUnused: true })).map(async (g) => {
    const data = await g.read();
    g.dispose();
    return data;
  }));
  const mismatches: GradcheckMismatch[] = [];
  let worstExcess = -Infinity;
  for (let i = 0; i < inputs.length; i++) {
    for (let j = 0; j < values[i]!.length; j++) {
      const evaluate = async (delta: number) => {
        const shifted = values[i]!.slice();
        shifted[j]! += delta;
        const y = tidy(() => {
          const args = values.map((v, k) => inputs[k]!.device.tensor(k === i ? shifted : v, inputs[k]!.shape));
          return loss(...args);
        });
        const value = await y.item();
        y.dispose();
        return value;
      };
      const numeric = ((await evaluate(eps)) - (await evaluate(-eps))) / (2 * eps);
      const a = analytic[i]![j]!;
      const excess = Math.abs(a - numeric) - rtol * Math.abs(numeric);
      worstExcess = Math.max(worstExcess, excess);
      if (!(excess <= atol)) mismatches.push({ input: i, index: j, analytic: a, numeric });
    }
  }
  params.forEach((p) => p.dispose());
  return { ok: mismatches.length === 0, worstExcess, mismatches };
}

/** Checks the second derivatives: gradcheck of h(x) = sum_i sum(dL/dx_i * w_i). */
export async function gradgradcheck(f: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): Promise<GradcheckResult> {
  const seed = options.seed ?? 7;
  const constants: Tensor[] = [];
  const loss = projected(f, seed, constants);
  const weights: Tensor[] = [];
  const h: Fn = (...xs) => {
    const leaves = xs.map((x) => requireGrad(x));
    const grads = grad(loss(...leaves), leaves, { createGraph: true, allowUnused: true });
    grads.forEach((g, i) => {
      if (!weights[i]) constants.push((weights[i] = g.device.tensor(directions(seed + 101 * (i + 1), g.size), g.shape).keep()));
    });
    return grads.map((g, i) => sum(mul(g, weights[i]!))).reduce((acc, term) => add(acc, term));
  };
  try {
    return await gradcheck(h, inputs, { eps: 1e-2, ...options });
  } finally {
    constants.forEach((t) => t.dispose());
  }
}
