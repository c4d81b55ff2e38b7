#!/usr/bin/env node
/**
 * `node dist/train.js [flags]`: trains DeepFill v1. See `--help` (src/train/cli-args.ts) for
 * the flags. Every failure the user can fix (a flag, the data folder, an image, a checkpoint)
 * is printed as one line without a stack trace, and the process exits non-zero; nothing is
 * written before the inputs have been checked, so no existing checkpoint is touched.
 */
import { existsSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { openDevice } from "./open-device.js";
import type { Device } from "./tensor/device.js";
import { findLatestCheckpoint, loadCheckpoint, type LoadedCheckpoint } from "./train/checkpoint.js";
import { DEFAULT_KEEP, RUNS_FOLDER, SCHEDULES, checkPaths, helpText, isUsageError, parseArgs, type CliOptions } from "./train/cli-args.js";
import { makeConfig, presetForAdapter, resumeConfig, type TrainConfig } from "./train/config.js";
import { ImageDataset } from "./train/data.js";
import { ProgressPrinter } from "./train/log.js";
import { checkpointDir, trainLoop } from "./train/loop.js";
import { Trainer } from "./train/trainer.js";
import { restoreTrainer } from "./train/trainer-state.js";

/** The checkpoint to resume and the run folder it belongs to, from a run folder, a checkpoints folder or a sidecar. */
function locateResume(path: string): { checkpoint: LoadedCheckpoint; runFolder: string } {
  if (!existsSync(path)) throw new Error(`--resume ${path} does not exist; pass a run folder, its checkpoints/ folder or a step-*.json`);
  const folder = statSync(path).isDirectory();
  const checkpoints = folder && existsSync(checkpointDir(path)) ? checkpointDir(path) : path;
  const checkpoint = loadCheckpoint(checkpoints);
  const dir = dirname(checkpoint.sidecarPath);
  return { checkpoint, runFolder: basename(dir) === "checkpoints" ? dirname(dir) : dir };
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, "").replace(/:/g, "-");
}

interface Plan {
  config: TrainConfig;
  out: string;
  why: string;
  checkpoint: LoadedCheckpoint | null;
}

function plan(args: CliOptions, device: Device): Plan {
  if (args.resume) {
    const { checkpoint, runFolder } = locateResume(args.resume);
    const config = resumeConfig(checkpoint.config, args.config, checkpoint.sidecarPath);
    if (args.preset && args.preset !== config.preset) {
      throw new Error(`checkpoint ${checkpoint.sidecarPath} was trained with preset ${config.preset}, not ${args.preset}; drop --preset to resume, or start a new run`);
    }
    return { config, out: args.out ?? runFolder, why: `resumed from ${checkpoint.sidecarPath} at iteration ${checkpoint.step}`, checkpoint };
  }
  const chosen = args.preset ? { preset: args.preset, reason: "--preset" } : presetForAdapter(device.adapter);
  const out = args.out ?? join(RUNS_FOLDER, args.name ?? timestamp());
  const existing = findLatestCheckpoint(checkpointDir(out));
  if (existing) {
    throw new Error(`${out} already holds checkpoints (${existing.sidecarPath}); continue it with --resume ${out}, or pass another --out`);
  }
  return { config: makeConfig(chosen.preset, args.config), out, why: chosen.reason, checkpoint: null };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.help) {
    console.log(helpText());
    return;
  }
  checkPaths(args);
  const device = await openDevice(args.adapter);
  const progress = new ProgressPrinter();
  let stopRequested = false;
  const onSigint = () => {
    if (stopRequested) {
      process.stderr.write("\nsecond Ctrl-C: exiting now, without a checkpoint\n");
      process.exit(130);
    }
    stopRequested = true;
    progress.note("Ctrl-C: finishing this iteration, then saving a checkpoint (Ctrl-C again exits at once)");
  };
  try {
    const { config, out, why, checkpoint } = plan(args, device);
    const schedule = SCHEDULES[config.preset];
    const steps = args.steps ?? schedule.steps;
    console.log(`adapter: ${device.adapter.description || device.adapter.device} (${device.adapter.isSoftware ? "software" : "hardware"})`);
    console.log(`preset ${config.preset} (${why}): ${config.height}x${config.width}, batch ${config.batch}, cnum ${config.cnum}/${config.criticCnum}, ` +
      `${config.criticSteps} critic steps per iteration, ${config.mask} masks${config.sharedMask ? " shared by the batch" : ""}`);
    const dataset = ImageDataset.load({ folder: config.data ?? undefined, height: config.height, width: config.width, flip: config.flip });
    console.log(`data: ${dataset.count} images from ${dataset.folder}`);
    const trainer = new Trainer(device, config, dataset);
    try {
      if (checkpoint) restoreTrainer(trainer, checkpoint);
      console.log(`run folder: ${out} (log.jsonl, samples/, checkpoints/); iterations ${trainer.iteration} -> ${steps}`);
      process.on("SIGINT", onSigint);
      const result = await trainLoop(trainer, {
        out, steps, progress, shouldStop: () => stopRequested,
        checkpointEvery: args.checkpointEvery ?? schedule.checkpointEvery,
        sampleEvery: args.sampleEvery ?? schedule.sampleEvery,
        logEvery: args.logEvery ?? schedule.logEvery,
        keep: args.keep ?? DEFAULT_KEEP,
      });
      const saved = result.checkpoint ? `; checkpoint ${result.checkpoint.sidecarPath}` : "";
      console.log(`${result.stopped ? "stopped" : "done"} at iteration ${result.step}${saved}`);
    } finally {
      process.off("SIGINT", onSigint);
      trainer.dispose();
    }
  } finally {
    device.destroy();
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`train: ${message}`);
  process.exitCode = isUsageError(error) ? 2 : 1;
});
