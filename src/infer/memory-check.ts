/**
 * Refusing, before anything runs, a working size the GPU cannot take: over the memory budget
 * (estimated by models/generator-memory.ts) or with one buffer over the adapter's storage
 * binding, which WebGPU would otherwise report only after minutes of work, as errors from
 * inside the pass. The refusal names the largest square working size that does fit.
 */
import { inferenceFootprint } from "../models/generator-memory.js";
import { largestBinding, type BindingLimits } from "../tensor/limits.js";
import type { Generator } from "../models/generator.js";
import { paddedSide } from "./inpaint-image.js";

const GIB = 2 ** 30;
const MIB = 2 ** 20;

/** Why a working size of width x height (padded to multiples of 8) does not fit, or null when it does. */
function overflow(generator: Generator, width: number, height: number, limits: BindingLimits, budgetBytes: number): string | null {
  const { bytes, largestBuffer } = inferenceFootprint(generator, paddedSide(height), paddedSide(width), limits);
  const binding = largestBinding(limits);
  if (largestBuffer > binding) return `a ${(largestBuffer / MIB).toFixed(0)} MiB buffer, over the adapter's ${(binding / MIB).toFixed(0)} MiB storage binding`;
  if (bytes > budgetBytes) return `about ${(bytes / GIB).toFixed(2)} GiB of GPU memory, over the ${(budgetBytes / GIB).toFixed(2)} GiB budget`;
  return null;
}

/** The largest side s (a multiple of 8, at most `limit`) whose s x s working size fits, or 0. */
export function largestFittingSide(generator: Generator, limits: BindingLimits, budgetBytes: number, limit: number): number {
  let [fits, fails] = [0, Math.floor(limit / 8) + 1]; // in units of 8 pixels
  while (fails - fits > 1) {
    const mid = (fits + fails) >> 1;
    if (overflow(generator, 8 * mid, 8 * mid, limits, budgetBytes) === null) fits = mid;
    else fails = mid;
  }
  return 8 * fits;
}

/** Throws one line when the generator cannot run at width x height within the budget and the adapter's limits. */
export function checkWorkingSize(generator: Generator, width: number, height: number, limits: BindingLimits, budgetBytes: number): void {
  const why = overflow(generator, width, height, limits, budgetBytes);
  if (why === null) return;
  const side = largestFittingSide(generator, limits, budgetBytes, Math.max(width, height));
  // Only the budget can be raised: the binding is the adapter's.
  const overBudget = why.includes("budget");
  const fix = side === 0
    ? `no working size fits${overBudget ? "; raise --memory-budget" : ""}`
    : `the largest that fits is ${side}x${side}: pass --work-size ${side} or less${overBudget ? ", or raise --memory-budget" : ""}`;
  throw new Error(`a ${width}x${height} working region of this cnum-${generator.cnum} generator needs ${why}; ${fix}`);
}
