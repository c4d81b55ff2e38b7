/**
 * The flags of `node dist/train.js`: one table that both parses and documents them, so --help
 * cannot drift from what is accepted. A bad flag or value is a one-line error naming the flag
 * and what it takes.
 */
import { PRESETS, TRAINING_DEFAULTS, type PresetName, type TrainConfig } from "./config.js";
import { checkCheckpointPath, checkOutputFolder } from "../io/paths.js";
import { listImages } from "./data.js";
import type { MaskKind } from "./masks.js";

export interface CliOptions {
  help: boolean;
  preset?: PresetName;
  out?: string;
  name?: string;
  resume?: string;
  steps?: number;
  checkpointEvery?: number;
  sampleEvery?: number;
  logEvery?: number;
  keep?: number;
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

class UsageError extends Error {}

type Parse = (value: string, flag: string, options: CliOptions) => void;

interface Flag {
  name: string;
  /** Placeholder of the value in --help; absent for switches. */
  value?: string;
  help: string;
  parse: Parse;
}

const presetNames = Object.keys(PRESETS) as PresetName[];
const masks: MaskKind[] = ["box", "free-form", "box+free-form"];

function integer(min: number): (value: string, flag: string) => number {
  return (value, flag) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`${flag} takes an integer of at least ${min}, got "${value}"`);
    return n;
  };
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number, got "${value}"`);
  return n;
}

function oneOf<T extends string>(choices: readonly T[]): (value: string, flag: string) => T {
  return (value, flag) => {
    if (!(choices as readonly string[]).includes(value)) throw new UsageError(`${flag} takes one of ${choices.join(", ")}, got "${value}"`);
    return value as T;
  };
}

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
const FLAGS: Flag[] = [
  { name: "--data", value: "DIR", help: "folder of PNG/JPEG training images, searched recursively (default: the fake-avatars package's 263 faces)", parse: (v, _, o) => void (o.config.data = v) },
  { name: "--preset", value: "NAME", help: `${presetNames.map((p) => `${p} (${PRESETS[p].height}x${PRESETS[p].width}, batch ${PRESETS[p].batch}, cnum ${PRESETS[p].cnum}/${PRESETS[p].criticCnum})`).join(", ")}; default: tiny on a software adapter, paper on a GPU`, parse: (v, f, o) => void (o.preset = oneOf(presetNames)(v, f)) },
  { name: "--size", value: "H[xW]", help: "training crop size, multiples of 8 (default: the preset's)", parse: (v, f, o) => { const [h, w] = size(v, f); o.config.height = h; o.config.width = w; } },
  { name: "--batch", value: "N", help: "images per step (default: the preset's)", parse: (v, f, o) => void (o.config.batch = integer(1)(v, f)) },
  { name: "--cnum", value: "N", help: "generator base width, even (default: the preset's; the paper 32)", parse: (v, f, o) => void (o.config.cnum = evenWidth(v, f)) },
  { name: "--critic-cnum", value: "N", help: "critics' base width (default: the preset's; the paper 64)", parse: (v, f, o) => void (o.config.criticCnum = integer(1)(v, f)) },
  { name: "--steps", value: "N", help: `iterations to reach in total, counting those of a resumed run (default: ${presetNames.map((p) => `${p} ${s[p].steps}`).join(", ")})`, parse: (v, f, o) => void (o.steps = integer(0)(v, f)) },
  { name: "--lr", value: "X", help: `Adam learning rate of both optimizers (default ${TRAINING_DEFAULTS.lr})`, parse: (v, f, o) => void (o.config.lr = positive(v, f)) },
  { name: "--seed", value: "N", help: `seed of the initial weights, crops, masks and penalties (default ${TRAINING_DEFAULTS.seed})`, parse: (v, f, o) => void (o.config.seed = integer(0)(v, f)) },
  { name: "--critic-steps", value: "N", help: `critic steps before each generator step (default ${TRAINING_DEFAULTS.criticSteps})`, parse: (v, f, o) => void (o.config.criticSteps = integer(0)(v, f)) },
  { name: "--warmup", value: "N", help: "coarse-network-only iterations (L1 + AE, no critics) at the start (default 0)", parse: (v, f, o) => void (o.config.warmup = integer(0)(v, f)) },
  { name: "--mask", value: "KIND", help: `holes: ${masks.join(", ")} (default box, the v1 masks)`, parse: (v, f, o) => void (o.config.mask = oneOf(masks)(v, f)) },
  { name: "--shared-mask", help: "one mask for the whole batch, as the official code (default: one per image)", parse: (_, __, o) => void (o.config.sharedMask = true) },
  { name: "--gamma", value: "X", help: `discount base of the L1 loss (default ${TRAINING_DEFAULTS.gamma}; the paper 0.99)`, parse: (v, f, o) => { const g = positive(v, f); if (g > 1) throw new UsageError(`${f} takes a number in (0, 1], got "${v}"`); o.config.gamma = g; } },
  { name: "--discount", value: "KIND", help: "distance the L1 discount counts: border (to the bbox edge, official) or nearest (to the nearest known pixel, the paper) (default border)", parse: (v, f, o) => void (o.config.discount = oneOf(["border", "nearest"] as const)(v, f)) },
  { name: "--no-flip", help: "no random horizontal flips (the official loader does none; default: flips)", parse: (_, __, o) => void (o.config.flip = false) },
  { name: "--out", value: "DIR", help: "run folder for log.jsonl, samples/ and checkpoints/ (default: runs/<name>; with --resume, the resumed run's folder)", parse: (v, _, o) => void (o.out = v) },
  { name: "--name", value: "NAME", help: "run name under runs/ (default: the start time)", parse: (v, f, o) => { if (!/^[\w.-]+$/.test(v)) throw new UsageError(`${f} takes letters, digits, '.', '_' or '-', got "${v}"`); o.name = v; } },
  { name: "--checkpoint-every", value: "N", help: `iterations between checkpoints; one is also saved at the end and on Ctrl-C (default: ${presetNames.map((p) => `${p} ${s[p].checkpointEvery}`).join(", ")})`, parse: (v, f, o) => void (o.checkpointEvery = integer(1)(v, f)) },
  { name: "--sample-every", value: "N", help: `iterations between sample grids in samples/ (default: ${presetNames.map((p) => `${p} ${s[p].sampleEvery}`).join(", ")})`, parse: (v, f, o) => void (o.sampleEvery = integer(1)(v, f)) },
  { name: "--log-every", value: "N", help: `iterations between log lines; losses are read back from the GPU only then (default: ${presetNames.map((p) => `${p} ${s[p].logEvery}`).join(", ")})`, parse: (v, f, o) => void (o.logEvery = integer(1)(v, f)) },
  { name: "--keep", value: "N", help: `checkpoints kept, the newest (default ${DEFAULT_KEEP})`, parse: (v, f, o) => void (o.keep = integer(1)(v, f)) },
  { name: "--resume", value: "PATH", help: "continue a run exactly: its folder, its checkpoints/ folder, or one step-*.json; the configuration comes from the checkpoint", parse: (v, _, o) => void (o.resume = v) },
  { name: "--adapter", value: "NAME", help: "the adapter whose name contains NAME, ignoring case, e.g. llvmpipe or swiftshader (default: DEEPFILL_ADAPTER, else the first); a name that matches none lists the available ones", parse: (v, f, o) => { if (v === "") throw new UsageError(`${f} takes a part of an adapter's name, got an empty one`); o.adapter = v; } },
  { name: "--help", help: "print this help and exit", parse: (_, __, o) => void (o.help = true) },
];

/** Parses argv (without node and the script); throws a one-line error for a bad flag or value. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { help: false, config: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const flag = FLAGS.find((f) => f.name === name);
    if (!flag) {
      const hint = arg.startsWith("-") ? "" : " (flags start with --; values follow their flag)";
      throw new UsageError(`unknown argument "${arg}"${hint}; run with --help for the list of flags`);
    }
    let value = inline ?? "";
    if (flag.value) {
      if (inline === undefined) {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag.name} needs a value (${flag.value}); see --help`);
        value = next;
        i++;
      }
    } else if (inline !== undefined) {
      throw new UsageError(`${flag.name} is a switch and takes no value; write just ${flag.name}`);
    }
    flag.parse(value, flag.name, options);
  }
  return options;
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

/** True for errors of the command line (printed without a stack, with exit code 2). */
export function isUsageError(error: unknown): boolean {
  return error instanceof UsageError;
}

export function helpText(): string {
  const width = Math.max(...FLAGS.map((f) => f.name.length + (f.value ? f.value.length + 1 : 0)));
  const lines = FLAGS.map((f) => `  ${`${f.name}${f.value ? ` ${f.value}` : ""}`.padEnd(width)}  ${f.help}`);
  return [
    "Usage: node dist/train.js [flags]",
    "",
    "Trains DeepFill v1 (coarse + refinement generator with contextual attention, global and local",
    "WGAN-GP critics). With no flags: the fake-avatars faces, the preset that suits the adapter,",
    "output in runs/<start time>/. Ctrl-C saves a checkpoint and exits; a second Ctrl-C exits at once.",
    "",
    "Flags (also --flag=value):",
    ...lines,
  ].join("\n");
}
