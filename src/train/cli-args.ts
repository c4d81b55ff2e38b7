/**
 * The flags of `node dist/train.js`: one table that both parses and documents them (through
 * src/cli), so --help cannot drift from what is accepted. A bad flag or value is a one-line
 * error naming the flag and what it takes.
 */
import { adapterFlag, integer, oneOf, parseFlags, positive, usage, UsageError, type Flag } from "../cli/args.js";
import { PRESETS, TRAINING_DEFAULTS, type PresetName, type TrainConfig } from "./config.js";
import { checkCheckpointPath, checkOutputFolder } from "../io/paths.js";
import { listImages } from "../data/image-folder.js";
import { MASK_KINDS } from "../data/masks.js";

export interface CliOptions {
  preset?: PresetName;
  out?: string;
  name?: string;
  resume?: string;
  steps?: number;
  checkpointEvery?: number;
  sampleEvery?: number;
  logEvery?: number;
  keep?: number;
  /** Skip timing the kernels at start-up: the ops' default kernels, nothing from the tune cache. */
  noTune?: boolean;
  /** A part of the adapter's name (openDevice falls back to DEEPFILL_ADAPTER). */
  adapter?: string;
  /** Configuration values given explicitly (the rest come from the preset or the checkpoint). */
  config: Partial<TrainConfig>;
}

/** Run lengths and intervals per preset, in iterations. */
export const SCHEDULES: Record<PresetName, { steps: number; checkpointEvery: number; sampleEvery: number; logEvery: number }> = {
  tiny: { steps: 10_000, checkpointEvery: 100, sampleEvery: 50, logEvery: 5 },
  small: { steps: 100_000, checkpointEvery: 1_000, sampleEvery: 200, logEvery: 20 },
  paper: { steps: 1_000_000, checkpointEvery: 10_000, sampleEvery: 1_000, logEvery: 100 },
};

export const DEFAULT_KEEP = 3;

const presetNames = Object.keys(PRESETS) as PresetName[];

/** "64" or "64x96" (height x width), multiples of 8. */
function size(value: string, flag: string): [number, number] {
  const match = /^(\d+)(?:x(\d+))?$/.exec(value);
  const [h, w] = match ? [Number(match[1]), Number(match[2] ?? match[1])] : [NaN, NaN];
  if (!(h >= 16 && w >= 16 && h % 8 === 0 && w % 8 === 0)) {
    throw new UsageError(`${flag} takes a size like 64 or 64x96 (height x width), multiples of 8 and at least 16, got "${value}"`);
  }
  return [h, w];
}

function evenWidth(value: string, flag: string): number {
  const n = integer(2)(value, flag);
  if (n % 2 !== 0) throw new UsageError(`${flag} takes an even integer (the generator's last hidden layer has half of it), got "${value}"`);
  return n;
}

const s = SCHEDULES;
const FLAGS: Flag<CliOptions>[] = [
  { name: "--data", value: "DIR", help: "folder of PNG/JPEG training images, searched recursively (default: the fake-avatars package's 263 faces)", parse: (v, _, o) => void (o.config.data = v) },
  { name: "--preset", value: "NAME", help: `${presetNames.map((p) => `${p} (${PRESETS[p].height}x${PRESETS[p].width}, batch ${PRESETS[p].batch}, cnum ${PRESETS[p].cnum}/${PRESETS[p].criticCnum})`).join(", ")}; default: tiny on a software adapter, paper on a GPU`, parse: (v, f, o) => void (o.preset = oneOf(presetNames)(v, f)) },
  { name: "--size", value: "H[xW]", help: "training crop size, multiples of 8 (default: the preset's)", parse: (v, f, o) => { const [h, w] = size(v, f); o.config.height = h; o.config.width = w; } },
  { name: "--batch", value: "N", help: "images per step (default: the preset's)", parse: (v, f, o) => void (o.config.batch = integer(1)(v, f)) },
  { name: "--cnum", value: "N", help: "generator base width, even (default: the preset's; the paper 32)", parse: (v, f, o) => void (o.config.cnum = evenWidth(v, f)) },
  { name: "--critic-cnum", value: "N", help: "critics' base width (default: the preset's; the paper 64)", parse: (v, f, o) => void (o.config.criticCnum = integer(1)(v, f)) },
  { name: "--steps", value: "N", help: `iterations to reach in total, counting those of a resumed run, so more than its step (default: ${presetNames.map((p) => `${p} ${s[p].steps}`).join(", ")})`, parse: (v, f, o) => void (o.steps = integer(0)(v, f)) },
  { name: "--lr", value: "X", help: `Adam learning rate of both optimizers (default ${TRAINING_DEFAULTS.lr})`, parse: (v, f, o) => void (o.config.lr = positive(v, f)) },
  { name: "--seed", value: "N", help: `seed of the initial weights, crops, masks and penalties (default ${TRAINING_DEFAULTS.seed})`, parse: (v, f, o) => void (o.config.seed = integer(0)(v, f)) },
  { name: "--critic-steps", value: "N", help: `critic steps before each generator step (default ${TRAINING_DEFAULTS.criticSteps})`, parse: (v, f, o) => void (o.config.criticSteps = integer(0)(v, f)) },
  { name: "--warmup", value: "N", help: "coarse-network-only iterations (L1 + AE, no critics) at the start (default 0)", parse: (v, f, o) => void (o.config.warmup = integer(0)(v, f)) },
  { name: "--mask", value: "KIND", help: `holes: ${MASK_KINDS.join(", ")} (default box, the v1 masks)`, parse: (v, f, o) => void (o.config.mask = oneOf(MASK_KINDS)(v, f)) },
  { name: "--shared-mask", help: "one mask for the whole batch, as the official code (default: one per image)", parse: (_, __, o) => void (o.config.sharedMask = true) },
  { name: "--gamma", value: "X", help: `discount base of the L1 loss (default ${TRAINING_DEFAULTS.gamma}; the paper 0.99)`, parse: (v, f, o) => { const g = positive(v, f); if (g > 1) throw new UsageError(`${f} takes a number in (0, 1], got "${v}"`); o.config.gamma = g; } },
  { name: "--discount", value: "KIND", help: "distance the L1 discount counts: border (to the bbox edge, official) or nearest (to the nearest known pixel, the paper) (default border)", parse: (v, f, o) => void (o.config.discount = oneOf(["border", "nearest"] as const)(v, f)) },
  { name: "--no-flip", help: "no random horizontal flips (the official loader does none; default: flips)", parse: (_, __, o) => void (o.config.flip = false) },
  { name: "--out", value: "DIR", help: "run folder for log.jsonl, samples/ and checkpoints/ (default: runs/<name>; with --resume, the resumed run's folder)", parse: (v, _, o) => void (o.out = v) },
  { name: "--name", value: "NAME", help: "run name under runs/ (default: the start time)", parse: (v, f, o) => { if (!/^[\w.-]+$/.test(v)) throw new UsageError(`${f} takes letters, digits, '.', '_' or '-', got "${v}"`); o.name = v; } },
  { name: "--checkpoint-every", value: "N", help: `iterations between checkpoints; one is also saved at the end and on Ctrl-C, SIGTERM or SIGHUP (default: ${presetNames.map((p) => `${p} ${s[p].checkpointEvery}`).join(", ")})`, parse: (v, f, o) => void (o.checkpointEvery = integer(1)(v, f)) },
  { name: "--sample-every", value: "N", help: `iterations between sample grids in samples/ (default: ${presetNames.map((p) => `${p} ${s[p].sampleEvery}`).join(", ")})`, parse: (v, f, o) => void (o.sampleEvery = integer(1)(v, f)) },
  { name: "--log-every", value: "N", help: `iterations between log lines; losses are read back from the GPU only then and at checkpoints (default: ${presetNames.map((p) => `${p} ${s[p].logEvery}`).join(", ")})`, parse: (v, f, o) => void (o.logEvery = integer(1)(v, f)) },
  { name: "--keep", value: "N", help: `checkpoints kept, the newest (default ${DEFAULT_KEEP})`, parse: (v, f, o) => void (o.keep = integer(1)(v, f)) },
  { name: "--resume", value: "PATH", help: "continue a run exactly: its folder, its checkpoints/ folder, or one step-*.json; the configuration comes from the checkpoint", parse: (v, _, o) => void (o.resume = v) },
  { name: "--no-tune", help: "do not time the convolution and product kernels of the run's shapes before the first iteration; use the default kernels (tuned winners are cached per adapter in DEEPFILL_TUNE_CACHE, default ~/.cache/deepfill-webgpu/tune.json; DEEPFILL_TUNE_CACHE=off times them in every run); a resumed run uses what its checkpoint records", parse: (_, __, o) => void (o.noTune = true) },
  adapterFlag<CliOptions>(),
];

/** Parses argv (without node and the script); throws a one-line error for a bad flag or value. */
export function parseArgs(argv: readonly string[]): CliOptions {
  return parseFlags(argv, FLAGS, { config: {} });
}

/**
 * Checks the paths of the flags before any device or data is set up: the data folder holds
 * images, --resume names a checkpoint, and the run folder (--out, or runs/ by default) can be
 * written. Each failure is one line naming the path and the fix.
 */
export function checkPaths(options: CliOptions): void {
  if (options.config.data !== undefined && options.config.data !== null) listImages(options.config.data);
  if (options.resume !== undefined) checkCheckpointPath(options.resume, "--resume");
  if (options.out !== undefined) checkOutputFolder(options.out, "--out");
  else if (options.resume === undefined) checkOutputFolder(RUNS_FOLDER, "the default run folder");
}

/** Where runs go without --out: runs/<name>. */
export const RUNS_FOLDER = "runs";

export const HELP = usage(`
Usage: node dist/train.js [flags]

Trains DeepFill v1 (coarse + refinement generator with contextual attention, global and local
WGAN-GP critics). With no flags: the fake-avatars faces, the preset that suits the adapter,
output in runs/<start time>/. Ctrl-C, SIGTERM or SIGHUP saves a checkpoint and exits with 130,
143 or 129; a second one exits at once. One process at a time trains in a run folder.
`, FLAGS);
