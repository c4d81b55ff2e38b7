/**
 * A trained generator from a checkpoint's contents, for inference, on any platform:
 * load-generator.ts finds and reads the files in Node, readGeneratorCheckpoint takes the two
 * parts as bytes (a page's file picker).
 *
 * The checkpoint contract (docs/weights.md): the sidecar's `config.model` holds the generator's
 * width `cnum` and its attention options; the tensors file holds every generator parameter
 * under its own name ("generator.coarse.conv1.weight", ...) beside the critics' and the
 * optimizers' tensors, which inference ignores (a pair export.js wrote holds the generator's
 * alone). Every failure is one line naming the file and
 * the fix; the checks of the checkpoint's reading (corrupt JSON, size or hash mismatch,
 * malformed safetensors) come first.
 */
import { assignTensors, checkTensorsMatch, readCheckpointBytes, type LoadedCheckpoint } from "../checkpoint/checkpoint-bytes.js";
import type { HostTensor } from "../checkpoint/safetensors.js";
import { Generator, type AttentionOptions } from "../models/generator.js";
import type { Device } from "../tensor/device.js";

export interface LoadedGenerator {
  generator: Generator;
  /** The training step the checkpoint was saved at. */
  step: number;
  /** The sidecar that was read (a folder resolves to its newest checkpoint). */
  sidecarPath: string;
  /** The options the generator was built with. */
  cnum: number;
  attention: AttentionOptions;
  /** The longer side of the images it was trained on (config.model height and width), when the sidecar says. */
  trainedSize?: number;
}

export interface LoadGeneratorOptions {
  /** Contextual attention's chunking (foreground positions per chunk, or "auto" from the adapter's limits). */
  chunkSize?: number | "auto";
}

const GENERATOR_PREFIX = "generator.";

/** Builds the generator a read checkpoint describes and loads its weights. */
export function generatorFromCheckpoint(device: Device, checkpoint: LoadedCheckpoint, options: LoadGeneratorOptions = {}): LoadedGenerator {
  const { sidecarPath } = checkpoint;
  const model = modelConfig(checkpoint.config, sidecarPath);
  const tensors = generatorTensors(checkpoint);
  const attention: AttentionOptions = { ...model.attention, chunkSize: options.chunkSize ?? "auto" };
  const generator = new Generator(device, { cnum: model.cnum, attention });
  try {
    // The generator is built from the sidecar's own config.model, so a mismatch means the
    // tensors file is not the one that sidecar was saved with, or another version wrote it.
    const fix = `its tensors do not fit the cnum-${model.cnum} generator its config.model describes; pass a checkpoint as train.js of this version wrote it, sidecar and .safetensors together`;
    checkTensorsMatch({ tensors, sidecarPath }, generator.parameters, fix);
    assignTensors(generator.parameters, tensors);
  } catch (error) {
    generator.dispose();
    throw error;
  }
  return { generator, step: checkpoint.step, sidecarPath, cnum: model.cnum, attention, trainedSize: model.trainedSize };
}

/** The generator of a checkpoint given as its two parts: the .safetensors bytes and the .json sidecar's text. */
export async function readGeneratorCheckpoint(device: Device, safetensors: Uint8Array, sidecarJson: string, options: LoadGeneratorOptions = {}): Promise<LoadedGenerator> {
  return generatorFromCheckpoint(device, await readCheckpointBytes(safetensors, sidecarJson), options);
}

/** The generator's tensors of a checkpoint (the critics' and optimizers' left out); none is an error. */
export function generatorTensors(checkpoint: Pick<LoadedCheckpoint, "tensors" | "sidecarPath">): Map<string, HostTensor> {
  const tensors = new Map([...checkpoint.tensors].filter(([name]) => name.startsWith(GENERATOR_PREFIX)));
  if (tensors.size === 0) {
    throw new Error(`checkpoint ${checkpoint.sidecarPath} holds no generator weights (no tensor named "${GENERATOR_PREFIX}*"); pass a checkpoint written by train.js`);
  }
  return tensors;
}

/** The sidecar's `config.model`, checked for what building the generator needs. */
export function modelConfig(config: unknown, sidecarPath: string): { cnum: number; attention: AttentionOptions; trainedSize?: number } {
  const model = (config as { model?: unknown } | null)?.model as { cnum?: unknown; attention?: unknown; height?: unknown; width?: unknown } | undefined;
  if (typeof model !== "object" || model === null || !Number.isInteger(model.cnum) || (model.cnum as number) < 2) {
    throw new Error(`checkpoint ${sidecarPath} has no generator configuration (config.model.cnum, an integer); pass a checkpoint written by train.js`);
  }
  const attention = model.attention ?? {};
  if (typeof attention !== "object" || attention === null || Array.isArray(attention)) {
    throw new Error(`checkpoint ${sidecarPath}: config.model.attention must be an object of attention options, got ${JSON.stringify(attention)}`);
  }
  const { softmaxScale, fuseK, sharedMask } = attention as Record<string, unknown>;
  const picked: AttentionOptions = {};
  if (typeof softmaxScale === "number") picked.softmaxScale = softmaxScale;
  if (typeof fuseK === "number") picked.fuseK = fuseK;
  if (typeof sharedMask === "boolean") picked.sharedMask = sharedMask;
  const sides = [model.height, model.width].filter((side): side is number => Number.isInteger(side) && (side as number) >= 8);
  return { cnum: model.cnum as number, attention: picked, trainedSize: sides.length === 2 ? Math.max(...sides) : undefined };
}
