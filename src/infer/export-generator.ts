/**
 * A trained generator on its own: the generator's tensors of a training checkpoint, written as
 * a checkpoint pair of its own (NAME.safetensors and its sidecar NAME.json), which loadGenerator
 * reads like any checkpoint. It is what a model is shipped as (the browser page's demo model):
 * 3.5 MiB of a tiny-preset training checkpoint's 30 MiB; the rest is both critics and the Adam
 * moments of every network.
 *
 * The sidecar keeps the source's step and configuration (config.model for readers, and how it
 * was trained) and adds `config.generatorOnly`, so train.js can refuse to resume from it with a
 * message that says why, instead of reporting missing critics.
 */
import { basename, dirname } from "node:path";
import { encodeHostCheckpoint, type CheckpointFiles } from "../checkpoint/checkpoint-bytes.js";
import { loadCheckpoint, writeCheckpointPair } from "../checkpoint/checkpoint.js";
import { refuseOverwrites } from "../io/paths.js";
import { generatorTensors, modelConfig } from "./generator-checkpoint.js";
import { checkpointSource } from "./load-generator.js";

export interface ExportedGenerator extends CheckpointFiles {
  cnum: number;
  /** How many tensors the pair holds. */
  tensors: number;
}

/** The sidecar path an export to `out` writes (`out` names either file of the pair). */
export function exportSidecarPath(out: string): string {
  if (!/\.(json|safetensors)$/.test(out)) throw new Error(`--out ${out} must end in .json or .safetensors (the pair NAME.json and NAME.safetensors is written); e.g. --out demo.json`);
  return out.replace(/\.safetensors$/, ".json");
}

/**
 * Reads and checks the training checkpoint at `source` (as inpaint.js's --checkpoint takes it),
 * then writes its generator to the pair `out` names. Refuses, before writing anything, a pair
 * that would replace a file of the source.
 */
export async function exportGenerator(source: string, out: string): Promise<ExportedGenerator> {
  const sidecarPath = exportSidecarPath(out);
  const checkpoint = loadCheckpoint(checkpointSource(source));
  const { cnum } = modelConfig(checkpoint.config, checkpoint.sidecarPath);
  const tensors = generatorTensors(checkpoint);
  const base = basename(sidecarPath, ".json");
  const outputs = [sidecarPath, sidecarPath.replace(/\.json$/, ".safetensors")].map((path) => ({ path, what: "--out" }));
  refuseOverwrites(outputs, [{ path: checkpoint.sidecarPath, what: "--checkpoint sidecar" }, { path: checkpoint.tensorsPath, what: "--checkpoint tensors" }]);
  // The source's file name only: a folder path would carry the exporting machine's layout along.
  const config = { ...(checkpoint.config as object), generatorOnly: { from: basename(checkpoint.sidecarPath) } };
  const encoded = await encodeHostCheckpoint(base, tensors, { step: checkpoint.step, config, rng: {}, optimizers: {} });
  const files = writeCheckpointPair(dirname(sidecarPath), encoded, checkpoint.step);
  return { ...files, cnum, tensors: tensors.size };
}

/** True for a sidecar configuration exportGenerator wrote (generator weights only: nothing to resume training from). */
export function isGeneratorOnly(config: unknown): boolean {
  return typeof config === "object" && config !== null && "generatorOnly" in config;
}
