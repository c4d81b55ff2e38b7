/**
 * How many foreground rows of the downscaled map one chunk of contextual attention scores.
 * The scores of a chunk are a [B, rows * W, L] tensor (plus the halo rows fuse propagation
 * needs); the layer holds a few such tensors at once, so a chunk must fit a single storage
 * binding of the adapter and, all copies together, a memory budget.
 */
import type { Device } from "../../tensor/device.js";

/** Bytes all score-sized temporaries of one chunk may take together. */
export const SCORE_MEMORY_BUDGET = 512 * 2 ** 20;
/**
 * Score-sized buffers one chunk may hold, counted generously: the raw scores with their halo
 * rows, the fused scores and the attention, each rounded up to the pool's size classes, plus
 * the buffers released within the chunk that become reusable only after the next submit.
 */
const SCORE_COPIES = 12;

export interface ChunkGeometry {
  batch: number;
  /** Rows and columns of the downscaled foreground map. */
  height: number;
  width: number;
  /** Background patches per image. */
  patches: number;
  /** Extra rows of scores each side of a chunk (fuse propagation's radius). */
  halo: number;
}

/** Rows per chunk for `chunkSize` ("auto", or foreground positions rounded down to whole rows, at least one). */
export function chunkRows(device: Device, g: ChunkGeometry, chunkSize: number | "auto"): number {
  if (chunkSize !== "auto") {
    if (!(Number.isInteger(chunkSize) && chunkSize >= 1)) {
      throw new Error(`contextualAttention: chunkSize must be "auto" or a positive integer (foreground positions), got ${chunkSize}`);
    }
    return Math.min(g.height, Math.max(1, Math.floor(chunkSize / g.width)));
  }
  const limits = device.limits;
  const perTensor = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize, SCORE_MEMORY_BUDGET / SCORE_COPIES);
  const bytesPerRow = g.batch * g.width * g.patches * 4;
  const rows = Math.floor(perTensor / bytesPerRow) - 2 * g.halo;
  if (rows < 1) {
    throw new Error(
      `contextualAttention: the scores of one foreground row (${(bytesPerRow * (1 + 2 * g.halo) / 2 ** 20).toFixed(1)} MiB for a batch of ${g.batch}) ` +
        `exceed the ${(perTensor / 2 ** 20).toFixed(0)} MiB a chunk may use; run fewer images at once or at a lower resolution`,
    );
  }
  return Math.min(g.height, rows);
}
