/**
 * A small cache of measured kernel choices. When several kernels compute the same thing and
 * each wins somewhere (a CPU adapter prefers other designs than a GPU), an op can time its
 * candidates once per (adapter, shape class) with timeCandidates() and look the winner up
 * synchronously with tunedChoice() on every later call.
 *
 * Tuning is explicit and asynchronous (ops themselves are synchronous): a benchmark or a
 * training run calls the op's tune function at start-up. Choices live per device and, when
 * the platform has a tune store (in Node a JSON file, see platform/node.ts), also there,
 * keyed by the adapter's description, so the next process skips the timing.
 */
import { currentPlatform, type Platform } from "../platform/platform.js";
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

type TuneStore = NonNullable<Platform["tuneStore"]>;

const choices = new WeakMap<Device, Map<string, string>>();
/** Devices whose choices were pinned: they use exactly those and never consult the store. */
const pinned = new WeakSet<Device>();
/** Each store's entries, read once. */
const stored = new WeakMap<TuneStore, Map<string, string>>();

function storedChoices(store: TuneStore): Map<string, string> {
  let entries = stored.get(store);
  if (!entries) stored.set(store, (entries = new Map(Object.entries(store.load()))));
  return entries;
}

/**
 * The adapter's name as tuned choices are keyed by it, in the store and in a checkpoint's record.
 * Browsers hide the driver's description and device (Chromium gives only vendor and
 * architecture, e.g. "google swiftshader"): those two then, so that a page's record names its adapter.
 */
export function adapterKey(device: Device): string {
  const { description, device: name, vendor, architecture } = device.adapter;
  return description || name || [vendor, architecture].filter(Boolean).join(" ");
}

function storeKey(device: Device, key: string): string {
  return `${adapterKey(device)}|${key}`;
}

/** The remembered winner for `key` on this device's adapter, if any. */
export function tunedChoice(device: Device, key: string): string | undefined {
  const own = choices.get(device)?.get(key);
  if (own !== undefined || pinned.has(device)) return own;
  const store = currentPlatform().tuneStore;
  return store ? storedChoices(store).get(storeKey(device, key)) : undefined;
}

function remember(device: Device, key: string, winner: string): void {
  let map = choices.get(device);
  if (!map) choices.set(device, (map = new Map()));
  map.set(key, winner);
  const store = currentPlatform().tuneStore;
  if (store) {
    const entries = storedChoices(store);
    entries.set(storeKey(device, key), winner);
    store.save(Object.fromEntries(entries));
  }
}

/**
 * Makes `device` use exactly `pinned` from now on: these winners, the ops' defaults for every
 * other class, nothing from the store. A training run pins the choices its checkpoints record,
 * so that a resumed run computes with the same kernels (another kernel sums in another order).
 */
export function pinChoices(device: Device, winners: Readonly<Record<string, string>>): void {
  choices.set(device, new Map(Object.entries(winners)));
  pinned.add(device);
}

/**
 * The wall time in ms of each of `repeats` runs of `run`, after `warmup` untimed ones; every
 * run ends when `done` resolves (the GPU has finished its work).
 */
export async function timeEach(run: () => void, done: () => Promise<void>, warmup: number, repeats: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) run();
  await done();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    run();
    await done();
    times.push(performance.now() - start);
  }
  return times;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median wall time of `run` in ms, waiting for the GPU after each repetition. */
export async function timeRuns(device: Device, run: () => void, warmup: number, repeats: number): Promise<number> {
  return median(await timeEach(run, () => device.sync(), warmup, repeats));
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
