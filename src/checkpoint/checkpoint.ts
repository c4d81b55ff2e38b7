/**
 * Training checkpoints: `<dir>/step-000123.safetensors` holds every named tensor (model
 * parameters and optimizer moments), `<dir>/step-000123.json` the rest (step, configuration,
 * RNG states, optimizer step counts, format version) plus the tensors file's size and SHA-256.
 *
 * Writing: tensors first, sidecar second, each atomically (temp file, fsync, rename). The
 * sidecar is the commit mark: a checkpoint exists only when its sidecar does, so a crash
 * between the two leaves an orphan tensors file that is ignored (and replaced or pruned
 * later), never a sidecar pointing at half a file. Only then are checkpoints beyond the last
 * `keep` removed, sidecar first for the same reason.
 *
 * Reading: the sidecar is parsed and checked, the tensors file's size and hash compared with
 * it, the safetensors structure validated; every failure is one line naming the file and the
 * fix. Loading never writes, so a bad checkpoint harms nothing. checkTensorsMatch then names
 * any tensor whose name or shape differs from the current run (another configuration).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { atomicWrite } from "../io/atomic.js";
import { formatShape, sameShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";
import type { RngState } from "../data/rng.js";
import { decodeSafetensors, encodeSafetensors, type HostTensor } from "./safetensors.js";

export const CHECKPOINT_FORMAT = "deepfill-webgpu-checkpoint";
export const CHECKPOINT_VERSION = 1;

/** The JSON sidecar, as written. */
export interface CheckpointSidecar {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  step: number;
  /** The run's configuration (any JSON), for the caller to compare on resume. */
  config: unknown;
  /** Named RNG states (e.g. data, masks, model init). */
  rng: Record<string, RngState>;
  /** Named optimizers' step counts (their moments are tensors in the safetensors file). */
  optimizers: Record<string, { step: number }>;
  tensorsFile: string;
  tensorsBytes: number;
  tensorsSha256: string;
  savedAt: string;
}

export interface SaveCheckpointOptions {
  step: number;
  tensors: ReadonlyMap<string, Tensor>;
  config: unknown;
  rng?: Record<string, RngState>;
  optimizers?: Record<string, { step: number }>;
  /** Complete checkpoints to keep, the newest ones (default 3; at least 1). */
  keep?: number;
}

export interface CheckpointFiles {
  step: number;
  sidecarPath: string;
  tensorsPath: string;
}

export interface LoadedCheckpoint extends CheckpointFiles {
  config: unknown;
  rng: Record<string, RngState>;
  optimizers: Record<string, { step: number }>;
  tensors: Map<string, HostTensor>;
}

const NAME = /^step-(\d{6,})\.(json|safetensors)$/;

/** Thrown by saveCheckpoint, before it writes anything, when a tensor holds NaN or an infinity. */
export class NonFiniteTensorError extends Error {
  constructor(readonly step: number, readonly tensor: string) {
    super(`tensor "${tensor}" holds non-finite values at step ${step}; no checkpoint was written`);
  }
}

/** The base name of the files of `step`: step-000123 (more digits past 999999). */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(6, "0")}`;
}

/** Reads the tensors back from the GPU and writes the checkpoint atomically, then prunes to the last `keep`. */
export async function saveCheckpoint(dir: string, options: SaveCheckpointOptions): Promise<CheckpointFiles> {
  const { step, keep = 3 } = options;
  if (!(Number.isInteger(step) && step >= 0)) throw new Error(`saveCheckpoint: step ${step} must be a non-negative integer`);
  if (!(Number.isInteger(keep) && keep >= 1)) throw new Error(`saveCheckpoint: keep ${keep} must be an integer of at least 1`);
  const host = new Map<string, HostTensor>();
  for (const [name, tensor] of options.tensors) {
    const data = await tensor.read();
    // A diverged run must not replace good checkpoints with NaN ones (and then prune the good ones).
    if (!allFinite(data)) throw new NonFiniteTensorError(step, name);
    host.set(name, { shape: [...tensor.shape], data });
  }
  const files = writeCheckpointPair(dir, checkpointName(step), host, { step, config: options.config, rng: options.rng ?? {}, optimizers: options.optimizers ?? {} });
  pruneCheckpoints(dir, keep);
  return files;
}

/** What a sidecar says besides the tensors file's name, size and hash. */
export type SidecarFields = Pick<CheckpointSidecar, "step" | "config" | "rng" | "optimizers">;

/**
 * Writes `<dir>/<base>.safetensors` and then its sidecar `<dir>/<base>.json`, each atomically.
 * The sidecar names the tensors file without a folder, so the two can be moved together.
 */
export function writeCheckpointPair(dir: string, base: string, host: ReadonlyMap<string, HostTensor>, fields: SidecarFields): CheckpointFiles {
  const chunks = encodeSafetensors(host, { format: CHECKPOINT_FORMAT, step: String(fields.step) });
  const hash = createHash("sha256");
  for (const chunk of chunks) hash.update(chunk);
  const files = { step: fields.step, sidecarPath: join(dir, `${base}.json`), tensorsPath: join(dir, `${base}.safetensors`) };
  atomicWrite(files.tensorsPath, ...chunks);
  const sidecar: CheckpointSidecar = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    ...fields,
    tensorsFile: `${base}.safetensors`,
    tensorsBytes: chunks.reduce((a, c) => a + c.byteLength, 0),
    tensorsSha256: hash.digest("hex"),
    savedAt: new Date().toISOString(),
  };
  atomicWrite(files.sidecarPath, new TextEncoder().encode(JSON.stringify(sidecar, null, 2) + "\n"));
  return files;
}

/** Complete checkpoints in `dir` (those with a sidecar), oldest first; [] when the folder does not exist. */
export function listCheckpoints(dir: string): CheckpointFiles[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => NAME.exec(entry.name))
    .filter((match): match is RegExpExecArray => match !== null && match[2] === "json")
    .map((match) => {
      const step = Number(match[1]);
      const base = `step-${match[1]}`;
      return { step, sidecarPath: join(dir, `${base}.json`), tensorsPath: join(dir, `${base}.safetensors`) };
    })
    .sort((a, b) => a.step - b.step);
}

/** The newest complete checkpoint in `dir`, or null when there is none. */
export function findLatestCheckpoint(dir: string): CheckpointFiles | null {
  return listCheckpoints(dir).at(-1) ?? null;
}

/** Removes all but the newest `keep` checkpoints, and orphan tensor files older than the newest kept one. */
export function pruneCheckpoints(dir: string, keep: number): void {
  const all = listCheckpoints(dir);
  const kept = all.slice(-keep);
  for (const old of all.slice(0, -keep)) {
    rmSync(old.sidecarPath, { force: true }); // sidecar first: a half-done removal leaves an ignored orphan
    rmSync(old.tensorsPath, { force: true });
  }
  const oldestKept = kept[0]?.step ?? Infinity;
  const keptTensors = new Set(kept.map((c) => c.tensorsPath));
  for (const file of readdirSync(dir)) {
    const match = NAME.exec(file);
    if (match && match[2] === "safetensors" && Number(match[1]) < oldestKept && !keptTensors.has(join(dir, file))) rmSync(join(dir, file), { force: true });
  }
}

/** Reads and validates a checkpoint from its sidecar path (or its tensors path, or a folder: its newest checkpoint). */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  let sidecarPath = path.replace(/\.safetensors$/, ".json");
  if (existsSync(path) && !path.endsWith(".json") && !path.endsWith(".safetensors")) {
    const latest = findLatestCheckpoint(path);
    if (!latest) throw new Error(`no checkpoint to resume in ${path} (no step-*.json files); start without resume, or pass the folder a run saved into`);
    sidecarPath = latest.sidecarPath;
  }
  const fix = `delete it (and its .safetensors) to fall back to the previous checkpoint, or start a new run`;
  let text: string;
  try {
    text = readFileSync(sidecarPath, "utf8");
  } catch (error) {
    throw new Error(`cannot read checkpoint ${sidecarPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (check the path)`);
  }
  let sidecar: CheckpointSidecar;
  try {
    sidecar = JSON.parse(text) as CheckpointSidecar;
  } catch (error) {
    throw new Error(`checkpoint ${sidecarPath} is corrupt (not valid JSON: ${(error as Error).message}); ${fix}`);
  }
  if (sidecar?.format !== CHECKPOINT_FORMAT) throw new Error(`${sidecarPath} is not a deepfill-webgpu checkpoint sidecar (no "format": "${CHECKPOINT_FORMAT}"); pass a step-*.json written by training`);
  if (sidecar.version !== CHECKPOINT_VERSION) {
    throw new Error(`checkpoint ${sidecarPath} has format version ${sidecar.version}, this program reads version ${CHECKPOINT_VERSION}; resume it with the version that wrote it, or start a new run`);
  }
  const problem = sidecarProblem(sidecar);
  if (problem) throw new Error(`checkpoint ${sidecarPath} is corrupt (${problem}); ${fix}`);
  const tensorsPath = join(sidecarPath, "..", sidecar.tensorsFile);
  let bytes: Buffer;
  try {
    bytes = readFileSync(tensorsPath);
  } catch (error) {
    throw new Error(`checkpoint ${sidecarPath} names ${tensorsPath}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${fix}`);
  }
  if (bytes.length !== sidecar.tensorsBytes) {
    throw new Error(`checkpoint tensors ${tensorsPath} have ${bytes.length} bytes, the sidecar says ${sidecar.tensorsBytes} (truncated or replaced); ${fix}`);
  }
  if (createHash("sha256").update(bytes).digest("hex") !== sidecar.tensorsSha256) {
    throw new Error(`checkpoint tensors ${tensorsPath} do not match the SHA-256 in ${sidecarPath} (the file is corrupt); ${fix}`);
  }
  const { tensors } = decodeSafetensors(bytes, tensorsPath);
  return { step: sidecar.step, sidecarPath, tensorsPath, config: sidecar.config, rng: sidecar.rng, optimizers: sidecar.optimizers, tensors };
}

/**
 * Throws one line naming the first difference between a checkpoint's tensors and the ones the
 * current configuration expects: a missing name, an unexpected name, or a shape.
 */
export function checkTensorsMatch(checkpoint: Pick<LoadedCheckpoint, "tensors" | "sidecarPath">, expected: ReadonlyMap<string, { shape: readonly number[] }>,
  fix = "resume with the configuration (sizes, widths) the checkpoint was saved with, or start a new run in another output folder"): void {
  for (const [name, tensor] of expected) {
    const saved = checkpoint.tensors.get(name);
    if (!saved) throw new Error(`checkpoint ${checkpoint.sidecarPath} was saved for another configuration: it has no tensor "${name}"; ${fix}`);
    if (!sameShape(saved.shape, tensor.shape)) {
      throw new Error(`checkpoint ${checkpoint.sidecarPath} was saved for another configuration: "${name}" is ${formatShape(saved.shape)} there and ${formatShape(tensor.shape)} here; ${fix}`);
    }
  }
  for (const name of checkpoint.tensors.keys()) {
    if (!expected.has(name)) throw new Error(`checkpoint ${checkpoint.sidecarPath} was saved for another configuration: it has tensor "${name}", which this model does not; ${fix}`);
  }
}

/** Writes saved values into existing tensors in place (after checkTensorsMatch), so models keep their tensor objects. */
export function assignTensors(targets: ReadonlyMap<string, Tensor>, values: ReadonlyMap<string, HostTensor>): void {
  for (const [name, target] of targets) {
    const value = values.get(name);
    if (!value || !sameShape(value.shape, target.shape)) throw new Error(`assignTensors: no value of shape ${formatShape(target.shape)} for "${name}"; call checkTensorsMatch first`);
  }
  for (const [name, target] of targets) target.device.write(target, values.get(name)!.data);
}

/** The entries of `tensors` under `prefix`, with the prefix removed (e.g. one optimizer's moments). */
export function stripPrefix<T>(tensors: ReadonlyMap<string, T>, prefix: string): Map<string, T> {
  return new Map([...tensors].filter(([name]) => name.startsWith(prefix)).map(([name, t]) => [name.slice(prefix.length), t]));
}

/** `tensors` with `prefix` added to every name (to merge models' and optimizers' tensors into one checkpoint). */
export function addPrefix<T>(tensors: ReadonlyMap<string, T>, prefix: string): Map<string, T> {
  return new Map([...tensors].map(([name, t]) => [prefix + name, t]));
}

/** What is wrong with a parsed sidecar's fields, or null; every count must be a non-negative integer. */
function sidecarProblem(sidecar: CheckpointSidecar): string | null {
  const count = (x: unknown) => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!count(sidecar.step)) return `"step" is ${JSON.stringify(sidecar.step)}, not a non-negative integer`;
  if (typeof sidecar.tensorsFile !== "string" || sidecar.tensorsFile === "" || /[\\/]/.test(sidecar.tensorsFile)) {
    return `"tensorsFile" is ${JSON.stringify(sidecar.tensorsFile)}, not a file name in the same folder`;
  }
  if (!count(sidecar.tensorsBytes)) return `"tensorsBytes" is ${JSON.stringify(sidecar.tensorsBytes)}, not a non-negative integer`;
  if (typeof sidecar.tensorsSha256 !== "string" || !/^[0-9a-f]{64}$/.test(sidecar.tensorsSha256)) return `"tensorsSha256" is not a SHA-256 in hex`;
  if (!isRecord(sidecar.rng)) return `"rng" is not an object`;
  if (!isRecord(sidecar.optimizers)) return `"optimizers" is not an object`;
  for (const [name, optimizer] of Object.entries(sidecar.optimizers)) {
    if (!isRecord(optimizer) || !count(optimizer.step)) return `optimizer "${name}" has no non-negative integer "step"`;
  }
  return null;
}

/** True when no value is NaN or infinite. A plain loop: every(Number.isFinite) was 8x slower, more than hashing the same bytes. */
function allFinite(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) return false; // 0 for every finite v, NaN for NaN and the infinities
  }
  return true;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
