/** An image with its holes painted, as a user sees the input (the grids and enlargements are in src/io/picture.ts). */
import type { RgbImage } from "../io/rgb-image.js";
import type { HoleMask } from "./inpaint-image.js";

/** `image` with its hole pixels set to `colour` (white by default), as a user sees the input. */
export function paintHoles(image: RgbImage, mask: HoleMask, colour: readonly [number, number, number] = [255, 255, 255]): RgbImage {
  const data = new Uint8Array(image.data);
  for (let p = 0; p < image.width * image.height; p++) if (mask.data[p] !== 0) data.set(colour, 3 * p);
  return { width: image.width, height: image.height, data };
}
