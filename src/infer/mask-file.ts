/** A hole mask read from an image file (Node); inpaint-image.ts turns pixels into holes. */
import { readRgb } from "../io/image.js";
import { maskFromRgb, type HoleMask } from "./inpaint-image.js";

/** Reads a mask image (PNG or JPEG): white (grey level > 127.5) is a hole; transparent pixels are none. */
export function readMask(path: string): HoleMask {
  return maskFromRgb(readRgb(path, "over-black"));
}
