#!/usr/bin/env node
/**
 * `node dist/train.js [flags]`: trains DeepFill v1. See `--help` (src/train/cli-args.ts) for
 * the flags. Every failure the user can fix (a flag, the data folder, an image, a checkpoint)
 * is printed as one line without a stack trace, and the process exits non-zero; nothing is
 * written before the inputs have been checked, so no existing checkpoint is touched.
 *
 * The run folder is locked (train/run-lock.ts) before anything in it is read or written, and
 * the stop signals (train/stop-signals.ts) are handled from then on, so every way out of a
 * run releases the folder.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { openDevice } from "./open-device.js";
import type { Device } from "./tensor/device.js";
import { findLatestCheckpoint, loadCheckpoint } from "./checkpoint/checkpoint.js";
import { type LoadedCheckpoint } from "./checkpoint/checkpoint-bytes.js";
import { runCli, UsageError } from "./cli/args.js";
import { DEFAULT_KEEP, HELP, RUNS_FOLDER, SCHEDULES, checkPaths, parseArgs, type CliOptions } from "./train/cli-args.js";
import { makeConfig, presetForAdapter, resumeConfig, type TrainConfig } from "./train/config.js";
import { loadImageFolder } from "./data/image-folder.js";
import { checkOutputFolder } from "./io/paths.js";
import { ProgressPrinter, trimLog } from "./train/log.js";
import { checkpointDir, trainLoop } from "./train/loop.js";
import { checkMemoryPlan, describePlan, memoryPlan } from "./train/memory-plan.js";
import { Trainer } from "./train/trainer.js";
import { chooseTrainingKernels, parseKernelRecord } from "./train/kernel-choices.js";
import { restoreTrainer } from "./train/trainer-state.js";
import { isGeneratorOnly } from "./infer/export-generator.js";
import { RunLock } from "./train/run-lock.js";
import { removeStaleTemps } from "./train/stale-temps.js";
import { StopSignals } from "./train/stop-signals.js";

/**
 * The run folder that `--resume PATH` continues (where its log and checkpoints live), read from
 * the path alone so that the folder can be locked before any checkpoint in it is read.
 */
function resumedRunFolder(path: string): string {
  if (statSync(path).isDirectory()) return existsSync(checkpointDir(path)) || basename(resolve(path)) !== "checkpoints" ? path : dirname(path);
  const dir = dirname(path);
  return basename(resolve(dir)) === "checkpoints" ? dirname(dir) : dir;
}

/** The checkpoint `--resume PATH` names: a run folder's or checkpoints folder's newest, or the sidecar given. */
function resumedCheckpoint(path: string): LoadedCheckpoint {
  return loadCheckpoint(statSync(path).isDirectory() && existsSync(checkpointDir(path)) ? checkpointDir(path) : path);
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "").replace(/:/g, "-");
}

interface Plan {
  config: TrainConfig;
  steps: number;
  why: string;
  checkpoint: LoadedCheckpoint | null;
}

/** What a resumed run continues: everything checked before anything is written or the GPU opened. */
function planResume(args: CliOptions, resume: string, out: string): Plan {
  const checkpoint = resumedCheckpoint(resume);
  if (isGeneratorOnly(checkpoint.config)) {
    throw new Error(`${checkpoint.sidecarPath} is a generator exported by export.js, without the critics, optimizer state and random streams a run continues from; resume from the training run's folder instead`);
  }
  const config = resumeConfig(checkpoint.config, args.config, checkpoint.sidecarPath);
  if (args.preset && args.preset !== config.preset) {
    throw new Error(`checkpoint ${checkpoint.sidecarPath} was trained with preset ${config.preset}, not ${args.preset}; drop --preset to resume, or start a new run`);
  }
  const steps = args.steps ?? SCHEDULES[config.preset].steps;
  if (steps <= checkpoint.step) {
    const given = args.steps === undefined ? `the ${config.preset} schedule ends at ${steps}` : `--steps ${steps}`;
    throw new UsageError(`run ${out} is already at step ${checkpoint.step} (${given}); pass --steps greater than ${checkpoint.step} to continue it`);
  }
  return { config, steps, why: `resumed from ${checkpoint.sidecarPath} at iteration ${checkpoint.step}`, checkpoint };
}

function planNew(args: CliOptions, device: Device): Plan {
  const chosen = args.preset ? { preset: args.preset, reason: "--preset" } : presetForAdapter(device.adapter);
  const config = makeConfig(chosen.preset, args.config);
  return { config, steps: args.steps ?? SCHEDULES[config.preset].steps, why: chosen.reason, checkpoint: null };
}

/** A new run must not mix into an old one: a folder with checkpoints is continued with --resume. */
function refuseOldRun(out: string): void {
  const existing = findLatestCheckpoint(checkpointDir(out));
  if (existing) throw new Error(`${out} already holds checkpoints (${existing.sidecarPath}); continue it with --resume ${out}, or pass another --out`);
}

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  checkPaths(args);
  const out = args.out ?? (args.resume ? resumedRunFolder(args.resume) : join(RUNS_FOLDER, args.name ?? timestamp()));
  if (args.resume && args.out === undefined) checkOutputFolder(out, `the run folder of --resume`);
  const progress = new ProgressPrinter();
  // The lock comes before anything in the folder is read or written: two processes never share a run.
  const lock = RunLock.acquire(out, (message) => console.log(message));
  const signals = new StopSignals((message) => progress.note(message), () => lock.release());
  try {
    const resumed = args.resume ? planResume(args, args.resume, out) : null;
    if (!resumed) refuseOldRun(out);
    const stale = removeStaleTemps(out, ["checkpoints", "samples"]);
    if (stale.length > 0) console.log(`removed ${stale.length} temporary file(s) that interrupted writes left in ${out}`);
    await train(args, out, resumed, progress, signals);
  } finally {
    // The lock goes first: a signal that comes after the handlers are gone ends the process at
    // once, and by then the folder must already be free.
    lock.release();
    signals.dispose();
  }
  if (signals.received) process.exitCode = signals.exitCode;
}

async function train(args: CliOptions, out: string, resumed: Plan | null, progress: ProgressPrinter, signals: StopSignals): Promise<void> {
  const device = await openDevice(args.adapter);
  try {
    const { config, steps, why, checkpoint } = resumed ?? planNew(args, device);
    const schedule = SCHEDULES[config.preset];
    console.log(`adapter: ${device.adapter.description || device.adapter.device} (${device.adapter.isSoftware ? "software" : "hardware"})`);
    console.log(`preset ${config.preset} (${why}): ${config.height}x${config.width}, batch ${config.batch}, cnum ${config.cnum}/${config.criticCnum}, ` +
      `${config.criticSteps} critic steps per iteration, ${config.mask} masks${config.sharedMask ? " shared by the batch" : ""}`);
    const dataset = loadImageFolder({ folder: config.data ?? undefined, height: config.height, width: config.width, flip: config.flip });
    console.log(`data: ${dataset.count} images from ${dataset.source}`);
    const trainer = new Trainer(device, config, dataset);
    try {
      // Before the first iteration: a buffer over the adapter's binding would fail inside it.
      console.log(describePlan(memoryPlan(trainer, config, device.limits), device.limits));
      checkMemoryPlan(trainer, config, device.limits, checkpoint !== null);
      const resumedKernels = checkpoint ? { record: parseKernelRecord(checkpoint.kernels, checkpoint.sidecarPath) } : null;
      const kernels = await chooseTrainingKernels(device, config, dataset, { noTune: args.noTune ?? false, resumed: resumedKernels });
      trainer.kernels = kernels.record;
      console.log(kernels.message);
      if (checkpoint) {
        restoreTrainer(trainer, checkpoint);
        const { later, torn } = trimLog(join(out, "log.jsonl"), checkpoint.step);
        if (later + torn > 0) console.log(`log.jsonl: dropped ${later} record(s) after step ${checkpoint.step} (not in the checkpoint; they are logged again) and ${torn} torn line(s)`);
      }
      console.log(`run folder: ${out} (log.jsonl, samples/, checkpoints/); iterations ${trainer.iteration} -> ${steps}`);
      const result = await trainLoop(trainer, {
        out, steps, progress, shouldStop: () => signals.received !== null,
        checkpointEvery: args.checkpointEvery ?? schedule.checkpointEvery,
        sampleEvery: args.sampleEvery ?? schedule.sampleEvery,
        logEvery: args.logEvery ?? schedule.logEvery,
        keep: args.keep ?? DEFAULT_KEEP,
      });
      const saved = result.checkpoint ? `; checkpoint ${result.checkpoint.sidecarPath}` : "";
      if (!result.stopped) console.log(`done at iteration ${result.step}${saved}`);
      else console.log(`stopped by ${signals.received} at iteration ${result.step}${saved}${result.checkpoint || checkpoint ? `; continue with --resume ${out}` : ""}`);
    } finally {
      trainer.dispose();
    }
  } finally {
    device.destroy();
  }
}

await runCli("train", HELP, main);
