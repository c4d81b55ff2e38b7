/**
 * The paper's Table 1 metrics (docs/model.md#evaluation): mean l1, mean l2, PSNR and TV loss. The paper does not
 * define them precisely; these are our definitions, stated so numbers can be reproduced. All are
 * computed on 8-bit images read as [0, 1] (value / 255), per image, then averaged over images.
 *
 * With N the number of hole pixels, x the ground truth and y the completed image (known pixels
 * equal to x, so errors come from the hole only), over the 3 channels:
 * - l1   = sum_hole |y - x| / (3 N): the mean absolute error inside the hole;
 * - l2   = sum_hole (y - x)^2 / (3 N): the mean squared error inside the hole;
 * - PSNR = 10 log10(1 / l2) in dB, from the same hole MSE (a perfect fill, l2 = 0, is capped at
 *   100 dB by flooring l2 at 1e-10), averaged over images in dB;
 * - TV   = the mean absolute difference between horizontal neighbours plus the mean absolute
 *   difference between vertical neighbours, over the whole completed image y (all channels):
 *   how much the image varies from pixel to pixel; blurry fills lower it, texture raises it.
 *   Also reported for the ground truth, as the value to compare with.
 * Hole-only l1/l2/PSNR keep numbers comparable across hole sizes: over the whole image they
 * would shrink with the hole's share of the image. The paper's numbers are not directly
 * comparable: its first author wrote (JiahuiYu/generative_inpainting issue #146) that they are
 * a "relative L1 error" and a "squared relative L2 error", with the formula only in a picture,
 * and advised recomputing every method with one's own formulas. That is what eval.js does: all
 * methods in one table, under one definition. The paper's 25% TV also suggests another
 * normalisation; compare TV within a table, against the ground truth's row.
 */
import type { RgbImage } from "../io/rgb-image.js";
import type { HoleMask } from "./inpaint-image.js";

export interface Metrics {
  l1: number;
  l2: number;
  /** dB */
  psnr: number;
  tv: number;
}

/** The floor of the MSE in PSNR, so a perfect fill reads 100 dB instead of infinity. */
const MIN_MSE = 1e-10;

/** l1, l2 and PSNR over the hole, TV over the whole completed image. */
export function imageMetrics(truth: RgbImage, completed: RgbImage, mask: HoleMask): Metrics {
  const { width, height } = truth;
  if (completed.width !== width || completed.height !== height || mask.width !== width || mask.height !== height) {
    throw new Error(`imageMetrics: the ground truth ${width}x${height}, completed image ${completed.width}x${completed.height} and mask ${mask.width}x${mask.height} must have one size`);
  }
  let abs = 0;
  let sq = 0;
  let holes = 0;
  for (let p = 0; p < width * height; p++) {
    if (mask.data[p] === 0) continue;
    holes++;
    for (let c = 0; c < 3; c++) {
      const d = (completed.data[3 * p + c]! - truth.data[3 * p + c]!) / 255;
      abs += Math.abs(d);
      sq += d * d;
    }
  }
  if (holes === 0) throw new Error("imageMetrics: the mask has no hole, so there is nothing to measure");
  const l2 = sq / (3 * holes);
  return { l1: abs / (3 * holes), l2, psnr: 10 * Math.log10(1 / Math.max(l2, MIN_MSE)), tv: totalVariation(completed) };
}

/** Mean |horizontal neighbour difference| + mean |vertical neighbour difference|, on [0, 1], all channels. */
export function totalVariation(image: RgbImage): number {
  const { width, height, data } = image;
  let horizontal = 0;
  let vertical = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = data[3 * (y * width + x) + c]!;
        if (x + 1 < width) horizontal += Math.abs(data[3 * (y * width + x + 1) + c]! - v);
        if (y + 1 < height) vertical += Math.abs(data[3 * ((y + 1) * width + x) + c]! - v);
      }
    }
  }
  const h = width > 1 ? horizontal / (3 * (width - 1) * height) : 0;
  const v = height > 1 ? vertical / (3 * width * (height - 1)) : 0;
  return (h + v) / 255;
}

/** The mean of each metric over images. */
export function meanMetrics(list: readonly Metrics[]): Metrics {
  if (list.length === 0) throw new Error("meanMetrics: no images were measured");
  const mean = (key: keyof Metrics) => list.reduce((a, m) => a + m[key], 0) / list.length;
  return { l1: mean("l1"), l2: mean("l2"), psnr: mean("psnr"), tv: mean("tv") };
}
