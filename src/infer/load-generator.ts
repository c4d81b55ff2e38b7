/**
 * A trained generator from checkpoint files (Node; inpaint.js, eval.js, export.js): a sidecar,
 * its tensors file, a checkpoint folder or a run folder (its newest checkpoint), read and
 * checked by checkpoint.ts, then built by generator-checkpoint.ts.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { findLatestCheckpoint, loadCheckpoint } from "../checkpoint/checkpoint.js";
import type { Device } from "../tensor/device.js";
import { generatorFromCheckpoint, type LoadedGenerator, type LoadGeneratorOptions } from "./generator-checkpoint.js";

/** Builds the generator a checkpoint describes (sidecar, tensors file, checkpoint folder or run folder: the newest) and loads its weights. */
export function loadGenerator(device: Device, path: string, options: LoadGeneratorOptions = {}): LoadedGenerator {
  return generatorFromCheckpoint(device, loadCheckpoint(checkpointSource(path)), options);
}

/** What loadCheckpoint should read for `path`: the path itself, or for a run folder its checkpoints/ folder. */
export function checkpointSource(path: string): string {
  const what = "pass a step-*.json sidecar, its .safetensors file, or the checkpoint folder of a training run";
  if (!existsSync(path)) throw new Error(`checkpoint ${path} does not exist; ${what}`);
  if (!statSync(path).isDirectory() || findLatestCheckpoint(path)) return path;
  // A run folder: train.js keeps its checkpoints in <run>/checkpoints.
  const source = join(path, "checkpoints");
  if (!findLatestCheckpoint(source)) throw new Error(`folder ${path} holds no checkpoint (no step-*.json, nor a checkpoints/ folder with one); ${what}`);
  return source;
}
