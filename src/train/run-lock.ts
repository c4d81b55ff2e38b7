/**
 * One training process per run folder. Two runs writing into one folder would interleave their
 * logs and prune each other's checkpoints, so a run holds `<run>/train.lock` for its whole life:
 * a small JSON file naming the owner's process id and host.
 *
 * The lock appears atomically and complete: its text goes to a temporary file first, which is
 * then hard-linked to the lock's name; link() fails when the name exists, so of two starters
 * exactly one wins, and nobody ever reads a half-written lock. A lock whose process is gone (a
 * crash, a kill -9, a power cut) is stale: the next run takes it over and says so. A live one
 * is a one-line error naming the process and the fix. (Two runs that find the same stale lock
 * in the same instant could both take it over; node has no flock() to close that window, and
 * it needs a dead owner and two starts within microseconds of each other.)
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { tempPath } from "../io/atomic.js";

export const LOCK_FILE = "train.lock";

interface Owner {
  pid: number;
  host: string;
  since: string;
}

export class RunLock {
  private released = false;
  private readonly onExit = () => this.release();

  private constructor(readonly folder: string, readonly path: string, private readonly createdFolder: boolean) {
    // process.exit() skips finally blocks; this still frees the folder.
    process.on("exit", this.onExit);
  }

  /**
   * Takes the lock of `folder` (creating the folder if needed), or throws one line naming the
   * process that holds it. `notice` hears about a stale lock taken over.
   */
  static acquire(folder: string, notice: (message: string) => void = () => {}): RunLock {
    const createdFolder = !existsSync(folder);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, LOCK_FILE);
    const me: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const temp = tempPath(path);
    writeFileSync(temp, JSON.stringify(me) + "\n");
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(temp, path);
          return new RunLock(folder, path, createdFolder);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw lockError(error, path, folder);
        }
        const owner = readOwner(path);
        if (owner && isAlive(owner)) {
          const where = owner.host === me.host ? `process ${owner.pid}` : `process ${owner.pid} on host ${owner.host}`;
          throw new Error(`run folder ${folder} is in use by training ${where} (see ${path}); wait for it to end or stop it (kill ${owner.pid}), or pass another --out`);
        }
        notice(`run folder ${folder}: taking over the lock of ${owner ? `process ${owner.pid}, which is no longer running` : "a process that left it unreadable"}`);
        rmSync(path, { force: true });
      }
    } finally {
      rmSync(temp, { force: true });
    }
  }

  /** Frees the folder (idempotent); removes the folder too when the lock created it and nothing else was written. */
  release(): void {
    if (this.released) return;
    this.released = true;
    process.off("exit", this.onExit);
    if (readOwner(this.path)?.pid === process.pid) rmSync(this.path, { force: true });
    if (this.createdFolder && existsSync(this.folder) && readdirSync(this.folder).length === 0) rmdirSync(this.folder);
  }
}

function readOwner(path: string): Owner | null {
  try {
    const owner = JSON.parse(readFileSync(path, "utf8")) as Owner;
    return Number.isSafeInteger(owner?.pid) && owner.pid > 0 && typeof owner.host === "string" ? owner : null;
  } catch {
    return null;
  }
}

/** Whether the owner may still run: a process of another host cannot be checked, so it counts as alive. */
function isAlive(owner: Owner): boolean {
  return owner.host !== hostname() || processAlive(owner.pid);
}

/** Whether process `pid` of this host exists (signal 0 tests without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, but another user's
  }
}

function lockError(error: unknown, path: string, folder: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EEXIST") return new Error(`run folder ${folder}: another process took the lock ${path} at the same moment; try again, or pass another --out`);
  return new Error(`cannot lock run folder ${folder} (${path}: ${code ?? (error as Error).message}); check that the folder is writable`);
}
