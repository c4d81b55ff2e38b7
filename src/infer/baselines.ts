/**
 * Two fills that need no training, so an evaluation number means something next to them.
 *
 * - meanFill: every hole pixel gets the mean of the image's known pixels, per channel.
 * - laplaceFill ("diffusion"): the hole is the solution of Laplace's equation with the known
 *   pixels as Dirichlet boundary values: each hole pixel is the average of its 4 neighbours.
 *   At the image border only the neighbours inside the image count (a zero normal derivative,
 *   so a hole touching the border is still well posed). Solved per channel by successive
 *   over-relaxation (Gauss-Seidel with omega = 2 / (1 + sin(pi / (n + 1))), n the hole's
 *   larger bounding-box side, the optimal omega for the model problem) started from the mean
 *   fill, until no pixel moves by more than `tolerance` in a sweep. The discrete harmonic
 *   function is unique, so the result does not depend on the start or omega; a linear ramp
 *   around an interior hole is reproduced exactly.
 * Both return 8-bit images with the known pixels untouched.
 */
import type { RgbImage } from "../io/rgb-image.js";
import type { HoleMask } from "./inpaint-image.js";

/** Per channel mean of the known pixels, rounded; throws when there is none. */
function knownMeans(image: RgbImage, mask: HoleMask): [number, number, number] {
  const sums = [0, 0, 0];
  let known = 0;
  for (let p = 0; p < image.width * image.height; p++) {
    if (mask.data[p] !== 0) continue;
    known++;
    for (let c = 0; c < 3; c++) sums[c]! += image.data[3 * p + c]!;
  }
  if (known === 0) throw new Error("the mask is all hole, so there are no known pixels to fill from");
  return sums.map((s) => s / known) as [number, number, number];
}

/** The hole filled with the known pixels' mean colour. */
export function meanFill(image: RgbImage, mask: HoleMask): RgbImage {
  const means = knownMeans(image, mask).map(Math.round);
  const data = new Uint8Array(image.data);
  for (let p = 0; p < image.width * image.height; p++) {
    if (mask.data[p] !== 0) data.set(means, 3 * p);
  }
  return { width: image.width, height: image.height, data };
}

export interface LaplaceOptions {
  /** Stop when a sweep changes no pixel by more than this (in 0..255 units). Default 1e-4. */
  tolerance?: number;
  /** Give up (throw) after this many sweeps. Default 100000. */
  maxSweeps?: number;
}

/**
 * Solves Laplace's equation in the holes of one channel `values` (H x W, row-major, modified in
 * place; hole entries are the start). Returns the number of sweeps.
 */
export function solveLaplace(values: Float64Array, mask: HoleMask, options: LaplaceOptions = {}): number {
  const { width, height } = mask;
  const tolerance = options.tolerance ?? 1e-4;
  const maxSweeps = options.maxSweeps ?? 100000;
  const holes: number[] = [];
  let [top, bottom, left, right] = [height, -1, width, -1];
  for (let p = 0; p < width * height; p++) {
    if (mask.data[p] === 0) continue;
    holes.push(p);
    const [y, x] = [Math.floor(p / width), p % width];
    [top, bottom, left, right] = [Math.min(top, y), Math.max(bottom, y), Math.min(left, x), Math.max(right, x)];
  }
  if (holes.length === 0) return 0;
  const n = Math.max(bottom - top + 1, right - left + 1);
  const omega = 2 / (1 + Math.sin(Math.PI / (n + 1)));
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let largest = 0;
    for (const p of holes) {
      const x = p % width;
      let sum = 0;
      let count = 0;
      if (x > 0) (sum += values[p - 1]!), count++;
      if (x + 1 < width) (sum += values[p + 1]!), count++;
      if (p >= width) (sum += values[p - width]!), count++;
      if (p + width < width * height) (sum += values[p + width]!), count++;
      const change = omega * (sum / count - values[p]!);
      values[p]! += change;
      largest = Math.max(largest, Math.abs(change));
    }
    if (largest <= tolerance) return sweep;
  }
  throw new Error(`laplaceFill: no convergence to ${tolerance} within ${maxSweeps} sweeps; raise maxSweeps or the tolerance`);
}

/** The hole filled by diffusion from its border (per channel), rounded to 8 bits; also the sweeps taken. */
export function laplaceFill(image: RgbImage, mask: HoleMask, options: LaplaceOptions = {}): { image: RgbImage; sweeps: number } {
  const { width, height } = image;
  const means = knownMeans(image, mask);
  const data = new Uint8Array(image.data);
  let sweeps = 0;
  for (let c = 0; c < 3; c++) {
    const values = Float64Array.from({ length: width * height }, (_, p) => (mask.data[p] === 0 ? image.data[3 * p + c]! : means[c]));
    sweeps = Math.max(sweeps, solveLaplace(values, mask, options));
    for (let p = 0; p < width * height; p++) {
      if (mask.data[p] !== 0) data[3 * p + c] = Math.min(255, Math.max(0, Math.round(values[p]!)));
    }
  }
  return { image: { width, height, data }, sweeps };
}
