/**
 * Filling the holes of one image of any size with a trained generator.
 *
 * - Masks: a mask file is read as RGB; a pixel is a hole where its grey level (the mean of
 *   R, G and B) is above 127.5, so white marks holes and black keeps pixels (the official
 *   test.py's rule, on the grey level instead of channel 0 so coloured marks behave). Any
 *   shape, any number of holes.
 * - Size: the generator needs sides that are multiples of 8 (two stride-2 layers, then the
 *   attention layer's rate 2). Instead of cropping (the official test script's way, which loses up to 7 rows and
 *   columns), the image is mirror-padded at the bottom and right up to the next multiple and
 *   the result cropped back. The mask is mirrored with it, so a hole on the edge stays a hole
 *   in the padding and the pixels it hides never reach the network.
 * - Output: known pixels are the input's own 8-bit values, copied, not passed through floats;
 *   hole pixels are the refined output mapped to 0..255 and rounded (and the same is given
 *   for the coarse output, which a page shows beside the result).
 * - Memory: no gradients are recorded and contextual attention works in chunks (the
 *   generator's chunkSize option), so large images fit.
 */
import { noGrad } from "../autograd/graph.js";
import type { RgbImage } from "../io/rgb-image.js";
import { flowColors } from "../io/flow.js";
import type { Generator } from "../models/generator.js";
import { crop, upscale } from "../io/picture.js";
import { tidy } from "../tensor/scope.js";

/** Holes of an image: data[y * width + x] = 1 in a hole, 0 on a known pixel. */
export interface HoleMask {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface InpaintResult {
  /** The completed image, the input's size. */
  image: RgbImage;
  /** The same with the coarse network's output in the holes (the refinement's input, to show it). */
  coarse: RgbImage;
  /** Attention offsets [1, 2, H/8, W/8] of the padded image (for the flow picture). */
  offsets: Float32Array;
  offsetShape: [number, number, number, number];
}

/** The generator's size multiple: two stride-2 layers, then attention at rate 2. */
export const SIZE_MULTIPLE = 8;

/** Holes where the mean of R, G and B exceeds 127.5. */
export function maskFromRgb(rgb: RgbImage): HoleMask {
  const pixels = rgb.width * rgb.height;
  const data = new Uint8Array(pixels);
  for (let p = 0; p < pixels; p++) data[p] = rgb.data[3 * p]! + rgb.data[3 * p + 1]! + rgb.data[3 * p + 2]! > 382.5 ? 1 : 0;
  return { width: rgb.width, height: rgb.height, data };
}

/** Throws one line when `mask` cannot be used with `image`: another size, no hole, or no known pixel. */
export function checkMask(image: RgbImage, mask: HoleMask, names = { image: "the image", mask: "the mask" }): void {
  if (image.width !== mask.width || image.height !== mask.height) {
    throw new Error(`${names.mask} is ${mask.width}x${mask.height} but ${names.image} is ${image.width}x${image.height}; the mask must have the image's size (white = hole)`);
  }
  const holes = mask.data.reduce((a, v) => a + v, 0);
  if (holes === 0) throw new Error(`${names.mask} has no hole (no pixel brighter than mid-grey); paint the holes white on black`);
  if (holes === mask.data.length) throw new Error(`${names.mask} is all hole, so nothing is known to fill from; leave some pixels black`);
}

/** The index a mirror (reflect, edge not repeated) padding reads for position i of a side of n pixels. */
export function mirrorIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const r = ((i % period) + period) % period;
  return r < n ? r : period - r;
}

/** The next multiple of 8 at or above n. */
export function paddedSide(n: number): number {
  return Math.ceil(n / SIZE_MULTIPLE) * SIZE_MULTIPLE;
}

/** Fills the holes of `image` (8-bit RGB) marked by `mask` with `generator`. */
export async function inpaint(generator: Generator, image: RgbImage, mask: HoleMask): Promise<InpaintResult> {
  checkMask(image, mask);
  const { width, height } = image;
  const [H, W] = [paddedSide(height), paddedSide(width)];
  const plane = H * W;
  const x = new Float32Array(3 * plane);
  const m = new Float32Array(plane);
  for (let y = 0; y < H; y++) {
    const sy = mirrorIndex(y, height);
    for (let xx = 0; xx < W; xx++) {
      const source = sy * width + mirrorIndex(xx, width);
      const p = y * W + xx;
      m[p] = mask.data[source]!;
      for (let c = 0; c < 3; c++) x[c * plane + p] = image.data[3 * source + c]! / 127.5 - 1;
    }
  }
  const device = generator.store.device;
  const outputs = tidy(() => noGrad(() => generator.forward(device.tensor(x, [1, 3, H, W]), device.tensor(m, [1, 1, H, W]))));
  let coarse: Float32Array, refined: Float32Array, offsets: Float32Array;
  try {
    [coarse, refined, offsets] = await Promise.all([outputs.coarse.read(), outputs.refined.read(), outputs.offsets.read()]);
  } finally {
    for (const t of [outputs.coarse, outputs.refined, outputs.offsets]) t.dispose();
  }
  // Known pixels stay the input's bytes; hole pixels are the network's output in 0..255.
  const holesFrom = (filled: Float32Array): RgbImage => {
    const out = new Uint8Array(image.data);
    for (let y = 0; y < height; y++) {
      for (let xx = 0; xx < width; xx++) {
        const p = y * width + xx;
        if (mask.data[p] === 0) continue;
        for (let c = 0; c < 3; c++) {
          const v = Math.round((filled[c * plane + y * W + xx]! + 1) * 127.5);
          out[3 * p + c] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
    return { width, height, data: out };
  };
  return { image: holesFrom(refined), coarse: holesFrom(coarse), offsets, offsetShape: [1, 2, H / SIZE_MULTIPLE, W / SIZE_MULTIPLE] };
}

/** The attention flow of a result as an image of the input's size (each offset cell covers 8 x 8 pixels). */
export function flowImage(result: Pick<InpaintResult, "image" | "offsets" | "offsetShape">): RgbImage {
  const [small] = flowColors(result.offsets, result.offsetShape);
  return crop(upscale(small!, SIZE_MULTIPLE), 0, 0, result.image.width, result.image.height);
}
