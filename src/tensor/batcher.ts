/**
 * Command batching: dispatches are recorded into one command encoder with one open compute
 * pass and submitted together, every `submitEvery` dispatches and whenever someone needs the
 * results (a readback, the end of a benchmark run).
 *
 * Uniforms (shapes and op parameters) of all dispatches in a batch live in one arena buffer,
 * each at a 256-byte aligned dynamic offset. The arena is filled on the CPU while recording
 * and written with one `writeBuffer` just before the submit; queue order guarantees that the
 * next batch's write lands after this batch ran, so one arena serves every batch.
 */
import type { BufferPool } from "./pool.js";
import type { Profiler } from "./profiler.js";

const UNIFORM_ALIGN = 256;

export class Batcher {
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  private arena: GPUBuffer;
  private arenaData: Uint8Array<ArrayBuffer>;
  private arenaUsed = 0;
  /** Buffers to destroy once the batch that still references them is submitted. */
  private retired: GPUBuffer[] = [];
  /** Total submits so far; lets callers tell whether their work has been sent. */
  submits = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    readonly submitEvery: number,
    /** When set, each dispatch gets its own timestamped pass (see profiler.ts). */
    private readonly profiler: Profiler | null = null,
    arenaBytes = Math.max(64 * 1024, submitEvery * UNIFORM_ALIGN * 2),
  ) {
    this.arenaData = new Uint8Array(arenaBytes);
    this.arena = this.createArena(arenaBytes);
  }

  private createArena(bytes: number): GPUBuffer {
    return this.device.createBuffer({
      size: bytes,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  /**
   * Copies `uniforms` into the arena and returns the buffer and offset to bind. Submits the
   * batch first when the arena is full, and grows the arena for an oversized struct.
   */
  uniformSlot(uniforms: ArrayBuffer): { buffer: GPUBuffer; offset: number } {
    const size = Math.max(uniforms.byteLength, 16);
    if (this.arenaUsed + size > this.arenaData.byteLength) {
      this.submit();
      if (size > this.arenaData.byteLength) {
        this.retired.push(this.arena);
        const bytes = Math.ceil(size / UNIFORM_ALIGN) * UNIFORM_ALIGN * 4;
        this.arenaData = new Uint8Array(bytes);
        this.arena = this.createArena(bytes);
      }
    }
    const offset = this.arenaUsed;
    this.arenaData.set(new Uint8Array(uniforms), offset);
    this.arenaUsed = Math.ceil((offset + size) / UNIFORM_ALIGN) * UNIFORM_ALIGN;
    return { buffer: this.arena, offset };
  }

  private computePass(): GPUComputePassEncoder {
    this.encoder ??= this.device.createCommandEncoder();
    this.pass ??= this.encoder.beginComputePass();
    return this.pass;
  }

  /** The open encoder with no compute pass open, for copies. */
  copyEncoder(): GPUCommandEncoder {
    this.pass?.end();
    this.pass = null;
    this.encoder ??= this.device.createCommandEncoder();
    return this.encoder;
  }

  dispatch(
    pipeline: GPUComputePipeline,
    bindGroup: GPUBindGroup,
    uniformOffset: number,
    workgroups: readonly [number, number, number],
    kernel: string,
  ): void {
    if (this.profiler) {
      this.pass?.end();
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass({ timestampWrites: this.profiler.passTimestamps(kernel) });
    }
    const pass = this.computePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup, [uniformOffset]);
    pass.dispatchWorkgroups(workgroups[0], workgroups[1], workgroups[2]);
    if (++this.dispatches >= this.submitEvery) this.submit();
  }

  /** Submits everything recorded so far (a no-op when nothing is). */
  submit(): void {
    this.pass?.end();
    this.pass = null;
    if (this.encoder) {
      if (this.arenaUsed > 0) {
        this.device.queue.writeBuffer(this.arena, 0, this.arenaData, 0, this.arenaUsed);
      }
      this.profiler?.resolveInto(this.encoder);
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.submits++;
    }
    this.dispatches = 0;
    this.arenaUsed = 0;
    for (const buffer of this.retired) buffer.destroy();
    this.retired = [];
    this.pool.onSubmitted();
  }

  destroy(): void {
    this.arena.destroy();
  }
}
