/**
 * A small cache of measured kernel choices. When several kernels compute the same thing and
 * each wins somewhere (a CPU adapter prefers other designs than a GPU), an op can time its
 * candidates once per (adapter, shape class) with timeCandidates() and look the winner up
 * synchronously with tunedChoice() on every later call.
 *
 * Tuning is explicit and asynchronous (ops themselves are synchronous): a benchmark or a
 * training loop calls the op's tune function at start-up. Choices live per device and, when
 * DEEPFILL_TUNE_CACHE names a JSON file, also on disk, keyed by the adapter's description,
 * so the next process skips the timing.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Device } from "./device.js";

export interface TuneOptions {
  /** Untimed runs before measuring (compiles pipelines, warms caches). Default 1. */
  warmup?: number;
  /** Timed repetitions; the median counts. Default 3. */
  repeats?: number;
  /** Time again even if a choice is cached. */
  force?: boolean;
}

export interface Candidate {
  name: string;
  /** Records the work to time (dispatches only; the timer waits for the GPU). */
  run: () => void;
}

const choices = new WeakMap<Device, Map<string, string>>();
let diskLoaded = false;
const disk = new Map<string, string>();

function cacheFile(): string | undefined {
  return process.env.DEEPFILL_TUNE_CACHE || undefined;
}

function diskKey(device: Device, key: string): string {
  return `${device.adapter.description || device.adapter.device}|${key}`;
}

function loadDisk(): void {
  if (diskLoaded) return;
  diskLoaded = true;
  const file = cacheFile();
  if (!file || !existsSync(file)) return;
  try {
    for (const [k, v] of Object.entries(JSON.parse(readFileSync(file, "utf8")) as Record<string, string>)) disk.set(k, v);
  } catch (error) {
    throw new Error(`autotune: cannot read the tuning cache ${file} (${(error as Error).message}); delete it or fix DEEPFILL_TUNE_CACHE`);
  }
}

function saveDisk(): void {
  const file = cacheFile();
  if (!file) return;
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(Object.fromEntries(disk), null, 1));
  renameSync(temporary, file);
}

/** The remembered winner for `key` on this device's adapter, if any. */
export function tunedChoice(device: Device, key: string): string | undefined {
  const own = choices.get(device)?.get(key);
  if (own !== undefined) return own;
  if (!cacheFile()) return undefined;
  loadDisk();
  return disk.get(diskKey(device, key));
}

function remember(device: Device, key: string, winner: string): void {
  let map = choices.get(device);
  if (!map) choices.set(device, (map = new Map()));
  map.set(key, winner);
  if (cacheFile()) {
    loadDisk();
    disk.set(diskKey(device, key), winner);
    saveDisk();
  }
}

/** Median wall time of `run` in ms, waiting for the GPU after each repetition. */
export async function timeRuns(device: Device, run: () => void, warmup: number, repeats: number): Promise<number> {
  for (let i = 0; i < warmup; i++) run();
  await device.sync();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    await device.sync();
    times.push(performance.now() - start);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)]!;
}

/** Times each candidate (unless a choice is cached) and remembers the fastest under `key`. */
export async function timeCandidates(device: Device, key: string, candidates: readonly Candidate[], options: TuneOptions = {}):
  Promise<{ winner: string; ms: Record<string, number> }> {
  if (candidates.length === 0) throw new Error(`autotune ${key}: no candidates to time`);
  const cached = options.force ? undefined : tunedChoice(device, key);
  if (cached !== undefined && candidates.some((c) => c.name === cached)) return { winner: cached, ms: {} };
  const ms: Record<string, number> = {};
  for (const candidate of candidates) {
    ms[candidate.name] = await timeRuns(device, candidate.run, options.warmup ?? 1, options.repeats ?? 3);
  }
  const winner = candidates.reduce((best, c) => (ms[c.name]! < ms[best.name]! ? c : best)).name;
  remember(device, key, winner);
  return { winner, ms };
}
