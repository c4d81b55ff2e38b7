/**
 * The benchmark harness: cases register themselves here, main.ts runs them.
 *
 * A case prepares its tensors once, then its `run` records the work to time (dispatches
 * only). Timing: warm-up runs (they compile the pipelines), then each
 * timed run is recorded, submitted and awaited with device.sync(), and the median counts.
 * Every result is set against a ceiling the harness measures on the same device in the same
 * process: the FMA rate of kernels/fma_peak.wgsl for compute-bound cases, the driver's
 * buffer copy for bandwidth-bound ones, because on shared machines only ratios taken
 * within one run are comparable.
 */
import type { Device } from "../src/index.js";
import { timeRuns } from "../src/tensor/autotune.js";
import { defineKernel } from "../src/tensor/kernels.js";
import type { PeerResult, TrainPeerConfig } from "./peers.js";
import type { TfjsPeerCase } from "./tfjs-peer.js";

export interface Prepared {
  /** Records the work once. */
  run: () => void;
  /** Floating-point operations per run (compute-bound cases)... */
  flops?: number;
  /** ...or bytes read plus written per run (bandwidth-bound cases). */
  bytes?: number;
  /** A note for the table, e.g. the kernel a default choice picked. */
  note?: string;
  /** Parameter count per network, for cases that run a model (a peer must match them). */
  parameters?: Record<string, number>;
  /** The same work for the tfjs-backend-webgpu peer of --peers, or why tfjs has none. */
  tfjs?: TfjsPeerCase | string;
  dispose: () => void;
}

/** A case of one row, or a list case (`expand`) that stands for rows known only on a device. */
export type BenchCase = SingleCase | ListCase;

export interface ListCase {
  name: string;
  slow?: boolean;
  /** The cases to run in its place, each with its own row (e.g. the convolutions a model runs). */
  expand: (device: Device) => Promise<SingleCase[]>;
}

export interface SingleCase {
  name: string;
  /** Left out of the default run (too slow on a CPU adapter); `--all` includes it. */
  slow?: boolean;
  /** Timed runs (default: the harness's). */
  repeats?: number;
  prepare: (device: Device) => Promise<Prepared> | Prepared;
  /** The training iteration this case runs, for the PyTorch peer of --peers to repeat. */
  peer?: TrainPeerConfig;
}

export interface Ceilings {
  gflops: number;
  gbps: number;
}

export interface BenchResult {
  name: string;
  ms: number;
  gflops?: number;
  gbps?: number;
  ceiling_fraction: number;
  note?: string;
  adapter: string;
  parameters?: Record<string, number>;
  /** A peer's run of the same case (--peers): PyTorch for training iterations, tfjs-backend-webgpu for ops. */
  peer?: PeerResult;
}

const cases: BenchCase[] = [];

export function register(...list: BenchCase[]): void {
  cases.push(...list);
}

/** Deterministic, smooth test data in [-scale, scale]: the same inputs in every run. */
export function sineValues(count: number, seed: number, scale = 1): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => scale * Math.sin(i * 0.37 + seed));
}

/**
 * The memory `run` needs at its peak, in MiB: the pool is trimmed, `run` runs once, and the
 * growth of what the device holds (in use plus pooled) is counted. Released buffers stay in
 * the pool until the next trim, so the pool keeps the high-water mark.
 */
export async function peakMiB(device: Device, run: () => void): Promise<number> {
  await device.sync();
  device.trim();
  const held = () => device.memory().bytesInUse + device.memory().bytesPooled;
  const before = held();
  run();
  await device.sync();
  return (held() - before) / 2 ** 20;
}

export function registeredCases(): readonly BenchCase[] {
  return cases;
}

export const FMA_PEAK = defineKernel({
  name: "fma_peak", inputs: [], outputs: ["out"], params: { count: "u32", iterations: "u32", s: "f32", t: "f32" },
});

/** FMA throughput of the register-only kernel: 32 chains x 2 flops x iterations per invocation. */
export async function measureFmaCeiling(device: Device, repeats: number): Promise<number> {
  const invocations = 8 * 1024 * 16;
  const iterations = 4096;
  const wg = 64;
  const out = device.empty([invocations]);
  const params = { count: invocations, iterations, s: 0.999, t: 0.001 };
  const run = () => device.run(FMA_PEAK, {
    inputs: [], outputs: [out.buffer("fma_peak")], params, workgroups: [invocations / wg, 1, 1], overrides: { WG: wg },
  });
  const ms = await timeRuns(device, run, 1, repeats);
  out.dispose();
  return (invocations * iterations * 64) / ms / 1e6;
}

/** Bandwidth of copyBufferToBuffer (the driver's memcpy), counting the bytes read and written. */
export async function measureCopyCeiling(device: Device, repeats: number): Promise<number> {
  const elements = 16 * 1024 * 1024;
  const src = device.empty([elements]);
  const dst = device.empty([elements]);
  const run = () => device.batcher.copyEncoder().copyBufferToBuffer(src.buffer("copy"), 0, dst.buffer("copy"), 0, elements * 4);
  const ms = await timeRuns(device, run, 1, repeats);
  src.dispose();
  dst.dispose();
  return (2 * elements * 4) / ms / 1e6;
}

/** Times `bench`; `afterTiming` runs while the case's tensors still live (a peer reads our output there). */
export async function runCase(device: Device, bench: SingleCase, ceilings: Ceilings, repeats: number,
  afterTiming?: (prepared: Prepared, result: BenchResult) => Promise<void>): Promise<BenchResult> {
  const prepared = await bench.prepare(device);
  try {
    const ms = await timeRuns(device, prepared.run, 1, bench.repeats ?? repeats);
    const result: BenchResult = { name: bench.name, ms, ceiling_fraction: 0, adapter: device.adapter.description };
    if (prepared.flops !== undefined) {
      result.gflops = prepared.flops / ms / 1e6;
      result.ceiling_fraction = result.gflops / ceilings.gflops;
    } else if (prepared.bytes !== undefined) {
      result.gbps = prepared.bytes / ms / 1e6;
      result.ceiling_fraction = result.gbps / ceilings.gbps;
    } else {
      throw new Error(`bench ${bench.name}: the case reports neither flops nor bytes`);
    }
    if (prepared.note) result.note = prepared.note;
    if (prepared.parameters) result.parameters = prepared.parameters;
    await afterTiming?.(prepared, result);
    return result;
  } finally {
    prepared.dispose();
  }
}

/**
 * The results as an aligned table, the name column as wide as the longest name; peer columns
 * when any case has a peer, whose note (the tfjs peer's layout and check) follows ours.
 */
export function formatTable(results: readonly BenchResult[]): string {
  const width = Math.max(4, ...results.map((r) => r.name.length));
  const peers = results.some((r) => r.peer !== undefined);
  const peerHeader = peers ? ` ${"peer ms".padStart(10)} ${"ours/peer".padStart(9)}` : "";
  const header = `${"case".padEnd(width)} ${"ms".padStart(10)} ${"rate".padStart(16)} ${"ceil".padStart(7)}${peerHeader}  note`;
  const rows = results.map((r) => {
    const rate = r.gflops !== undefined ? `${r.gflops.toFixed(2)} GFLOP/s` : `${r.gbps!.toFixed(2)} GB/s`;
    const peer = !peers ? "" : r.peer ? ` ${r.peer.ms.toFixed(1).padStart(10)} ${r.peer.ratio.toFixed(2).padStart(9)}` : ` ${"".padStart(10)} ${"".padStart(9)}`;
    return `${r.name.padEnd(width)} ${r.ms.toFixed(1).padStart(10)} ${rate.padStart(16)} ${(r.ceiling_fraction * 100).toFixed(0).padStart(6)}%${peer}  ${notes(r)}`;
  });
  return [header, ...rows].join("\n");
}

/** A list case's rows as one line: how their fractions of the ceiling spread, how many reach 40%, and the lowest. */
export function listSummary(name: string, rows: readonly BenchResult[]): string {
  const fractions = rows.map((r) => r.ceiling_fraction).sort((a, b) => a - b);
  const at = (q: number) => fractions[Math.min(fractions.length - 1, Math.floor(q * fractions.length))]!;
  const percent = (f: number) => `${(f * 100).toFixed(0)}%`;
  const lowest = rows.reduce((low, r) => (r.ceiling_fraction < low.ceiling_fraction ? r : low));
  return `${name}: ${rows.length} rows, median ${percent(at(0.5))} of the FMA ceiling (quartiles ${percent(at(0.25))} and ${percent(at(0.75))}), ` +
    `${fractions.filter((f) => f >= 0.4).length} at 40% or more; lowest ${lowest.name.slice(name.length + 1)} at ${percent(lowest.ceiling_fraction)}`;
}

function notes(r: BenchResult): string {
  const peerNote = r.peer && "note" in r.peer ? r.peer.note : undefined;
  return [r.note, peerNote].filter((n) => n).join("; ");
}
