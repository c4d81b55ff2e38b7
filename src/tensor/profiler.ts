/**
 * Per-kernel GPU time, from timestamp queries. With profiling on, the batcher gives every
 * dispatch its own compute pass whose start and end are timestamped; at each submit the
 * batch's timestamps are resolved into a buffer, and `collect()` (called by device.sync and
 * device.profile) maps those buffers and adds each pass's duration to its kernel's total.
 *
 * A pass per dispatch costs a little, so profiling is opt-in (createDevice({ profile }) or
 * DEEPFILL_PROFILE=1) and the totals describe where time goes, not how fast a run is.
 */

export interface KernelTime {
  kernel: string;
  /** Summed GPU time, milliseconds. */
  ms: number;
  dispatches: number;
}

interface PendingBatch {
  querySet: GPUQuerySet;
  resolve: GPUBuffer;
  readback: GPUBuffer;
  kernels: string[];
}

export class Profiler {
  private kernels: string[] = [];
  private querySet: GPUQuerySet | null = null;
  private pending: PendingBatch[] = [];
  private readonly totals = new Map<string, KernelTime>();

  constructor(private readonly device: GPUDevice, private readonly capacity: number) {}

  /** The timestamp writes for the next dispatch's pass. */
  passTimestamps(kernel: string): GPUComputePassTimestampWrites {
    this.querySet ??= this.device.createQuerySet({ type: "timestamp", count: 2 * this.capacity });
    const index = this.kernels.length;
    if (index >= this.capacity) throw new Error(`profiler: more than ${this.capacity} dispatches in one batch`);
    this.kernels.push(kernel);
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * index, endOfPassWriteIndex: 2 * index + 1 };
  }

  /** Appends the resolve of this batch's timestamps to `encoder` (just before it is finished). */
  resolveInto(encoder: GPUCommandEncoder): void {
    if (!this.querySet || this.kernels.length === 0) return;
    const bytes = this.kernels.length * 16;
    const resolve = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const readback = this.device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, 2 * this.kernels.length, resolve, 0);
    encoder.copyBufferToBuffer(resolve, 0, readback, 0, bytes);
    this.pending.push({ querySet: this.querySet, resolve, readback, kernels: this.kernels });
    this.querySet = null;
    this.kernels = [];
  }

  /** Reads every submitted batch's timestamps into the totals. Call after the work is done. */
  async collect(): Promise<void> {
    const batches = this.pending;
    this.pending = [];
    await Promise.all(batches.map((b) => b.readback.mapAsync(GPUMapMode.READ)));
    for (const b of batches) {
      const stamps = new BigUint64Array(b.readback.getMappedRange());
      b.kernels.forEach((kernel, i) => {
        const ns = Number(stamps[2 * i + 1]! - stamps[2 * i]!);
        const total = this.totals.get(kernel) ?? { kernel, ms: 0, dispatches: 0 };
        // A pass the implementation did not time reads as end < start: count it, add nothing.
        if (ns > 0) total.ms += ns / 1e6;
        total.dispatches++;
        this.totals.set(kernel, total);
      });
      b.readback.unmap();
      for (const buffer of [b.readback, b.resolve]) buffer.destroy();
      b.querySet.destroy();
    }
  }

  /** Totals per kernel since the last reset, longest first. */
  report(): KernelTime[] {
    return [...this.totals.values()].map((t) => ({ ...t })).sort((a, b) => b.ms - a.ms);
  }

  reset(): void {
    this.totals.clear();
  }
}
