/**
 * Filling the holes of an image of any size region by region (regions.ts plans them).
 *
 * Each region is cut out with its mask and run through `inpaint` (inpaint-image.ts) at its
 * working size: at its own pixels when it is small enough, else shrunk by area averaging, with
 * a working pixel a hole wherever any pixel it covers is one (so no hole pixel's old content
 * leaks into the input), and the fill enlarged back bilinearly. Only the hole pixels are
 * written back; every other pixel of the output is the input's byte. A region that is the
 * whole image at its own size is exactly the whole-image computation.
 */
import type { RgbImage } from "../io/rgb-image.js";
import { crop } from "../io/picture.js";
import { downscaleArea } from "../io/resize.js";
import type { Generator } from "../models/generator.js";
import { checkMask, flowImage, inpaint, type HoleMask } from "./inpaint-image.js";
import { planRegions, type Box, type Region } from "./regions.js";

export interface RegionOptions {
  /** Longest side a region is run at (the model's training size is the natural choice). */
  workSize: number;
  /** Region side over the holes' longer side (default 2: a hole takes at most about half). */
  context?: number;
  /** Also draw the attention flow of every region, white elsewhere. */
  flow?: boolean;
  /** Called before each region runs (progress reports). */
  onRegion?: (region: Region, index: number, count: number) => void;
}

export interface RegionsResult {
  image: RgbImage;
  /** The image with the coarse network's fill in the holes, pasted back as `image` is. */
  coarse: RgbImage;
  regions: Region[];
  flow?: RgbImage;
}

/** Fills the holes of `image` marked by `mask`, one planned region at a time. */
export async function inpaintRegions(generator: Generator, image: RgbImage, mask: HoleMask, options: RegionOptions): Promise<RegionsResult> {
  checkMask(image, mask);
  const regions = planRegions(mask, options.workSize, options.context);
  const out = new Uint8Array(image.data);
  const coarse = new Uint8Array(image.data);
  const flow = options.flow ? { width: image.width, height: image.height, data: new Uint8Array(image.data.length).fill(255) } : undefined;
  for (const [index, region] of regions.entries()) {
    options.onRegion?.(region, index, regions.length);
    const { box, work } = region;
    const native = work.width === box.width && work.height === box.height;
    const boxImage = crop(image, box.left, box.top, box.width, box.height);
    const boxMask = cropMask(mask, box);
    const result = native
      ? await inpaint(generator, boxImage, boxMask)
      : await inpaint(generator, downscaleArea(boxImage, work.height, work.width), shrinkMask(boxMask, work.width, work.height));
    for (const [filled, target] of [[result.image, out], [result.coarse, coarse]] as const) {
      for (let y = 0; y < box.height; y++) {
        for (let x = 0; x < box.width; x++) {
          if (boxMask.data[y * box.width + x] === 0) continue;
          const at = 3 * ((box.top + y) * image.width + box.left + x);
          if (native) target.set(filled.data.subarray(3 * (y * box.width + x), 3 * (y * box.width + x) + 3), at);
          else sampleBilinear(filled, (x + 0.5) * (work.width / box.width) - 0.5, (y + 0.5) * (work.height / box.height) - 0.5, target, at);
        }
      }
    }
    if (flow) pasteNearest(flowImage(result), flow, box);
  }
  const { width, height } = image;
  return { image: { width, height, data: out }, coarse: { width, height, data: coarse }, regions, flow };
}

/** The part of `mask` inside `box`. */
export function cropMask(mask: HoleMask, box: Box): HoleMask {
  const data = new Uint8Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (box.top + y) * mask.width + box.left;
    data.set(mask.data.subarray(from, from + box.width), y * box.width);
  }
  return { width: box.width, height: box.height, data };
}

/** `mask` shrunk to width x height: a pixel is a hole where any pixel it covers is one. */
export function shrinkMask(mask: HoleMask, width: number, height: number): HoleMask {
  const data = new Uint8Array(width * height);
  const span = (o: number, out: number, size: number): [number, number] => [Math.floor((o * size) / out), Math.ceil(((o + 1) * size) / out)];
  for (let oy = 0; oy < height; oy++) {
    const [y0, y1] = span(oy, height, mask.height);
    for (let ox = 0; ox < width; ox++) {
      const [x0, x1] = span(ox, width, mask.width);
      let hole = 0;
      for (let y = y0; y < y1 && !hole; y++) for (let x = x0; x < x1 && !hole; x++) hole = mask.data[y * mask.width + x]!;
      data[oy * width + ox] = hole;
    }
  }
  return { width, height, data };
}

/** Writes the bilinear sample of `image` at (x, y) (pixel centres at integers, edges clamped) to out[at..at+2]. */
function sampleBilinear(image: RgbImage, x: number, y: number, out: Uint8Array, at: number): void {
  const cx = Math.min(image.width - 1, Math.max(0, x));
  const cy = Math.min(image.height - 1, Math.max(0, y));
  const [x0, y0] = [Math.floor(cx), Math.floor(cy)];
  const [x1, y1] = [Math.min(image.width - 1, x0 + 1), Math.min(image.height - 1, y0 + 1)];
  const [fx, fy] = [cx - x0, cy - y0];
  const d = image.data;
  for (let c = 0; c < 3; c++) {
    const top = d[3 * (y0 * image.width + x0) + c]! * (1 - fx) + d[3 * (y0 * image.width + x1) + c]! * fx;
    const bottom = d[3 * (y1 * image.width + x0) + c]! * (1 - fx) + d[3 * (y1 * image.width + x1) + c]! * fx;
    out[at + c] = Math.round(top * (1 - fy) + bottom * fy);
  }
}

/** Draws `picture` enlarged (nearest) over `box` of `target`. */
function pasteNearest(picture: RgbImage, target: RgbImage, box: Box): void {
  for (let y = 0; y < box.height; y++) {
    const sy = Math.floor((y * picture.height) / box.height);
    for (let x = 0; x < box.width; x++) {
      const from = 3 * (sy * picture.width + Math.floor((x * picture.width) / box.width));
      target.data.set(picture.data.subarray(from, from + 3), 3 * ((box.top + y) * target.width + box.left + x));
    }
  }
}
