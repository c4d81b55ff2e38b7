/**
 * Patches of NCHW images as columns (unfold, im2col) and their adjoint (fold, col2im).
 *
 * unfold takes every k x k window of each channel at `stride`, with zero padding
 * [top, bottom, left, right], and lays the windows out as x [N, C, H, W] -> cols
 * [N, C * k * k, Ho, Wo], Ho = floor((H + top + bottom - k) / stride) + 1 (Wo alike):
 *   cols[n, c * k * k + ky * k + kx, j, i] = x[n, c, j * stride + ky - top, i * stride + kx - left],
 * 0 outside the image. Channels are ordered (channel, tap), as PyTorch's unfold orders them.
 * fold sums columns back onto an image of a given size, each window where it was taken from.
 *
 * Both are gathers with their own kernels (kernels/unfold.wgsl, kernels/fold.wgsl), not
 * convolutions with one-hot filters: they move memory and multiply nothing. Each is linear
 * and the other's transpose, so each one's vjp is the other and the pair is closed under
 * differentiation.
 */
import { defineKernel, type KernelSpec } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import { formatShape, sizeOf } from "../../tensor/shape.js";
import { record } from "../graph.js";
import { expectRank, launchLinear } from "./common.js";

const PARAMS = {
  planes: "u32", image_h: "u32", image_w: "u32", grid_h: "u32", grid_w: "u32", k: "u32", stride: "u32", pad_top: "u32", pad_left: "u32",
} as const;
const UNFOLD = defineKernel({ name: "unfold", inputs: ["x"], outputs: ["cols"], params: PARAMS });
const FOLD = defineKernel({ name: "fold", inputs: ["cols"], outputs: ["image"], params: PARAMS });

/** Elements per invocation along a row of either kernel (see their headers). */
const RUN = 16;

export interface PatchOptions {
  /** Step between windows, on both axes. Default 1. */
  stride?: number;
  /** Zero padding [top, bottom, left, right]. Default none. */
  padding?: readonly [number, number, number, number];
}

interface PatchGeometry {
  k: number;
  stride: number;
  padding: readonly [number, number, number, number];
  /** Windows per axis: [Ho, Wo]. */
  grid: [number, number];
}

function geometry(op: string, [h, w]: readonly number[], k: number, options: PatchOptions): PatchGeometry {
  const stride = options.stride ?? 1;
  const padding = options.padding ?? [0, 0, 0, 0];
  const whole = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!whole(k, 1) || !whole(stride, 1)) throw new Error(`${op}: the window size and stride must be positive integers, got k ${k}, stride ${stride}`);
  if (padding.length !== 4 || !padding.every((p) => whole(p, 0))) {
    throw new Error(`${op}: padding must be [top, bottom, left, right] with non-negative integers, got [${padding.join(", ")}]`);
  }
  const [top, bottom, left, right] = padding;
  const paddedH = h! + top + bottom;
  const paddedW = w! + left + right;
  if (paddedH < k || paddedW < k) throw new Error(`${op}: a ${k}x${k} window does not fit the padded image ${paddedH}x${paddedW}`);
  return { k, stride, padding, grid: [Math.floor((paddedH - k) / stride) + 1, Math.floor((paddedW - k) / stride) + 1] };
}

function launch(op: string, spec: KernelSpec<typeof PARAMS>, src: Tensor, outShape: number[], planes: number, [h, w]: readonly number[],
  g: PatchGeometry): Tensor {
  const params = {
    planes, image_h: h!, image_w: w!, grid_h: g.grid[0], grid_w: g.grid[1], k: g.k, stride: g.stride, pad_top: g.padding[0], pad_left: g.padding[2],
  };
  // Each invocation writes a run along one row of the output: its last axis.
  const rowLength = outShape[outShape.length - 1]!;
  const runs = (sizeOf(outShape) / rowLength) * Math.ceil(rowLength / RUN);
  return launchLinear(op, spec, [src], outShape, params, { invocations: runs, overrides: { RUN } });
}

/** The k x k windows of x [N, C, H, W] as columns [N, C * k * k, Ho, Wo] (see the file's comment). */
export function unfold(x: Tensor, k: number, options: PatchOptions = {}): Tensor {
  const op = "unfold";
  expectRank(op, x, 4, "input (NCHW)");
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const g = geometry(op, [h, w], k, options);
  const cols = launch(op, UNFOLD, x, [n, c * k * k, ...g.grid], n * c, [h, w], g);
  return record(op, cols, [x], (gCols) => [fold(gCols, [h, w], k, options)]);
}

/**
 * The adjoint of unfold: columns [N, C * k * k, Ho, Wo] summed back onto an image
 * [N, C, H, W] of `size` [H, W], each window added where unfold took it from. Ho and Wo must
 * be the window counts of that size, k, stride and padding.
 */
export function fold(cols: Tensor, size: readonly [number, number], k: number, options: PatchOptions = {}): Tensor {
  const op = "fold";
  expectRank(op, cols, 4, "columns [N, C * k * k, Ho, Wo]");
  const [n, depth, gh, gw] = cols.shape as [number, number, number, number];
  if (!size.every((d) => Number.isInteger(d) && d >= 1)) throw new Error(`${op}: the image size must be positive integers, got [${size.join(", ")}]`);
  const g = geometry(op, size, k, options);
  if (depth % (k * k) !== 0 || gh !== g.grid[0] || gw !== g.grid[1]) {
    throw new Error(`${op}: columns ${formatShape(cols.shape)} do not match ${k}x${k} windows of a ${size[0]}x${size[1]} image, `
      + `which make [N, C * ${k * k}, ${g.grid[0]}, ${g.grid[1]}]`);
  }
  const c = depth / (k * k);
  const image = launch(op, FOLD, cols, [n, c, size[0], size[1]], n * c, size, g);
  return record(op, image, [cols], (gImage) => [unfold(gImage, k, options)]);
}
