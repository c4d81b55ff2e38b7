/**
 * What a training run tells its user: a JSONL log (always; one record per logged iteration,
 * appended, so a resumed run continues the same file) and a progress display: on a terminal
 * one line rewritten in place, otherwise a plain line per logged iteration.
 *
 * The log never keeps half a record: an append that fails (a full disk) is cut back to the
 * previous record, and a resumed run first trims the log to its checkpoint's step (trimLog),
 * dropping what a crash left torn and the records of iterations the checkpoint does not hold,
 * which the resumed run is about to log again. A non-finite number is written as the string
 * "NaN", "Infinity" or "-Infinity" (JSON has no such numbers; null would hide which it was).
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { atomicWrite } from "../io/atomic.js";
import type { MemoryStats } from "../tensor/device.js";
import type { Losses } from "./trainer.js";

export interface LogRecord {
  step: number;
  /** True while the run is in its coarse-only warm-up. */
  warmup: boolean;
  losses: Losses;
  /** Mean wall time of an iteration since the previous record, synced with the GPU. */
  step_ms: number;
  /** Training images drawn per second (batch x steps per iteration). */
  images_per_s: number;
  memory: MemoryStats;
  time: string;
}

/** Appends records to `<run>/log.jsonl`. */
export class JsonlLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  write(record: LogRecord): void {
    const bytes = Buffer.from(JSON.stringify(record, nonFiniteAsText) + "\n");
    const fd = openSync(this.path, "a");
    const size = fstatSync(fd).size;
    try {
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done);
    } catch (error) {
      try {
        ftruncateSync(fd, size);
      } catch {
        // Nothing more to do; a resume repairs the torn line (trimLog).
      }
      throw new Error(`could not append to ${this.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; the log still ends at the previous record (free some space, then continue with --resume)`);
    } finally {
      closeSync(fd);
    }
  }
}

function nonFiniteAsText(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

/**
 * Trims the log at `path` to the records up to `step` and drops lines that are not JSON (torn
 * by a crash or a full disk), rewriting it atomically; leaves a sound log untouched. Returns
 * how many records and torn lines were dropped.
 */
export function trimLog(path: string, step: number): { later: number; torn: number } {
  if (!existsSync(path)) return { later: 0, torn: 0 };
  const text = readFileSync(path, "utf8");
  const kept: string[] = [];
  let later = 0;
  let torn = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      torn++;
      continue;
    }
    const recordStep = (record as { step?: unknown } | null)?.step;
    if (typeof recordStep === "number" && recordStep > step) later++;
    else kept.push(line + "\n");
  }
  const trimmed = kept.join("");
  if (trimmed !== text) atomicWrite(path, Buffer.from(trimmed));
  return { later, torn };
}

export interface Progress {
  step: number;
  total: number;
  /** Iterations per second over the recent ones. */
  rate: number;
  losses: Losses | null;
}

/** Seconds as "1h02m", "3m07s" or "12s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** "step 12/1000  0.16 it/s  ETA 1h42m  g 1.234 d -0.512 ..." */
export function progressLine(p: Progress): string {
  const losses = p.losses ? Object.entries(p.losses).map(([k, v]) => `${k} ${formatNumber(v)}`).join(" ") : "";
  const eta = p.rate > 0 ? formatDuration((p.total - p.step) / p.rate) : "?";
  return `step ${p.step}/${p.total}  ${p.rate.toFixed(p.rate < 1 ? 3 : 2)} it/s  ETA ${eta}  ${losses}`.trimEnd();
}

function formatNumber(v: number): string {
  return Math.abs(v) >= 1000 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(2) : v.toFixed(4);
}

/** Prints progress: in place on a terminal, as plain lines (only when asked, i.e. on log steps) elsewhere. */
export class ProgressPrinter {
  private open = false;

  constructor(private readonly stream: NodeJS.WriteStream = process.stdout) {}

  get isTty(): boolean {
    return this.stream.isTTY === true;
  }

  /** `logged` says whether this iteration wrote a log record (plain output prints only those). */
  update(p: Progress, logged: boolean): void {
    const line = progressLine(p);
    if (this.isTty) {
      const columns = this.stream.columns || 120;
      this.stream.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
      this.open = true;
    } else if (logged) {
      this.stream.write(line + "\n");
    }
  }

  /** A message on its own line, leaving the progress line intact below it. */
  note(message: string): void {
    this.endLine();
    this.stream.write(message + "\n");
  }

  endLine(): void {
    if (this.open) this.stream.write("\n");
    this.open = false;
  }
}
