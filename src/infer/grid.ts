/** Pictures for people: images laid out in a grid, enlarged or cropped, and an image with its holes painted. */
import type { RgbImage } from "../io/image.js";
import type { HoleMask } from "./inpaint-image.js";

/** Rows of images (each row's images side by side) on a white background with `gap` pixels between cells. */
export function tileImages(rows: readonly (readonly RgbImage[])[], gap = 2): RgbImage {
  const cellWidth = Math.max(...rows.flat().map((i) => i.width));
  const cellHeight = Math.max(...rows.flat().map((i) => i.height));
  const columns = Math.max(...rows.map((r) => r.length));
  const width = columns * cellWidth + (columns + 1) * gap;
  const height = rows.length * cellHeight + (rows.length + 1) * gap;
  const data = new Uint8Array(width * height * 3).fill(255);
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

/** `image` with its hole pixels set to `colour` (white by default), as a user sees the input. */
export function paintHoles(image: RgbImage, mask: HoleMask, colour: readonly [number, number, number] = [255, 255, 255]): RgbImage {
  const data = new Uint8Array(image.data);
  for (let p = 0; p < image.width * image.height; p++) if (mask.data[p] !== 0) data.set(colour, 3 * p);
  return { width: image.width, height: image.height, data };
}

/** Each pixel repeated `factor` times in both directions (nearest-neighbour enlargement). */
export function upscale(image: RgbImage, factor: number): RgbImage {
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

/** The top-left width x height of `image`. */
export function cropTopLeft(image: RgbImage, width: number, height: number): RgbImage {
  if (width > image.width || height > image.height) throw new Error(`cropTopLeft: ${width}x${height} does not fit in ${image.width}x${image.height}`);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(image.data.subarray(3 * y * image.width, 3 * (y * image.width + width)), 3 * y * width);
  return { width, height, data };
}
