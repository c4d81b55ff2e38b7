/**
 * Patch extraction (im2col) and its adjoint, overlap-add (col2im), as convolutions with
 * one-hot filters: filter t of [k*k, 1, k, k] is 1 at tap t and 0 elsewhere, so convolving
 * every channel as its own one-channel image copies each k x k patch into k*k output
 * channels. Being conv2d and conv2dBackwardInput, both are differentiable (each is the
 * other's vjp) and run on the engine's convolution kernels.
 *
 * Patch vectors are ordered (channel, tap): entry c * k * k + ky * k + kx.
 */
import type { Tensor } from "../../tensor/tensor.js";
import { conv2d, conv2dBackwardInput, reshape } from "../../autograd/ops/index.js";

export type Padding = readonly [number, number, number, number];

/** The k*k one-hot filters [k*k, 1, k, k]. */
function tapFilters(x: Tensor, k: number): Tensor {
  const taps = k * k;
  const data = new Float32Array(taps * taps);
  for (let t = 0; t < taps; t++) data[t * taps + t] = 1;
  return x.device.tensor(data, [taps, 1, k, k]);
}

/**
 * The k x k patches of x [B, C, H, W] at `stride` with zero `padding` [top, bottom, left,
 * right], as columns: [B, C * k * k, Ho * Wo], column p being output position p (row-major).
 */
export function extractPatches(x: Tensor, k: number, stride: number, padding: Padding): Tensor {
  const [b, c, h, w] = x.shape as [number, number, number, number];
  const cols = conv2d(reshape(x, [b * c, 1, h, w]), tapFilters(x, k), { stride, padding });
  return reshape(cols, [b, c * k * k, cols.shape[2]! * cols.shape[3]!]);
}

/**
 * The adjoint of extractPatches: columns [B, C * k * k, Ho * Wo] summed back onto an image
 * of `shape` [B, C, H, W], each patch added where it was taken from.
 */
export function overlapAdd(cols: Tensor, shape: readonly [number, number, number, number], k: number, stride: number,
  padding: Padding, grid: readonly [number, number]): Tensor {
  const [b, c, h, w] = shape;
  const image = conv2dBackwardInput(reshape(cols, [b * c, k * k, grid[0], grid[1]]), tapFilters(cols, k), [b * c, 1, h, w], { stride, padding });
  return reshape(image, [b, c, h, w]);
}
