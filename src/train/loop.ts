/**
 * The training loop around a Trainer: iterations up to a total, a log record and read-back of
 * the losses every `logEvery`, a sample grid every `sampleEvery`, a checkpoint every
 * `checkpointEvery` and at the end (or when `shouldStop` turns true, after the current
 * iteration: how Ctrl-C ends a run).
 *
 * The loop waits for the GPU after every iteration: that bounds how far the host runs ahead of
 * the queue, makes step times real, and lets the event loop deliver a Ctrl-C. An iteration is
 * six forward passes of the generator, so one wait per iteration costs little.
 *
 * A diverged run (a NaN or an infinity) stops with an error before it saves or prunes anything:
 * the losses read back for the log, and on every checkpoint's iteration, are checked, and
 * saveCheckpoint refuses non-finite tensors. The last good checkpoints survive.
 */
import { join } from "node:path";
import { findLatestCheckpoint, saveCheckpoint } from "../checkpoint/checkpoint.js";
import { checkpointName, NonFiniteTensorError, type CheckpointFiles } from "../checkpoint/checkpoint-bytes.js";
import { JsonlLog, type ProgressPrinter } from "./log.js";
import { sampleGrid } from "./sample-grid.js";
import { writePng } from "../io/image.js";
import { readLosses, type Losses, type Trainer } from "./trainer.js";
import { trainerCheckpoint } from "./trainer-state.js";

export interface LoopOptions {
  /** The run folder: log.jsonl, samples/, checkpoints/. */
  out: string;
  /** Iterations to reach in total. */
  steps: number;
  checkpointEvery: number;
  sampleEvery: number;
  logEvery: number;
  keep: number;
  progress?: ProgressPrinter;
  /** Polled after each iteration; true ends the run with a checkpoint. */
  shouldStop?: () => boolean;
}

export interface LoopResult {
  /** The iteration reached. */
  step: number;
  /** True when shouldStop ended the run early. */
  stopped: boolean;
  /** The last checkpoint written (null when no iteration ran: the run was already at `steps`). */
  checkpoint: CheckpointFiles | null;
}

/** Where a run keeps its checkpoints. */
export function checkpointDir(out: string): string {
  return join(out, "checkpoints");
}

export async function trainLoop(trainer: Trainer, options: LoopOptions): Promise<LoopResult> {
  const { out, steps, checkpointEvery, sampleEvery, logEvery, keep, progress, shouldStop = () => false } = options;
  const log = new JsonlLog(join(out, "log.jsonl"));
  const { device, config } = trainer;
  let checkpoint: CheckpointFiles | null = null;
  let lastLosses: Losses | null = null;
  // Step time since the last record, counting only the iterations (not samples or checkpoints).
  let busyMs = 0;
  let itersSinceLog = 0;
  let recentRate = 0;
  let stopped = false;
  const first = trainer.iteration;
  while (trainer.iteration < steps) {
    if (shouldStop()) {
      stopped = true;
      break;
    }
    const step = trainer.iteration + 1;
    const warmup = trainer.iteration < config.warmup;
    const logged = step % logEvery === 0 || step === steps;
    // Checkpoint steps read the losses too (a few bytes beside the megabytes of the checkpoint), to check them.
    const checked = logged || step % checkpointEvery === 0;
    const start = performance.now();
    const result = trainer.step(checked);
    const losses = result ? await readLosses(result) : null;
    if (!result) await device.sync();
    const ms = performance.now() - start;
    busyMs += ms;
    itersSinceLog++;
    // A moving average smooths the rate shown between log records.
    recentRate = recentRate === 0 ? 1000 / ms : 0.9 * recentRate + 0.1 * (1000 / ms);
    if (losses && logged) {
      lastLosses = losses;
      const stepMs = busyMs / itersSinceLog;
      const imagesPerStep = config.batch * (warmup ? 1 : config.criticSteps + 1);
      log.write({
        step, warmup, losses, step_ms: round(stepMs), images_per_s: round((1000 * imagesPerStep) / stepMs),
        memory: device.memory(), time: new Date().toISOString(),
      });
      busyMs = 0;
      itersSinceLog = 0;
    }
    const nonFinite = Object.entries(losses ?? {}).filter(([, v]) => !Number.isFinite(v));
    if (nonFinite.length > 0) throw diverged(options.out, config.lr, step, `loss ${nonFinite.map(([k, v]) => `${k} is ${v}`).join(", ")}`);
    progress?.update({ step, total: steps, rate: recentRate, losses: lastLosses }, logged);
    if (step % sampleEvery === 0) {
      const grid = await sampleGrid(device, trainer.generator, trainer.dataset, { seed: config.seed, rows: config.batch, mask: config.mask });
      writePng(join(out, "samples", `${checkpointName(step)}.png`), grid);
    }
    if (step % checkpointEvery === 0 && step !== steps) checkpoint = await save(trainer, options);
  }
  if (trainer.iteration > first && checkpoint?.step !== trainer.iteration) checkpoint = await save(trainer, options);
  progress?.endLine();
  return { step: trainer.iteration, stopped, checkpoint };
}

async function save(trainer: Trainer, options: LoopOptions): Promise<CheckpointFiles> {
  try {
    return await saveCheckpoint(checkpointDir(options.out), { ...trainerCheckpoint(trainer), keep: options.keep });
  } catch (error) {
    if (error instanceof NonFiniteTensorError) throw diverged(options.out, trainer.config.lr, error.step, `tensor ${error.tensor} is not finite`);
    throw error;
  }
}

/** The error that ends a diverged run: the step, what went non-finite, and how to go on. */
function diverged(out: string, lr: number, step: number, what: string): Error {
  const last = findLatestCheckpoint(checkpointDir(out));
  const fix = last
    ? `lower --lr (it is ${lr}) and resume from the last good checkpoint (step ${last.step}): --resume ${out} --lr ${Number((lr / 10).toPrecision(3))}`
    : `start again with a lower --lr (it is ${lr})`;
  return new Error(`training diverged at step ${step} (${what}); stopped without saving a checkpoint; ${fix}`);
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
