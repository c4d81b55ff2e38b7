/**
 * Temporary files that killed writes left in a run folder. An atomic write that is killed
 * between creating its temporary file and renaming it leaves `.step-000100.safetensors.<pid>.<n>.tmp`
 * behind; pruning only knows complete checkpoints, so without this they pile up, megabytes each.
 * A run removes them at its start, after it holds the folder's lock: from then on no other
 * training writes there, and a file whose writer is still alive (one racing for the lock) is kept.
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { TEMP_NAME } from "../io/atomic.js";
import { processAlive } from "./run-lock.js";

/** Removes the stale temporary files in `folder` and the given subfolders; returns their paths. */
export function removeStaleTemps(folder: string, subfolders: readonly string[]): string[] {
  const removed: string[] = [];
  for (const dir of [folder, ...subfolders.map((sub) => join(folder, sub))]) {
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const pid = TEMP_NAME.exec(entry.name)?.[1];
      if (!entry.isFile() || pid === undefined || (Number(pid) !== process.pid && processAlive(Number(pid)))) continue;
      rmSync(join(dir, entry.name), { force: true });
      removed.push(join(dir, entry.name));
    }
  }
  return removed;
}
