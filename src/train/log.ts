/**
 * What a training run tells its user: a JSONL log (always; one record per logged iteration,
 * appended, so a resumed run continues the same file) and a progress display: on a terminal
 * one line rewritten in place, otherwise a plain line per logged iteration.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
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
    appendFileSync(this.path, JSON.stringify(record) + "\n");
  }
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
