/**
 * The training data set: images decoded once into memory at the training scale, from which
 * seeded random crops and horizontal flips make batches. Built from decoded images on any
 * platform (ImageDataset.fromImages); in Node, image-folder.ts lists and decodes a folder.
 *
 * - Scale ("scale", the default): each image is shrunk by area averaging so that its shorter
 *   side fits the crop (a 256x256 face becomes the whole 64x64 crop of the small preset), then
 *   cropped at random along the longer side. "crop" keeps native resolution and takes random
 *   crops, as the official loader does at 256.
 * - Images smaller than the crop are an error naming the image and the fix. The official loader
 *   upscales them instead; upscaled pixels teach the network blur, so we ask rather than guess.
 * - Cached as 8-bit RGB (a quarter of float32's memory: 263 faces at 256x256 take 52 MB).
 * - Sampling is uniform with replacement: each batch item draws an image index, a crop offset
 *   and a flip (p = 0.5) from the RNG, so the RNG's state alone is enough to resume exactly.
 *   The official code does no flips; pass flip: false to match it. The images' order is the
 *   caller's (a folder is sorted by path), and with it every seeded batch.
 */
import { downscaleArea } from "../io/resize.js";
import type { RgbImage } from "../io/rgb-image.js";
import type { Device } from "../tensor/device.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Rng } from "./rng.js";

export type ScaleMode = "scale" | "crop";

export interface DatasetOptions {
  /** Training height and width in pixels. */
  height: number;
  width: number;
  /** How images reach the training size (default "scale"). */
  mode?: ScaleMode;
  /** Random horizontal flips (default true). */
  flip?: boolean;
  /** Called after each image is fitted, for progress output. */
  onProgress?: (done: number, total: number) => void;
}

/** One decoded image and the name errors call it by (a file's path, a page's file name). */
export interface NamedImage {
  name: string;
  image: RgbImage;
}

export class ImageDataset {
  readonly height: number;
  readonly width: number;
  readonly flip: boolean;

  private constructor(readonly source: string, readonly names: readonly string[], private readonly images: readonly RgbImage[], options: DatasetOptions) {
    this.height = options.height;
    this.width = options.width;
    this.flip = options.flip ?? true;
  }

  /**
   * Fits decoded images to the crop; `source` says where they came from (a folder, "the
   * page's images"). Throws a one-line error for the first image smaller than the crop.
   */
  static fromImages(images: readonly NamedImage[], options: DatasetOptions, source = "images in memory"): ImageDataset {
    return ImageDataset.fitting(images.length, (index) => images[index]!, options, source);
  }

  /**
   * Like fromImages, with the images produced one at a time by `nth` (a decoder), so only the
   * fitted copies are kept: a folder of large photos is never in memory at full size at once.
   */
  static fitting(count: number, nth: (index: number) => NamedImage, options: DatasetOptions, source: string): ImageDataset {
    const { height, width, mode = "scale" } = options;
    if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) {
      throw new Error(`ImageDataset: height ${height} and width ${width} must be positive integers`);
    }
    if (mode !== "scale" && mode !== "crop") throw new Error(`ImageDataset: unknown mode "${mode}"; use scale or crop`);
    if (count === 0) throw new Error(`ImageDataset: no images in ${source}; add at least one`);
    const names: string[] = [];
    const fitted: RgbImage[] = [];
    for (let i = 0; i < count; i++) {
      const { name, image } = nth(i);
      names.push(name);
      fitted.push(fitToCrop(name, image, height, width, mode));
      options.onProgress?.(i + 1, count);
    }
    return new ImageDataset(source, names, fitted, options);
  }

  get count(): number {
    return this.images.length;
  }

  /** A batch as planar [B, 3, H, W] floats in [-1, 1], drawn from `rng`. */
  batchArray(rng: Rng, batch: number): Float32Array {
    if (!(Number.isInteger(batch) && batch > 0)) throw new Error(`ImageDataset.batch: batch ${batch} must be a positive integer`);
    const { height, width } = this;
    const plane = height * width;
    const out = new Float32Array(batch * 3 * plane);
    for (let b = 0; b < batch; b++) {
      const image = this.images[rng.int(0, this.images.length)]!;
      const top = rng.int(0, image.height - height + 1);
      const left = rng.int(0, image.width - width + 1);
      const flipped = this.flip && rng.uniform() < 0.5;
      const base = b * 3 * plane;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const source = ((top + y) * image.width + left + (flipped ? width - 1 - x : x)) * 3;
          for (let c = 0; c < 3; c++) out[base + c * plane + y * width + x] = image.data[source + c]! / 127.5 - 1;
        }
      }
    }
    return out;
  }

  /** A batch uploaded as a [B, 3, H, W] tensor. */
  batch(device: Device, rng: Rng, batch: number): Tensor {
    return device.tensor(this.batchArray(rng, batch), [batch, 3, this.height, this.width]);
  }
}

/** The cached form of one image: shrunk so it just covers the crop ("scale") or as is ("crop"). */
function fitToCrop(file: string, image: RgbImage, height: number, width: number, mode: ScaleMode): RgbImage {
  if (image.height < height || image.width < width) {
    throw new Error(`${file} is ${image.width}x${image.height}, smaller than the ${width}x${height} training crop; remove it or train at a smaller size`);
  }
  if (mode === "crop") return image;
  const scale = Math.max(height / image.height, width / image.width);
  const outHeight = Math.max(height, Math.round(image.height * scale));
  const outWidth = Math.max(width, Math.round(image.width * scale));
  return outHeight === image.height && outWidth === image.width ? image : downscaleArea(image, outHeight, outWidth);
}
