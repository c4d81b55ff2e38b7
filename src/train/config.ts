/**
 * A training run's configuration, the presets it starts from, and the part of it a checkpoint
 * must agree with on resume.
 *
 * Presets (docs/model.md#training-schedule for "paper"): "tiny" is what a software adapter such as lavapipe can train
 * at a few iterations per second; "small" sits between; "paper" is the official 256x256,
 * batch 16, generator width 32 and critic width 64, for real GPUs.
 */
import type { AttentionOptions } from "../models/generator.js";
import { MASK_KINDS, type MaskKind } from "../data/masks.js";

export interface TrainConfig {
  preset: PresetName;
  height: number;
  width: number;
  batch: number;
  /** Generator base width (the paper: 32). */
  cnum: number;
  /** Critics' base width (the paper: 64). */
  criticCnum: number;
  lr: number;
  seed: number;
  /** Critic steps per iteration (official: 5). */
  criticSteps: number;
  /** Coarse-only iterations (L1 + AE on the coarse network, no critics) at the start. */
  warmup: number;
  mask: MaskKind;
  /** One mask for the whole batch (the official code) instead of one per image. */
  sharedMask: boolean;
  /** Discount base of the L1 loss (official 0.9; the paper 0.99). */
  gamma: number;
  /** Distance the discount counts: to the bbox border (official) or to the nearest known pixel (the paper). */
  discount: "border" | "nearest";
  /** Random horizontal flips of the training crops. */
  flip: boolean;
  attention: AttentionOptions;
  /** The image folder (null: the default data set). Not fixed on resume: a data set may move. */
  data: string | null;
}

export type PresetName = "tiny" | "small" | "paper";

type Preset = Pick<TrainConfig, "height" | "width" | "batch" | "cnum" | "criticCnum">;

export const PRESETS: Record<PresetName, Preset> = {
  tiny: { height: 64, width: 64, batch: 4, cnum: 16, criticCnum: 32 },
  small: { height: 128, width: 128, batch: 8, cnum: 24, criticCnum: 48 },
  paper: { height: 256, width: 256, batch: 16, cnum: 32, criticCnum: 64 },
};

/** The defaults every preset shares (the official code's values, docs/model.md#training-schedule). */
export const TRAINING_DEFAULTS = {
  lr: 1e-4,
  seed: 0,
  criticSteps: 5,
  warmup: 0,
  mask: "box" as MaskKind,
  sharedMask: false,
  gamma: 0.9,
  discount: "border" as const,
  flip: true,
  data: null as string | null,
};

/** The preset for an adapter, and why: tiny on a CPU implementation, the paper's on a GPU. */
export function presetForAdapter(adapter: { isSoftware: boolean; description: string }): { preset: PresetName; reason: string } {
  const name = adapter.description || "unnamed adapter";
  return adapter.isSoftware
    ? { preset: "tiny", reason: `${name} is a software (CPU) adapter, too slow for 256x256` }
    : { preset: "paper", reason: `${name} is a hardware GPU` };
}

/** A full configuration from a preset and explicit overrides. */
export function makeConfig(preset: PresetName, overrides: Partial<TrainConfig> = {}): TrainConfig {
  return { preset, ...PRESETS[preset], ...TRAINING_DEFAULTS, attention: {}, ...overrides };
}

/** The model description of the checkpoint contract (what inpaint and eval read). */
export function modelConfig(config: TrainConfig) {
  const { softmaxScale = 10, fuseK = 3, sharedMask = false } = config.attention;
  return { cnum: config.cnum, criticCnum: config.criticCnum, height: config.height, width: config.width, attention: { softmaxScale, fuseK, sharedMask } };
}

/** What a checkpoint's sidecar stores as `config`: the model per the contract, and the training settings. */
export function sidecarConfig(config: TrainConfig) {
  return { model: modelConfig(config), training: config };
}

/** Fields whose change would make a resumed run a different run than the one saved. */
const RESUME_FIXED: readonly (keyof TrainConfig)[] = [
  "height", "width", "batch", "cnum", "criticCnum", "criticSteps", "warmup", "mask", "sharedMask", "gamma", "discount", "flip", "seed",
];

/**
 * The saved configuration, with `explicit` (flags the user gave) applied where they do not
 * change the run; a flag that contradicts the checkpoint is a one-line error.
 */
export function resumeConfig(saved: unknown, explicit: Partial<TrainConfig>, source: string): TrainConfig {
  const training = (saved as { training?: TrainConfig } | null)?.training;
  if (!training || typeof training !== "object" || !(training.preset in PRESETS)) {
    throw new Error(`checkpoint ${source} has no training configuration this program understands (config.training); resume it with the version that wrote it, or start a new run`);
  }
  const problem = trainingProblem(training);
  if (problem) throw new Error(`checkpoint ${source} is corrupt (config.training: ${problem}); delete it (and its .safetensors) to fall back to the previous checkpoint, or start a new run`);
  for (const key of RESUME_FIXED) {
    const given = explicit[key];
    if (given !== undefined && JSON.stringify(given) !== JSON.stringify(training[key])) {
      throw new Error(`checkpoint ${source} was trained with ${key} ${JSON.stringify(training[key])}, not ${JSON.stringify(given)}; drop that flag to resume, or start a new run with --out`);
    }
  }
  return { ...training, ...(explicit.lr !== undefined ? { lr: explicit.lr } : {}), ...(explicit.data !== undefined ? { data: explicit.data } : {}) };
}

/** What makes a saved training configuration unusable (a value the flags could never give), or null. */
function trainingProblem(c: TrainConfig): string | null {
  const integer = (x: unknown, min: number) => Number.isSafeInteger(x) && (x as number) >= min;
  const checks: [keyof TrainConfig, boolean, string][] = [
    ["height", integer(c.height, 16) && c.height % 8 === 0, "a multiple of 8, at least 16"],
    ["width", integer(c.width, 16) && c.width % 8 === 0, "a multiple of 8, at least 16"],
    ["batch", integer(c.batch, 1), "a positive integer"],
    ["cnum", integer(c.cnum, 2) && c.cnum % 2 === 0, "an even integer of at least 2"],
    ["criticCnum", integer(c.criticCnum, 1), "a positive integer"],
    ["criticSteps", integer(c.criticSteps, 0), "a non-negative integer"],
    ["warmup", integer(c.warmup, 0), "a non-negative integer"],
    ["seed", integer(c.seed, 0), "a non-negative integer"],
    ["lr", typeof c.lr === "number" && Number.isFinite(c.lr) && c.lr > 0, "a positive number"],
    ["gamma", typeof c.gamma === "number" && c.gamma > 0 && c.gamma <= 1, "a number in (0, 1]"],
    ["mask", MASK_KINDS.includes(c.mask), "box, free-form or box+free-form"],
    ["discount", c.discount === "border" || c.discount === "nearest", "border or nearest"],
    ["sharedMask", typeof c.sharedMask === "boolean", "true or false"],
    ["flip", typeof c.flip === "boolean", "true or false"],
    ["attention", typeof c.attention === "object" && c.attention !== null && !Array.isArray(c.attention), "an object"],
    ["data", c.data === null || typeof c.data === "string", "a folder name or null"],
  ];
  const bad = checks.find(([, ok]) => !ok);
  return bad ? `${bad[0]} is ${JSON.stringify(c[bad[0]])}, not ${bad[2]}` : null;
}
