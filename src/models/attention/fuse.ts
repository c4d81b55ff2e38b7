/**
 * Fuse propagation of attention scores: with S(y, x, y', x') the score of foreground
 * position (y, x) against background patch (y', x'),
 *   S'(y, x, y', x') = sum over dy, dx in [-r, r] of S(y + dy, x + dx, y' + dy, x' + dx),
 * with S = 0 outside the maps (r = (fuseK - 1) / 2). A match is rewarded when its
 * neighbours match with the same displacement, which favours coherent copies.
 *
 * The official code gets this by correlating the flattened [Hf*Wf, Hb*Wb] score matrix with
 * an identity kernel twice (once row-major, once after transposing to column-major). The
 * two agree wherever every index is at least r from a border; at the borders the flattened
 * view wraps around, so the official sum takes terms from the far end of the neighbouring
 * row (or column) where this one takes zeros. Ours is the exact 2-D sum the paper means.
 *
 * The sum is separable: first along x (both x and x' move together), then along y.
 *
 * Memory: every temporary here is score-sized, and none of their values is read by a vjp
 * (pad, slice and add differentiate without their inputs), so each is released as soon as
 * it is used, with or without a graph, and the device is flushed after each pass so the next
 * one can reuse the released buffers (the pool recycles a buffer only after its batch is
 * submitted).
 */
import type { Tensor } from "../../tensor/tensor.js";
import { add, pad, slice } from "../../autograd/ops/index.js";

/**
 * Sum of `count` slices of `source` of `shape`, shifted together by 0..count-1 along axes
 * axisA and axisB. Releases `source`.
 */
function diagonalSum(source: Tensor, axisA: number, axisB: number, shape: readonly number[], count: number): Tensor {
  let total: Tensor | null = null;
  for (let d = 0; d < count; d++) {
    const begin = shape.map((_, i) => (i === axisA || i === axisB ? d : 0));
    const piece = slice(source, begin, begin.map((s, i) => s + shape[i]!));
    if (!total) {
      total = piece;
      continue;
    }
    const next = add(total, piece);
    total.dispose();
    piece.dispose();
    total = next;
  }
  source.dispose();
  source.device.flush();
  return total!;
}

/**
 * s [B, R + 2r, Wf, Hb, Wb]: the scores of R foreground rows plus r rows of halo on each
 * side (zeros where the halo lies outside the map). Returns the fused scores of the R rows,
 * [B, R, Wf, Hb, Wb]. `s` itself is left to the caller.
 */
export function fusePropagation(s: Tensor, fuseK: number): Tensor {
  const r = (fuseK - 1) / 2;
  const [b, rows, wf, hb, wb] = s.shape as [number, number, number, number, number];
  const alongX = diagonalSum(pad(s, [[0, 0], [0, 0], [r, r], [0, 0], [r, r]]), 2, 4, [b, rows, wf, hb, wb], fuseK);
  const paddedY = pad(alongX, [[0, 0], [0, 0], [0, 0], [r, r], [0, 0]]);
  alongX.dispose();
  return diagonalSum(paddedY, 1, 3, [b, rows - 2 * r, wf, hb, wb], fuseK);
}
