/**
 * Checkpoints as bytes, on any platform: the safetensors data holding every named tensor
 * (model parameters and optimizer moments) and the JSON sidecar holding the rest (step,
 * configuration, RNG states, optimizer step counts, format version) plus the tensors' size and
 * SHA-256. checkpoint.ts stores them as the files `<dir>/step-000123.safetensors` and
 * `<dir>/step-000123.json`; a page hands them to the user as downloads. The same bytes either
 * way, so `train.js --resume` and `inpaint.js` read what a page wrote.
 *
 * Reading checks the sidecar, the tensors' size and hash and the safetensors structure; every
 * failure is one line naming the file and the fix. checkTensorsMatch then names any tensor
 * whose name or shape differs from the current run (another configuration).
 */
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
  /** The kernel choices the run computed with (any JSON; absent when it used the defaults), for a resume to use again. */
  kernels?: unknown;
  tensorsFile: string;
  tensorsBytes: number;
  tensorsSha256: string;
  savedAt: string;
}

/** What a checkpoint holds, before it is encoded. */
export interface CheckpointContents {
  step: number;
  tensors: ReadonlyMap<string, Tensor>;
  config: unknown;
  rng?: Record<string, RngState>;
  optimizers?: Record<string, { step: number }>;
  kernels?: unknown;
}

/** An encoded checkpoint: `name` is the base of its files (step-000123). */
export interface CheckpointBytes {
  name: string;
  safetensors: Uint8Array;
  json: string;
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
  kernels?: unknown;
  tensors: Map<string, HostTensor>;
}

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

/** What a sidecar says besides the tensors file's name, size and hash. */
export type SidecarFields = Pick<CheckpointSidecar, "step" | "config" | "rng" | "optimizers" | "kernels">;

/** Reads the tensors back from the GPU and encodes them and the sidecar; throws NonFiniteTensorError for NaN or infinite values. */
export async function encodeCheckpoint(contents: CheckpointContents): Promise<CheckpointBytes> {
  const { step } = contents;
  if (!(Number.isInteger(step) && step >= 0)) throw new Error(`saveCheckpoint: step ${step} must be a non-negative integer`);
  const host = new Map<string, HostTensor>();
  for (const [name, tensor] of contents.tensors) {
    const data = await tensor.read();
    // A diverged run must not replace good checkpoints with NaN ones (and then prune the good ones).
    if (!allFinite(data)) throw new NonFiniteTensorError(step, name);
    host.set(name, { shape: [...tensor.shape], data });
  }
  return encodeHostCheckpoint(checkpointName(step), host, {
    step, config: contents.config, rng: contents.rng ?? {}, optimizers: contents.optimizers ?? {},
    ...(contents.kernels === undefined ? {} : { kernels: contents.kernels }),
  });
}

/**
 * Encodes tensors already on the host as the pair `<name>.safetensors` and `<name>.json`. The
 * sidecar names its tensors file without a folder, so the two can be moved together.
 */
export async function encodeHostCheckpoint(name: string, host: ReadonlyMap<string, HostTensor>, fields: SidecarFields): Promise<CheckpointBytes> {
  const chunks = encodeSafetensors(host, { format: CHECKPOINT_FORMAT, step: String(fields.step) });
  const safetensors = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  chunks.reduce((at, chunk) => (safetensors.set(chunk, at), at + chunk.byteLength), 0);
  const sidecar: CheckpointSidecar = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    ...fields,
    tensorsFile: `${name}.safetensors`,
    tensorsBytes: safetensors.byteLength,
    tensorsSha256: await sha256Hex(safetensors),
    savedAt: new Date().toISOString(),
  };
  return { name, safetensors, json: JSON.stringify(sidecar, null, 2) + "\n" };
}

/** The advice every reading error ends with. */
const FIX = `delete it (and its .safetensors) to fall back to the previous checkpoint, or start a new run`;

/** Parses and checks a sidecar's text; `sidecarPath` names it in errors. */
export function parseSidecar(text: string, sidecarPath: string): CheckpointSidecar {
  let sidecar: CheckpointSidecar;
  try {
    sidecar = JSON.parse(text) as CheckpointSidecar;
  } catch (error) {
    throw new Error(`checkpoint ${sidecarPath} is corrupt (not valid JSON: ${(error as Error).message}); ${FIX}`);
  }
  if (sidecar?.format !== CHECKPOINT_FORMAT) throw new Error(`${sidecarPath} is not a deepfill-webgpu checkpoint sidecar (no "format": "${CHECKPOINT_FORMAT}"); pass a step-*.json written by training`);
  if (sidecar.version !== CHECKPOINT_VERSION) {
    throw new Error(`checkpoint ${sidecarPath} has format version ${sidecar.version}, this program reads version ${CHECKPOINT_VERSION}; resume it with the version that wrote it, or start a new run`);
  }
  const problem = sidecarProblem(sidecar);
  if (problem) throw new Error(`checkpoint ${sidecarPath} is corrupt (${problem}); ${FIX}`);
  return sidecar;
}

/** Checks the tensors' bytes against their sidecar (size, then `sha256`, their hash in hex) and decodes them. */
export function decodeCheckpoint(sidecar: CheckpointSidecar, files: CheckpointFiles, bytes: Uint8Array, sha256: () => string): LoadedCheckpoint {
  const { sidecarPath, tensorsPath } = files;
  if (bytes.length !== sidecar.tensorsBytes) {
    throw new Error(`checkpoint tensors ${tensorsPath} have ${bytes.length} bytes, the sidecar says ${sidecar.tensorsBytes} (truncated or replaced); ${FIX}`);
  }
  if (sha256() !== sidecar.tensorsSha256) {
    throw new Error(`checkpoint tensors ${tensorsPath} do not match the SHA-256 in ${sidecarPath} (the file is corrupt); ${FIX}`);
  }
  const { tensors } = decodeSafetensors(bytes, tensorsPath);
  return { step: sidecar.step, sidecarPath, tensorsPath, config: sidecar.config, rng: sidecar.rng, optimizers: sidecar.optimizers, kernels: sidecar.kernels, tensors };
}

/**
 * Reads a checkpoint from its two parts as bytes (e.g. files a user picked in a page); errors
 * name them by the sidecar's tensorsFile and "the checkpoint's JSON".
 */
export async function readCheckpointBytes(safetensors: Uint8Array, json: string): Promise<LoadedCheckpoint> {
  const sidecarPath = "the checkpoint's JSON";
  const sidecar = parseSidecar(json, sidecarPath);
  const hash = await sha256Hex(safetensors);
  return decodeCheckpoint(sidecar, { step: sidecar.step, sidecarPath, tensorsPath: sidecar.tensorsFile }, safetensors, () => hash);
}

/** SHA-256 of `bytes` in hex, with the Web Crypto API (Node's global `crypto` too). */
async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // The DOM's types take only ArrayBuffer-backed views; a copy costs nothing next to hashing.
  const owned = bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", owned));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
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
