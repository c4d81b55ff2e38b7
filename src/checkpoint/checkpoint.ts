/**
 * Training checkpoints as files (Node): `<dir>/step-000123.safetensors` and
 * `<dir>/step-000123.json`, the two parts checkpoint-bytes.ts encodes and decodes.
 *
 * Writing: tensors first, sidecar second, each atomically (temp file, fsync, rename). The
 * sidecar is the commit mark: a checkpoint exists only when its sidecar does, so a crash
 * between the two leaves an orphan tensors file that is ignored (and replaced or pruned
 * later), never a sidecar pointing at half a file. Only then are checkpoints beyond the last
 * `keep` removed, sidecar first for the same reason.
 *
 * Reading: the checks of checkpoint-bytes.ts, the file's hash taken with node:crypto (at once,
 * where Web Crypto's is asynchronous). Loading never writes, so a bad checkpoint harms nothing.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { atomicWrite } from "../io/atomic.js";
import { decodeCheckpoint, encodeCheckpoint, parseSidecar, type CheckpointBytes, type CheckpointContents, type CheckpointFiles, type LoadedCheckpoint } from "./checkpoint-bytes.js";

export interface SaveCheckpointOptions extends CheckpointContents {
  /** Complete checkpoints to keep, the newest ones (default 3; at least 1). */
  keep?: number;
}

const NAME = /^step-(\d{6,})\.(json|safetensors)$/;

/** Reads the tensors back from the GPU and writes the checkpoint atomically, then prunes to the last `keep`. */
export async function saveCheckpoint(dir: string, options: SaveCheckpointOptions): Promise<CheckpointFiles> {
  const { keep = 3 } = options;
  if (!(Number.isInteger(keep) && keep >= 1)) throw new Error(`saveCheckpoint: keep ${keep} must be an integer of at least 1`);
  const encoded = await encodeCheckpoint(options);
  const files = writeCheckpointPair(dir, encoded, options.step);
  pruneCheckpoints(dir, keep);
  return files;
}

/** Writes an encoded pair into `dir`: the tensors file, then its sidecar, each atomically. */
export function writeCheckpointPair(dir: string, encoded: CheckpointBytes, step: number): CheckpointFiles {
  const files = { step, sidecarPath: join(dir, `${encoded.name}.json`), tensorsPath: join(dir, `${encoded.name}.safetensors`) };
  atomicWrite(files.tensorsPath, encoded.safetensors);
  atomicWrite(files.sidecarPath, new TextEncoder().encode(encoded.json));
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
  let text: string;
  try {
    text = readFileSync(sidecarPath, "utf8");
  } catch (error) {
    throw new Error(`cannot read checkpoint ${sidecarPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (check the path)`);
  }
  const sidecar = parseSidecar(text, sidecarPath);
  const tensorsPath = join(sidecarPath, "..", sidecar.tensorsFile);
  let bytes: Buffer;
  try {
    bytes = readFileSync(tensorsPath);
  } catch (error) {
    throw new Error(`checkpoint ${sidecarPath} names ${tensorsPath}, which cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); delete it (and its .safetensors) to fall back to the previous checkpoint, or start a new run`);
  }
  return decodeCheckpoint(sidecar, { step: sidecar.step, sidecarPath, tensorsPath }, bytes, () => createHash("sha256").update(bytes).digest("hex"));
}

