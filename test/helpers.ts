/**
 * Shared test helpers: one device per test file (destroyed at teardown so tap exits),
 * seeded random data, and closeness assertions with named tolerances.
 */
import t, { type Test } from "tap";
import { tidy, type Device, type Tensor } from "../src/index.js";
import { openDevice } from "../src/open-device.js";
import { pinChoices } from "../src/tensor/autotune.js";
import { LANES_WIDTHS, lanesMissing, type LanesWidth } from "../src/autograd/ops/lanes.js";
import { size, type NdArray } from "./reference/layout.js";

/**
 * Opens a device for this test file (on the adapter DEEPFILL_ADAPTER names) and destroys it
 * when the file's tests end. Its "auto" kernels are the ops' defaults, whatever a tune cache
 * on this machine says, so a test runs the same kernels everywhere.
 */
export async function testDevice(): Promise<Device> {
  const device = await openDevice();
  pinChoices(device, {});
  t.teardown(() => device.destroy());
  return device;
}

/**
 * The variants of a kernel family that this adapter can run, in order. Every other variant
 * is reported as a skipped test that prints `whyNot`'s reason, so a run on any adapter says
 * what it left uncovered instead of failing on it.
 */
export function runnableVariants<V extends string>(family: string, variants: readonly V[], whyNot: (variant: V) => string | null): V[] {
  const runnable: V[] = [];
  for (const variant of variants) {
    const reason = whyNot(variant);
    if (reason === null) runnable.push(variant);
    else t.test(`${family} ${variant} on this adapter`, { skip: reason }, () => {});
  }
  return runnable;
}

/**
 * runnableVariants for a family with a "lanes" variant, which is listed once per subgroup
 * width ("lanes w4" .. "lanes w32"): an adapter runs at most one width, and the run reports
 * the widths it left uncovered and why. Returns the runnable variants as the op names them.
 */
export function runnableWithLanes<V extends string>(device: Device, family: string, variants: readonly V[]): V[] {
  const labels = variants.flatMap((v) => (v === "lanes" ? LANES_WIDTHS.map((w) => `lanes w${w}`) : [v as string]));
  const width = (label: string) => /^lanes w(\d+)$/.exec(label)?.[1];
  return runnableVariants(family, labels, (label) => {
    const w = width(label);
    return w === undefined ? null : lanesMissing(device, Number(w) as LanesWidth);
  }).map((label) => (width(label) === undefined ? label : "lanes") as V);
}

/** What `fn` returns and every kernel launch it made on `device` (its spec's name and workgroup grid), in order. */
export function recordLaunches<T>(device: Device, fn: () => T): { result: T; launches: { kernel: string; workgroups: readonly number[] }[] } {
  const launches: { kernel: string; workgroups: readonly number[] }[] = [];
  const original = device.run;
  device.run = (spec, run) => {
    launches.push({ kernel: spec.name, workgroups: run.workgroups });
    original.call(device, spec, run);
  };
  try {
    return { result: fn(), launches };
  } finally {
    device.run = original;
  }
}

/** A subtest that, after its body, asserts the body left no live tensor on `device`; `skip` gives the reason not to run it. */
export function leakCheckedTest(device: Device, name: string, body: (t: Test) => Promise<void>, skip: string | false = false) {
  return t.test(name, { skip }, async (sub) => {
    await body(sub);
    sub.equal(device.memory().liveTensors, 0, "no live tensors left");
  });
}

/** Runs `fn` in a tidy() scope and reads the tensors it returns, releasing them after. */
export async function readAll(fn: () => Tensor[]): Promise<Float32Array[]> {
  const tensors = tidy(fn);
  const values = await Promise.all(tensors.map((x) => x.read()));
  for (const x of tensors) x.dispose();
  return values;
}

/** A reference array of `shape` filled by randomValues. */
export function randomArray(shape: readonly number[], seed: number, low = -1, high = 1): NdArray {
  return { data: randomValues(size(shape), seed, low, high), shape };
}

/** Deterministic values in [low, high) (mulberry32). */
export function randomValues(count: number, seed = 1, low = -1, high = 1): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    out[i] = low + (high - low) * (((z ^ (z >>> 14)) >>> 0) / 2 ** 32);
  }
  return out;
}

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** Finite-difference gradient checks in float32 (the gradcheck defaults, named here). */
export const GRAD: Tolerance = { atol: 1e-2, rtol: 1e-2 };

/** Forward results in float32: about 1e-4 relative. */
export const FORWARD: Tolerance = { atol: 1e-5, rtol: 1e-4 };

/** The index and values of the first element outside |a - b| <= atol + rtol |b|, or null. */
export function firstMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const same = Number.isNaN(e) ? Number.isNaN(a) : Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    if (!same) return `element ${i}: got ${a}, expected ${e}`;
  }
  return null;
}

/** Asserts that two arrays agree within `tol`, naming the first element that does not. */
export function assertClose(tap: Tap, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, message: string): void {
  const mismatch = firstMismatch(actual, expected, tol);
  tap.equal(mismatch, null, `${message} (atol ${tol.atol}, rtol ${tol.rtol})`);
}

type Tap = { equal: (a: unknown, b: unknown, message: string) => unknown };
