/**
 * Which kernels a training run's convolutions and matrix products use. Before the first
 * iteration, a fresh run records the tuning classes of one iteration (on a throwaway trainer
 * with the run's configuration, so the run's parameters and random streams stay untouched),
 * times the classes the tune cache does not know, and pins the winners on its device. Its
 * checkpoints record those choices, and a resumed run pins the recorded ones instead of tuning
 * again: another winner would sum in another order, and the resumed run would not repeat the
 * straight one bit for bit.
 */
import { recordTunables, type TunableShape } from "../autograd/ops/tunable-shapes.js";
import { tuneShapes } from "../autograd/ops/tune-shapes.js";
import { adapterKey, pinChoices } from "../tensor/autotune.js";
import type { Device } from "../tensor/device.js";
import type { ImageDataset } from "../data/dataset.js";
import type { TrainConfig } from "./config.js";
import { Trainer } from "./trainer.js";

/** What a checkpoint records: the adapter the winners were measured on, and the winner per class. */
export interface KernelRecord {
  adapter: string;
  choices: Record<string, string>;
}

/**
 * The tunable shapes of one training iteration (critic step and generator step) at `config`,
 * run once on a throwaway trainer: the same layers, crops and attention shapes as the run.
 */
export async function trainingShapes(device: Device, config: TrainConfig, dataset: ImageDataset): Promise<TunableShape[]> {
  const scratch = new Trainer(device, { ...config, criticSteps: Math.min(config.criticSteps, 1) }, dataset);
  try {
    // Past the warm-up: the full step runs every layer the coarse-only one does, and the critics.
    scratch.iteration = config.warmup;
    const shapes = recordTunables(() => void scratch.step(false));
    await device.sync();
    return shapes;
  } finally {
    scratch.dispose();
  }
}

/** A checkpoint's `kernels` field as a record, or null when it has none (a run that did not tune). */
export function parseKernelRecord(value: unknown, sidecarPath: string): KernelRecord | null {
  if (value === undefined || value === null) return null;
  const record = value as KernelRecord;
  const valid = typeof record === "object" && typeof record.adapter === "string" && typeof record.choices === "object" && record.choices !== null &&
    Object.values(record.choices).every((v) => typeof v === "string");
  if (!valid) throw new Error(`checkpoint ${sidecarPath} is corrupt (its "kernels" is not { adapter, choices }); delete it (and its .safetensors) to fall back to the previous checkpoint, or start a new run`);
  return record;
}

export interface KernelPlan {
  /** What the checkpoints record (null: the ops' default kernels). */
  record: KernelRecord | null;
  /** One line for the console. */
  message: string;
}

/** "conv2d lanes 12, gemm 3; conv2dBackwardInput ...": the winners counted per direction. */
function winnersByDirection(choices: Record<string, string>): string {
  const counts = new Map<string, Map<string, number>>();
  for (const [key, winner] of Object.entries(choices)) {
    const direction = key.split(":")[0]!;
    const perWinner = counts.get(direction) ?? new Map<string, number>();
    counts.set(direction, perWinner.set(winner, (perWinner.get(winner) ?? 0) + 1));
  }
  return [...counts].map(([direction, perWinner]) => `${direction} ${[...perWinner].map(([w, n]) => `${w} ${n}`).join(", ")}`).join("; ");
}

/**
 * Settles the run's kernels before its first iteration and pins them on `device`: a resumed
 * run's recorded choices (measured on this adapter); the defaults when `noTune` or when a
 * checkpoint records none (its run used the defaults); otherwise the tuned winners.
 */
export async function chooseTrainingKernels(device: Device, config: TrainConfig, dataset: ImageDataset,
  options: { noTune: boolean; resumed: { record: KernelRecord | null } | null }): Promise<KernelPlan> {
  const adapter = adapterKey(device);
  const { resumed } = options;
  if (resumed?.record && resumed.record.adapter === adapter) {
    pinChoices(device, resumed.record.choices);
    return { record: resumed.record, message: `kernels: ${Object.keys(resumed.record.choices).length} shape classes as the checkpoint records them` };
  }
  if (resumed && !resumed.record) {
    pinChoices(device, {});
    return { record: null, message: "kernels: the default kernels (the checkpoint records no tuned choices)" };
  }
  if (options.noTune) {
    pinChoices(device, {});
    return { record: null, message: "kernels: the default kernels (--no-tune)" };
  }
  const start = performance.now();
  const shapes = await trainingShapes(device, config, dataset);
  const summary = await tuneShapes(device, shapes);
  pinChoices(device, summary.choices);
  const seconds = ((performance.now() - start) / 1000).toFixed(1);
  const other = resumed?.record ? ` (the checkpoint's were measured on ${resumed.record.adapter})` : "";
  return {
    record: { adapter, choices: summary.choices },
    message: `kernels: tuned ${Object.keys(summary.choices).length} shape classes of ${shapes.length} shapes${other} (${summary.timed} timed, ${summary.cached} from the tune cache) in ${seconds} s: ${winnersByDirection(summary.choices)}`,
  };
}
