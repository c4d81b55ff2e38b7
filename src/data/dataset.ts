/**
 * The training data set: a folder of PNG and JPEG images, decoded once into memory at the
 * training scale, from which seeded random crops and horizontal flips make batches.
 *
 * - Files: every *.png, *.jpg and *.jpeg under the folder, recursively (through symlinked
 *   folders too), case-insensitive, skipping names that start with "." (hidden files,
 *   editors' temporaries). The extension only selects files; the decoder trusts the bytes, so a mislabelled JPEG still reads. Sorted by
 *   path so the index of each image, and therefore every seeded batch, is the same on every run.
 * - Scale ("scale", the default): each image is shrunk by area averaging so that its shorter
 *   side fits the crop (a 256x256 face becomes the whole 64x64 crop of the small preset), then
 *   cropped at random along the longer side. "crop" keeps native resolution and takes random
 *   crops, as the official loader does at 256.
 * - Images smaller than the crop are an error naming the file and the fix. The official loader
 *   upscales them instead; upscaled pixels teach the network blur, so we ask rather than guess.
 * - Cached as 8-bit RGB (a quarter of float32's memory: 263 faces at 256x256 take 52 MB).
 * - Sampling is uniform with replacement: each batch item draws an image index, a crop offset
 *   and a flip (p = 0.5) from the RNG, so the RNG's state alone is enough to resume exactly.
 *   The official code does no flips; pass flip: false to match it.
 */
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { readRgb } from "../io/image.js";
import { type RgbImage } from "../io/rgb-image.js";
import { downscaleArea } from "../io/resize.js";
import type { Device } from "../tensor/device.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Rng } from "./rng.js";

export type ScaleMode = "scale" | "crop";

export interface DatasetOptions {
  /** Folder of images (default: the fake-avatars package's PNGs). */
  folder?: string;
  /** Training height and width in pixels. */
  height: number;
  width: number;
  /** How images reach the training size (default "scale"). */
  mode?: ScaleMode;
  /** Random horizontal flips (default true). */
  flip?: boolean;
  /** Called after each image is decoded, for progress output. */
  onProgress?: (done: number, total: number) => void;
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

/** The folder of fake-avatars' 263 PNG faces (256x256), the default data set. */
export function defaultDataFolder(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve("fake-avatars/package.json");
  } catch {
    throw new Error("the default data set (npm package fake-avatars) is not installed: run `npm install`, or pass a folder of images");
  }
  return join(dirname(manifest), "avatars", "png");
}

/** Image paths under `folder`, recursively, sorted; errors name the folder and the fix. */
export function listImages(folder: string): string[] {
  if (!existsSync(folder)) throw new Error(`data folder ${folder} does not exist; pass a folder of PNG or JPEG images`);
  if (!statSync(folder).isDirectory()) throw new Error(`data folder ${folder} is a file, not a folder; pass the folder that holds the images`);
  const found: string[] = [];
  // Symlinked folders are followed like real ones; each real folder is read once, so a link
  // back up the tree (a cycle) or two links to one folder neither loop nor list images twice.
  const visited = new Set<string>();
  const walk = (dir: string) => {
    const real = realpathSync(dir);
    if (visited.has(real)) return;
    visited.add(real);
    // By name, so which of two links to one folder is listed does not depend on the file system.
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory() || (entry.isSymbolicLink() && isFolder(path))) walk(path);
      else if (IMAGE_EXTENSIONS.test(entry.name)) found.push(path);
    }
  };
  walk(folder);
  if (found.length === 0) throw new Error(`data folder ${folder} holds no .png, .jpg or .jpeg files (searched recursively); add images or pass another folder`);
  // Compare relative paths by code unit, not locale, so the order is the same on every machine.
  return found.sort((a, b) => (relative(folder, a) < relative(folder, b) ? -1 : 1));
}

/** True for a folder or a link to one; false for anything else, a broken link included. */
function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export class ImageDataset {
  readonly height: number;
  readonly width: number;
  readonly flip: boolean;

  private constructor(readonly folder: string, readonly files: readonly string[], private readonly images: readonly RgbImage[], options: DatasetOptions) {
    this.height = options.height;
    this.width = options.width;
    this.flip = options.flip ?? true;
  }

  /** Lists and decodes every image once; throws a one-line error for the first bad folder or file. */
  static load(options: DatasetOptions): ImageDataset {
    const { height, width, mode = "scale" } = options;
    if (!(Number.isInteger(height) && height > 0 && Number.isInteger(width) && width > 0)) {
      throw new Error(`ImageDataset: height ${height} and width ${width} must be positive integers`);
    }
    if (mode !== "scale" && mode !== "crop") throw new Error(`ImageDataset: unknown mode "${mode}"; use scale or crop`);
    const folder = options.folder ?? defaultDataFolder();
    const files = listImages(folder);
    const images = files.map((file, i) => {
      const image = fitToCrop(file, readRgb(file), height, width, mode);
      options.onProgress?.(i + 1, files.length);
      return image;
    });
    return new ImageDataset(folder, files, images, options);
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
