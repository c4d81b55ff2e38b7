/**
 * tuneShapes: times the kernels of every tuning class recordTunables() found (tuneConv for a
 * convolution's direction, tuneMatmul for a product) unless the tune cache already holds a
 * winner for this adapter, and says which were timed and who won.
 */
import type { Device } from "../../tensor/device.js";
import type { TuneOptions } from "../../tensor/autotune.js";
import { tuneConv } from "./conv-tune.js";
import { tuneMatmul } from "./matmul.js";
import type { TunableShape } from "./tunable-shapes.js";

export interface TuneSummary {
  /** The winner of every class, by its key (as many as there are classes). */
  choices: Record<string, string>;
  /** Classes timed now; the others came from the cache. */
  timed: number;
  cached: number;
}

/** The winner of one class and whether it was timed now. */
export async function tuneShape(device: Device, shape: TunableShape, options: TuneOptions = {}): Promise<{ winner: string; ms: Record<string, number> }> {
  if (shape.op === "matmul") {
    const { kernel, ms } = await tuneMatmul(device, shape.m, shape.n, shape.k, options);
    return { winner: kernel, ms };
  }
  const { variant, ms } = await tuneConv(device, shape.direction, shape.input, shape.weight, shape.params, options);
  return { winner: variant, ms };
}

/** Tunes each class of `shapes` once, on its first shape. */
export async function tuneShapes(device: Device, shapes: readonly TunableShape[], options: TuneOptions = {}): Promise<TuneSummary> {
  const summary: TuneSummary = { choices: {}, timed: 0, cached: 0 };
  for (const shape of shapes) {
    if (shape.key in summary.choices) continue;
    const { winner, ms } = await tuneShape(device, shape, options);
    summary.choices[shape.key] = winner;
    if (Object.keys(ms).length > 0) summary.timed++;
    else summary.cached++;
  }
  return summary;
}
