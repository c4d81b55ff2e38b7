/**
 * Buffer pool: GPU storage buffers recycled by size class.
 *
 * Sizes are rounded up to one of four classes per power of two (at most 25% waste), so
 * tensors of slightly different sizes share buffers. A released buffer is not reusable at
 * once: commands recorded in the open batch may still read it, and a `writeBuffer` into it
 * would run before them. It waits in `pending` until the batch is submitted, then returns
 * to its class.
 */
const MIN_BYTES = 256;

/** The smallest size class holding `bytes`: m/4 * 2^k for m in 4..7, at least 256 bytes. */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_BYTES) return MIN_BYTES;
  const octave = 2 ** Math.floor(Math.log2(bytes));
  const step = octave / 4;
  return Math.ceil(bytes / step) * step;
}

export interface PoolStats {
  /** Bytes of buffers handed out and not yet released. */
  bytesInUse: number;
  /** Bytes of buffers waiting for reuse (free or pending submission). */
  bytesPooled: number;
  buffersAllocated: number;
}

export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private pending: GPUBuffer[] = [];
  private bytesInUse = 0;
  private bytesPooled = 0;
  private buffersAllocated = 0;

  constructor(private readonly device: GPUDevice) {}

  acquire(bytes: number): GPUBuffer {
    const size = sizeClass(bytes);
    this.bytesInUse += size;
    const reused = this.free.get(size)?.pop();
    if (reused) {
      this.bytesPooled -= size;
      return reused;
    }
    this.buffersAllocated++;
    return this.device.createBuffer({ size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  }

  /** Returns a buffer; it becomes reusable after the open batch is submitted. */
  release(buffer: GPUBuffer): void {
    this.bytesInUse -= buffer.size;
    this.bytesPooled += buffer.size;
    this.pending.push(buffer);
  }

  /** Called by the batcher right after a submit: pending buffers are safe to reuse now. */
  onSubmitted(): void {
    for (const buffer of this.pending) {
      let list = this.free.get(buffer.size);
      if (!list) this.free.set(buffer.size, (list = []));
      list.push(buffer);
    }
    this.pending = [];
  }

  /** Destroys every free buffer (pending ones stay until their batch is submitted). */
  trim(): void {
    for (const list of this.free.values()) {
      for (const buffer of list) {
        this.bytesPooled -= buffer.size;
        this.buffersAllocated--;
        buffer.destroy();
      }
    }
    this.free.clear();
  }

  stats(): PoolStats {
    return {
      bytesInUse: this.bytesInUse,
      bytesPooled: this.bytesPooled,
      buffersAllocated: this.buffersAllocated,
    };
  }
}
