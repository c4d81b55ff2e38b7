/** Pictures made of pictures: 8-bit RGB images enlarged, cropped and laid out in grids. */
import type { RgbImage } from "./rgb-image.js";

export interface TileOptions {
  /** Pixels between cells and around the grid (default 2). */
  gap?: number;
  /** Grey level of the gaps and of the room around smaller cells (default 255, white). */
  background?: number;
}

/** Rows of images (each row's images side by side), each cell as large as the largest image. */
export function tileImages(rows: readonly (readonly RgbImage[])[], options: TileOptions = {}): RgbImage {
  const { gap = 2, background = 255 } = options;
  const cellWidth = Math.max(...rows.flat().map((i) => i.width));
  const cellHeight = Math.max(...rows.flat().map((i) => i.height));
  const columns = Math.max(...rows.map((r) => r.length));
  const width = columns * cellWidth + (columns + 1) * gap;
  const height = rows.length * cellHeight + (rows.length + 1) * gap;
  const data = new Uint8Array(width * height * 3).fill(background);
  rows.forEach((row, r) =>
    row.forEach((image, c) => {
      const [top, left] = [gap + r * (cellHeight + gap), gap + c * (cellWidth + gap)];
      for (let y = 0; y < image.height; y++) {
        data.set(image.data.subarray(y * image.width * 3, (y + 1) * image.width * 3), ((top + y) * width + left) * 3);
      }
    }),
  );
  return { width, height, data };
}

/** Each pixel repeated `factor` times in both directions (nearest-neighbour enlargement). */
export function upscale(image: RgbImage, factor: number): RgbImage {
  if (!(Number.isInteger(factor) && factor >= 1)) throw new Error(`upscale: the factor must be a positive integer, got ${factor}`);
  const [width, height] = [image.width * factor, image.height * factor];
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = 3 * (Math.floor(y / factor) * image.width + Math.floor(x / factor));
      data.set(image.data.subarray(from, from + 3), 3 * (y * width + x));
    }
  }
  return { width, height, data };
}

/** The width x height pixels of `image` whose top-left corner is (left, top). */
export function crop(image: RgbImage, left: number, top: number, width: number, height: number): RgbImage {
  if (left < 0 || top < 0 || left + width > image.width || top + height > image.height) {
    throw new Error(`crop: ${width}x${height} at (${left}, ${top}) does not fit in ${image.width}x${image.height}`);
  }
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const from = 3 * ((top + y) * image.width + left);
    data.set(image.data.subarray(from, from + 3 * width), 3 * y * width);
  }
  return { width, height, data };
}
