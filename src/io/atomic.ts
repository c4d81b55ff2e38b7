/**
 * Atomic file writes: the bytes go to a temporary file in the target's own folder (so the final
 * rename stays on one file system), are flushed to disk with fsync, and only then renamed over
 * the target. A reader therefore sees either the whole old file or the whole new one, and a
 * crash or a failed write mid-way leaves the previous file untouched.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Writes `chunks` (concatenated) to `path` atomically, creating the parent folder if needed. */
export function atomicWrite(path: string, ...chunks: Uint8Array[]): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const temp = tempPath(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, "w");
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.byteLength) done += writeSync(fd, chunk, done, chunk.byteLength - done);
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw new Error(`could not write ${path}: ${(error as Error).message} (check that the folder is writable and the disk has space)`);
  }
  syncDir(dir);
}

let nextId = 0;

/** A fresh temporary name beside `path`; pid + counter, so two writers (or two calls in one process) never share one. */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${nextId++}.tmp`);
}

/** Matches the names tempPath makes; group 1 is the writer's process id (to tell a live writer's file from a dead one's). */
export const TEMP_NAME = /^\..+\.(\d+)\.\d+\.tmp$/;

/** Flushes the folder entry so the rename itself survives a power cut (best effort: not every platform allows opening a folder). */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    fsyncSync(fd);
  } catch {
    // Windows cannot fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
