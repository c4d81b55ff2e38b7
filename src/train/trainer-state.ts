/**
 * A Trainer's checkpoint, per the checkpoint contract: every network parameter under its own
 * name ("generator.*", "globalCritic.*", "localCritic.*"), the Adam moments under
 * "adam.generator." and "adam.critics.", and in the sidecar the configuration (`model` for
 * readers such as inpaint, `training` for resume), the random streams, both optimizers'
 * step counts and the kernel choices the run computes with (train/kernel-choices.ts). Restoring checks everything before it changes anything. Pure: the training loop
 * stores the contents as files (saveCheckpoint), a page encodes them to bytes (encodeTrainer).
 */
import type { Tensor } from "../tensor/tensor.js";
import {
  addPrefix, assignTensors, checkTensorsMatch, encodeCheckpoint, stripPrefix, type CheckpointBytes, type CheckpointContents, type LoadedCheckpoint,
} from "../checkpoint/checkpoint-bytes.js";
import { sidecarConfig } from "./config.js";
import { Rng } from "../data/rng.js";
import type { Trainer } from "./trainer.js";

const GENERATOR_MOMENTS = "adam.generator.";
const CRITIC_MOMENTS = "adam.critics.";

/** Every tensor of the trainer's state, under its checkpoint name. */
export function trainerTensors(trainer: Trainer): Map<string, Tensor> {
  return new Map([
    ...trainer.generator.parameters,
    ...trainer.criticParameters(),
    ...addPrefix(trainer.generatorOptimizer.state().moments, GENERATOR_MOMENTS),
    ...addPrefix(trainer.criticOptimizer.state().moments, CRITIC_MOMENTS),
  ]);
}

/** The checkpoint of the trainer's current iteration: its tensors, configuration, random streams and optimizer steps. */
export function trainerCheckpoint(trainer: Trainer): CheckpointContents {
  return {
    step: trainer.iteration,
    tensors: trainerTensors(trainer),
    config: sidecarConfig(trainer.config),
    rng: { ...trainer.randomStates() },
    optimizers: { generator: { step: trainer.generatorOptimizer.stepCount }, critics: { step: trainer.criticOptimizer.stepCount } },
    ...(trainer.kernels ? { kernels: trainer.kernels } : {}),
  };
}

/** The trainer's checkpoint as the bytes of its two files (the ones train.js writes, which `--resume` and inpaint.js read). */
export function encodeTrainer(trainer: Trainer): Promise<CheckpointBytes> {
  return encodeCheckpoint(trainerCheckpoint(trainer));
}

/** Loads a checkpoint into a trainer built with the checkpoint's configuration. */
export function restoreTrainer(trainer: Trainer, checkpoint: LoadedCheckpoint): void {
  const expected = trainerTensors(trainer);
  checkTensorsMatch(checkpoint, expected);
  const { rng, optimizers, sidecarPath } = checkpoint;
  const corrupt = (what: string) => new Error(`checkpoint ${sidecarPath} is corrupt (${what}); delete it (and its .safetensors) to fall back to the previous checkpoint, or start a new run`);
  for (const stream of ["data", "masks", "gp"]) {
    try {
      Rng.restore(rng[stream]);
    } catch {
      throw corrupt(`no valid random state "${stream}"`);
    }
  }
  const generatorStep = optimizers.generator?.step;
  const criticStep = optimizers.critics?.step;
  if (generatorStep === undefined || criticStep === undefined) throw corrupt("optimizer step counts missing");
  // Everything checked: from here on nothing can fail half-way for a reason in the files.
  const networks = new Map([...trainer.generator.parameters, ...trainer.criticParameters()]);
  assignTensors(networks, checkpoint.tensors);
  trainer.generatorOptimizer.loadState({ step: generatorStep, moments: stripPrefix(checkpoint.tensors, GENERATOR_MOMENTS) });
  trainer.criticOptimizer.loadState({ step: criticStep, moments: stripPrefix(checkpoint.tensors, CRITIC_MOMENTS) });
  trainer.restoreRandomStates(rng);
  trainer.iteration = checkpoint.step;
}
