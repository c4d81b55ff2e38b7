/**
 * How many foreground rows of the downscaled map one chunk of contextual attention scores.
 * The scores of a chunk are a [B, rows * W, L] tensor (plus the halo rows fuse propagation
 * needs); the layer holds a few such tensors at once, so a chunk must fit a single storage
 * binding of the adapter (a hard limit) and, all copies together, a memory budget (a soft
 * one: a single row is used even where it exceeds the budget, e.g. 512^2 at batch 16).
 */
import type { Device } from "../../tensor/device.js";
import { largestBinding } from "../../tensor/limits.js";

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
export function chunkRows(device: Pick<Device, "limits">, g: ChunkGeometry, chunkSize: number | "auto"): number {
  if (chunkSize !== "auto") {
    if (!(Number.isInteger(chunkSize) && chunkSize >= 1)) {
      throw new Error(`contextualAttention: chunkSize must be "auto" or a positive integer (foreground positions), got ${chunkSize}`);
    }
    return Math.min(g.height, Math.max(1, Math.floor(chunkSize / g.width)));
  }
  const limits = device.limits;
  const binding = largestBinding(limits);
  const bytesPerRow = g.batch * g.width * g.patches * 4;
  // The adapter's limit is hard: one tensor of scores (with its halo rows) must fit a binding.
  const fitting = Math.floor(binding / bytesPerRow) - 2 * g.halo;
  if (fitting < 1) {
    throw new Error(
      `contextualAttention: the scores of one foreground row and its halo (${(bytesPerRow * (1 + 2 * g.halo) / 2 ** 20).toFixed(1)} MiB for a batch of ${g.batch}) ` +
        `exceed the adapter's ${(binding / 2 ** 20).toFixed(0)} MiB storage binding; run fewer images at once or at a lower resolution`,
    );
  }
  // The budget is soft: a single row is taken even where it exceeds it.
  const budgeted = Math.max(1, Math.floor(SCORE_MEMORY_BUDGET / SCORE_COPIES / bytesPerRow) - 2 * g.halo);
  const rows = Math.min(fitting, budgeted);
  return Math.min(g.height, rows);
}
