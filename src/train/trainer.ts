/**
 * The DeepFill v1 training step (docs/model.md#training-schedule): the generator, both critics, their Adam
 * optimizers and the random streams, and one iteration = `criticSteps` critic steps then one
 * generator step, each with a fresh batch and fresh masks (or a coarse-only warm-up step).
 *
 * Every step runs inside its own tidy(), so the graph, the activations and the gradients are
 * released when it ends; parameters and moments are updated in place. Losses stay on the GPU:
 * a step returns them only when asked (`withLosses`), as one small tensor, because a read-back
 * waits for the whole queue and so costs a pipeline stall per step.
 *
 * Random streams (all in the checkpoint, so resume repeats the exact run): `data` draws crops and
 * flips, `masks` the holes, `gp` the seeds of the gradient penalty's interpolation factors.
 */
import { grad } from "../autograd/grad.js";
import { noGrad } from "../autograd/graph.js";
import { add, affine } from "../autograd/ops/elementwise.js";
import { concat, detach, reshape } from "../autograd/ops/layout.js";
import { globalCritic, localCritic, type Critic } from "../models/critics.js";
import { Generator, composite } from "../models/generator.js";
import {
  aeLoss, borderDiscount, gradientPenaltyLoss, l1Loss, nearestKnownDiscount, wganCriticLoss, wganGeneratorLoss,
} from "../models/losses.js";
import { cropBoxes } from "../models/ops/crop-boxes.js";
import type { Device } from "../tensor/device.js";
import { tidy } from "../tensor/scope.js";
import type { Tensor } from "../tensor/tensor.js";
import { Adam } from "./adam.js";
import type { TrainConfig } from "./config.js";
import type { ImageDataset } from "../data/dataset.js";
import { bboxSize, maskTensor, sampleMasks, type MaskBatch } from "../data/masks.js";
import { Rng, type RngState } from "../data/rng.js";
import type { KernelRecord } from "./kernel-choices.js";

/** Official weights (docs/model.md#losses). */
const GP_LAMBDA = 10;
const GAN_WEIGHT = 0.001;
const L1_WEIGHT = 1.2;
const AE_WEIGHT = 1.2;
/** The coarse network's parameter names start with this (the warm-up trains only them). */
const COARSE_PREFIX = "generator.coarse.";

/** Names of the values each kind of step reports, in the order of its loss tensor. */
export const CRITIC_LOSSES = ["d", "d_global", "d_local", "gp_global", "gp_local"] as const;
export const GENERATOR_LOSSES = ["g", "g_global", "g_local", "l1", "ae"] as const;
export const WARMUP_LOSSES = ["g", "l1", "ae"] as const;

export type Losses = Record<string, number>;

export interface RandomStates {
  data: RngState;
  masks: RngState;
  gp: RngState;
}

export class Trainer {
  readonly generator: Generator;
  readonly globalCritic: Critic;
  readonly localCritic: Critic;
  readonly generatorOptimizer: Adam;
  readonly criticOptimizer: Adam;
  /** Iterations completed (warm-up ones included). */
  iteration = 0;
  /** The kernel choices pinned on the device for this run (kernel-choices.ts), recorded in checkpoints; null: the defaults. */
  kernels: KernelRecord | null = null;
  private dataRng: Rng;
  private maskRng: Rng;
  private gpRng: Rng;
  private readonly borderMap: Tensor | null;
  private readonly criticParams: Tensor[];
  private readonly generatorParams: Tensor[];

  constructor(readonly device: Device, readonly config: TrainConfig, readonly dataset: ImageDataset) {
    const { height, width, cnum, criticCnum, seed } = config;
    if (dataset.height !== height || dataset.width !== width) {
      throw new Error(`Trainer: the data set yields ${dataset.width}x${dataset.height} crops, the configuration wants ${width}x${height}`);
    }
    // Model seeds must be below 2^21; the names already separate the three networks.
    const modelSeed = seed % 2 ** 21;
    this.generator = new Generator(device, { cnum, seed: modelSeed, attention: config.attention });
    const box = bboxSize(height, width);
    this.globalCritic = globalCritic(device, { size: [height, width], cnum: criticCnum, seed: modelSeed });
    this.localCritic = localCritic(device, { size: [box.height, box.width], cnum: criticCnum, seed: modelSeed });
    this.generatorOptimizer = new Adam(this.generator.parameters, { lr: config.lr });
    this.criticOptimizer = new Adam(this.criticParameters(), { lr: config.lr });
    this.generatorParams = [...this.generator.parameters.values()];
    this.criticParams = [...this.criticParameters().values()];
    this.dataRng = Rng.fromSeed(seed, 1);
    this.maskRng = Rng.fromSeed(seed, 2);
    this.gpRng = Rng.fromSeed(seed, 3);
    this.borderMap = config.discount === "border" ? borderDiscount(device, box.height, box.width, config.gamma).keep() : null;
  }

  /** Both critics' parameters under their own names ("globalCritic.*", "localCritic.*"). */
  criticParameters(): Map<string, Tensor> {
    return new Map([...this.globalCritic.parameters, ...this.localCritic.parameters]);
  }

  /** The random streams' states, for a checkpoint. */
  randomStates(): RandomStates {
    return { data: this.dataRng.state(), masks: this.maskRng.state(), gp: this.gpRng.state() };
  }

  /** Continues the random streams from a checkpoint's states. */
  restoreRandomStates(states: Record<string, unknown>): void {
    this.dataRng = Rng.restore(states.data);
    this.maskRng = Rng.restore(states.masks);
    this.gpRng = Rng.restore(states.gp);
  }

  /**
   * One iteration: warm-up (coarse only) while `iteration < warmup`, else the critic steps and
   * the generator step. With `withLosses`, returns the last critic step's and the generator
   * step's losses as one [n] tensor (the caller reads and disposes it) and their names.
   * Wait for the device (sync or a read) between iterations: queueing hundreds of them
   * without a wait crashed lavapipe (a segfault inside the driver) in our runs.
   */
  step(withLosses: boolean): { losses: Tensor; names: string[] } | null {
    const warmup = this.iteration < this.config.warmup;
    let result: { losses: Tensor; names: string[] } | null = null;
    if (warmup) {
      const losses = this.warmupStep(withLosses);
      if (losses) result = { losses, names: WARMUP_LOSSES.map((n) => n) };
    } else {
      let criticLosses: Tensor | null = null;
      for (let i = 0; i < this.config.criticSteps; i++) {
        const last = i === this.config.criticSteps - 1;
        criticLosses = this.criticStep(withLosses && last) ?? criticLosses;
      }
      const generatorLosses = this.generatorStep(withLosses);
      if (generatorLosses) {
        const parts = criticLosses ? [generatorLosses, criticLosses] : [generatorLosses];
        const names = [...GENERATOR_LOSSES, ...(criticLosses ? CRITIC_LOSSES : [])];
        result = { losses: parts.length === 1 ? parts[0]! : tidy(() => concat(parts, 0)), names };
        if (parts.length > 1) parts.forEach((t) => t.dispose());
      }
    }
    this.iteration++;
    return result;
  }

  /** A fresh batch and masks from the run's streams. */
  private draw(): { image: Tensor; masks: MaskBatch; mask: Tensor } {
    const image = this.dataset.batch(this.device, this.dataRng, this.config.batch);
    const masks = this.sampleMasks(this.maskRng);
    return { image, masks, mask: maskTensor(this.device, masks) };
  }

  private sampleMasks(rng: Rng): MaskBatch {
    const { batch, height, width, mask: kind, sharedMask: shared } = this.config;
    return sampleMasks(rng, { batch, height, width, kind, shared });
  }

  /** The discount map for the L1 loss: the fixed border map, or this batch's nearest-known map cropped to the boxes. */
  private discount(masks: MaskBatch): Tensor {
    if (this.borderMap) return this.borderMap;
    const [b, , h, w] = masks.shape;
    return cropBoxes(nearestKnownDiscount(this.device, masks.data, [b, h, w], this.config.gamma), masks.boxes);
  }

  /** Scores [2B, 1] of the real images, then the fakes, from one forward pass over both (the official code's concat). */
  private scores(critic: Critic, real: Tensor, fake: Tensor): Tensor {
    return critic.forward(concat([real, fake], 0));
  }

  /** The critics' step: dLoss = d_global + d_local + 10 (gp_global + gp_local), Adam on both critics. */
  private criticStep(withLosses: boolean): Tensor | null {
    return tidy(() => {
      const { image, masks, mask } = this.draw();
      const refined = noGrad(() => this.generator.forwardOutputs(image, mask).refined);
      const fake = detach(composite(image, refined, mask));
      const realCrop = cropBoxes(image, masks.boxes);
      const fakeCrop = cropBoxes(fake, masks.boxes);
      const dGlobal = wganCriticLoss(this.scores(this.globalCritic, image, fake));
      const dLocal = wganCriticLoss(this.scores(this.localCritic, realCrop, fakeCrop));
      const gpGlobal = gradientPenaltyLoss((x) => this.globalCritic.forward(x), image, fake, mask, this.gpRng.seed());
      const gpLocal = gradientPenaltyLoss((x) => this.localCritic.forward(x), realCrop, fakeCrop, cropBoxes(mask, masks.boxes), this.gpRng.seed());
      const terms: WeightedTerm[] = [[dGlobal, 1], [dLocal, 1], [gpGlobal, GP_LAMBDA], [gpLocal, GP_LAMBDA]];
      this.criticOptimizer.step(gradOfWeightedSum(terms, this.criticParams));
      return withLosses ? stackScalars([weightedTotal(terms), dGlobal, dLocal, gpGlobal, gpLocal]) : null;
    });
  }

  /** The generator's step: gLoss = 0.001 (g_global + g_local) + 1.2 l1 + 1.2 ae, Adam on the generator. */
  private generatorStep(withLosses: boolean): Tensor | null {
    return tidy(() => {
      const { image, masks, mask } = this.draw();
      const { coarse, refined } = this.generator.forwardOutputs(image, mask);
      const fake = composite(image, refined, mask);
      const gGlobal = wganGeneratorLoss(this.globalCritic.forward(fake));
      const gLocal = wganGeneratorLoss(this.localCritic.forward(cropBoxes(fake, masks.boxes)));
      const l1 = l1Loss(image, coarse, refined, masks.boxes, this.discount(masks));
      const ae = aeLoss(image, coarse, refined, mask);
      const terms: WeightedTerm[] = [[gGlobal, GAN_WEIGHT], [gLocal, GAN_WEIGHT], [l1, L1_WEIGHT], [ae, AE_WEIGHT]];
      this.generatorOptimizer.step(gradOfWeightedSum(terms, this.generatorParams));
      return withLosses ? stackScalars([weightedTotal(terms), gGlobal, gLocal, l1, ae]) : null;
    });
  }

  /**
   * The optional coarse-only warm-up (the official PRETRAIN_COARSE_NETWORK): L1 and AE on the
   * coarse output alone, no critics. Only the coarse layers get gradients; the others keep
   * their values and their moments (Adam skips parameters without a gradient).
   */
  private warmupStep(withLosses: boolean): Tensor | null {
    return tidy(() => {
      const { image, masks, mask } = this.draw();
      const coarse = this.generator.forwardCoarse(image, mask);
      // Passing the coarse output as both outputs with coarse weight 0.2 gives the official
      // single coarse term with its weight 1.2 (0.2 + 1).
      const l1 = l1Loss(image, coarse, coarse, masks.boxes, this.discount(masks), { coarseWeight: L1_WEIGHT - 1 });
      const ae = aeLoss(image, coarse, coarse, mask, { coarseWeight: AE_WEIGHT - 1 });
      const terms: WeightedTerm[] = [[l1, L1_WEIGHT], [ae, AE_WEIGHT]];
      const names = [...this.generator.parameters.keys()].filter((n) => n.startsWith(COARSE_PREFIX));
      const grads = gradOfWeightedSum(terms, names.map((n) => this.generator.parameters.get(n)!));
      this.generatorOptimizer.step(new Map(names.map((n, i) => [n, grads[i]!])));
      return withLosses ? stackScalars([weightedTotal(terms), l1, ae]) : null;
    });
  }

  dispose(): void {
    this.generatorOptimizer.dispose();
    this.criticOptimizer.dispose();
    this.generator.dispose();
    this.globalCritic.dispose();
    this.localCritic.dispose();
    this.borderMap?.dispose();
  }
}

/** A scalar loss term and its weight in a step's loss. */
type WeightedTerm = readonly [Tensor, number];

/**
 * The gradients of sum_i w_i term_i, each term seeded with its weight: the sum and its scaling
 * are never formed, so neither they nor their vjps cost a dispatch.
 */
function gradOfWeightedSum(terms: readonly WeightedTerm[], params: readonly Tensor[]): Tensor[] {
  const seeds = terms.map(([term, weight]) => term.device.tensor([weight], term.shape));
  return grad(terms.map(([term]) => term), params, { gradOutputs: seeds });
}

/** sum_i w_i term_i itself, for the losses a step reports. */
function weightedTotal(terms: readonly WeightedTerm[]): Tensor {
  return noGrad(() => terms.map(([term, weight]) => affine(term, weight)).reduce((total, term) => add(total, term)));
}

/** Scalars joined into one [n] tensor, so a log step reads every loss with one transfer. */
function stackScalars(values: readonly Tensor[]): Tensor {
  return detach(concat(values.map((v) => reshape(v, [1])), 0));
}

/** A loss tensor read back as named numbers. */
export async function readLosses(result: { losses: Tensor; names: readonly string[] }): Promise<Losses> {
  const values = await result.losses.read();
  result.losses.dispose();
  return Object.fromEntries(result.names.map((name, i) => [name, values[i]!]));
}
