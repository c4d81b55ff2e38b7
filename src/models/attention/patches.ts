/**
 * Patch extraction (im2col) and its adjoint, overlap-add (col2im), for contextual attention:
 * the engine's unfold and fold with the window grid flattened into one axis of columns.
 * Both are differentiable (each is the other's vjp).
 *
 * Patch vectors are ordered (channel, tap): entry c * k * k + ky * k + kx.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { fold, reshape, unfold } from "../../autograd/ops/index.js";

export type Padding = readonly [number, number, number, number];

/**
 * The k x k patches of x [B, C, H, W] at `stride` with zero `padding` [top, bottom, left,
 * right], as columns: [B, C * k * k, Ho * Wo], column p being output position p (row-major).
 */
export function extractPatches(x: Tensor, k: number, stride: number, padding: Padding): Tensor {
  const cols = unfold(x, k, { stride, padding });
  const [b, depth, ho, wo] = cols.shape as [number, number, number, number];
  return reshape(cols, [b, depth, ho * wo]);
}

/**
 * The adjoint of extractPatches: columns [B, C * k * k, Ho * Wo] summed back onto an image
 * of `shape` [B, C, H, W], each patch added where it was taken from.
 */
export function overlapAdd(cols: Tensor, shape: readonly [number, number, number, number], k: number, stride: number,
  padding: Padding, grid: readonly [number, number]): Tensor {
  const [b, c, h, w] = shape;
  return fold(reshape(cols, [b, c * k * k, grid[0], grid[1]]), [h, w], k, { stride, padding });
}
