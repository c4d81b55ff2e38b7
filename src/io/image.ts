/**
 * Reading PNG and JPEG images into float tensors' layout, and writing PNGs.
 *
 * Layout: `readImage` returns planar **CHW** RGB float32 in [-1, 1] (x / 127.5 - 1, as the official code), the
 * layout of one item of a [B, 3, H, W] tensor, so a batch is a plain concatenation. Channels are
 * RGB (the official loader's OpenCV gives BGR; the network does not care as long as training and
 * inference agree). The format is detected from the file's first bytes, not its extension.
 * Grey images are expanded to three equal channels; an alpha channel is dropped (as OpenCV's
 * default colour read does); 16-bit PNGs are rescaled to 8 bits by pngjs.
 */
import { readFileSync } from "node:fs";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { atomicWrite } from "./atomic.js";

/** An image as planar RGB float32 in [-1, 1]: data[c * H * W + y * W + x]. */
export interface FloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** An image as interleaved 8-bit RGB: data[(y * W + x) * 3 + c] (RGBA, 4 per pixel, only from decodeRgba). */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Largest image decoded, in megapixels: guards against a decompression bomb in a data folder. */
const MAX_MEGAPIXELS = 100;

type Format = "png" | "jpeg";

/** Formats recognised only to name them in the error. */
const OTHER_FORMATS: [string, (b: Uint8Array) => boolean][] = [
  ["GIF", (b) => ascii(b, 0, 4) === "GIF8"],
  ["BMP", (b) => ascii(b, 0, 2) === "BM"],
  ["WebP", (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP"],
  ["TIFF", (b) => ascii(b, 0, 4) === "II*\0" || ascii(b, 0, 4) === "MM\0*"],
];

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The format of `bytes` from its magic number, or null when it is neither PNG nor JPEG. */
export function sniffFormat(bytes: Uint8Array): Format | null {
  if (PNG_MAGIC.every((v, i) => bytes[i] === v)) return "png";
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return null;
}

/** Reads a PNG or JPEG file as planar RGB float in [-1, 1]; errors are one line naming the file and the fix. */
export function readImage(path: string): FloatImage {
  return rgbToFloat(readRgb(path));
}

/** Reads a PNG or JPEG file as interleaved 8-bit RGB (alpha dropped), with the same errors as readImage. */
export function readRgb(path: string): RgbImage {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read image ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (check the path and its permissions)`);
  }
  const rgba = decodeRgba(path, bytes);
  const pixels = rgba.width * rgba.height;
  const data = new Uint8Array(pixels * 3);
  for (let p = 0; p < pixels; p++) {
    data[p * 3] = rgba.data[p * 4]!;
    data[p * 3 + 1] = rgba.data[p * 4 + 1]!;
    data[p * 3 + 2] = rgba.data[p * 4 + 2]!;
  }
  return { width: rgba.width, height: rgba.height, data };
}

/** Decodes PNG or JPEG bytes to interleaved 8-bit RGBA (4 bytes per pixel); `path` only names the source in errors. */
export function decodeRgba(path: string, bytes: Buffer): RgbImage {
  const format = sniffFormat(bytes);
  if (format === null) {
    const other = OTHER_FORMATS.find(([, test]) => test(bytes));
    if (other) throw new Error(`${path} is a ${other[0]} image; only PNG and JPEG are read (convert it to PNG, or remove it from the folder)`);
    throw new Error(`${path} is not a PNG or JPEG image (its first bytes match neither); remove it from the folder or convert it to PNG`);
  }
  let decoded: RgbImage;
  try {
    if (format === "png") {
      const png = PNG.sync.read(bytes);
      decoded = { width: png.width, height: png.height, data: png.data };
    } else {
      decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS });
    }
  } catch (error) {
    const reason = String((error as Error).message ?? error).split("\n")[0];
    throw new Error(`${path} is a corrupt or unsupported ${format.toUpperCase()} (${reason}); re-export it as a standard 8-bit PNG or baseline JPEG, or remove it`);
  }
  if (decoded.width <= 0 || decoded.height <= 0 || decoded.data.length !== decoded.width * decoded.height * 4) {
    throw new Error(`${path} decoded to ${decoded.width}x${decoded.height} with ${decoded.data.length} bytes, which is inconsistent; re-export it as a standard PNG or JPEG`);
  }
  return decoded;
}

/** Planar float in [-1, 1] (values outside are clipped) to interleaved 8-bit RGB, rounding to nearest. */
export function floatToRgb(image: FloatImage): RgbImage {
  const { width, height, data } = image;
  const plane = width * height;
  if (data.length !== 3 * plane) throw new Error(`floatToRgb: ${data.length} values for a 3x${height}x${width} image; pass planar RGB (CHW)`);
  const out = new Uint8Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) {
      const v = Math.round((data[c * plane + p]! + 1) * 127.5);
      out[p * 3 + c] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return { width, height, data: out };
}

/** Interleaved 8-bit RGB to planar float in [-1, 1] (the inverse of floatToRgb up to rounding). */
export function rgbToFloat(image: RgbImage): FloatImage {
  const { width, height, data } = image;
  const plane = width * height;
  if (data.length !== 3 * plane) throw new Error(`rgbToFloat: ${data.length} bytes for a ${width}x${height} RGB image; pass interleaved RGB`);
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[c * plane + p] = data[p * 3 + c]! / 127.5 - 1;
  }
  return { width, height, data: out };
}

/** Encodes interleaved 8-bit RGB as PNG bytes. */
export function encodePng(image: RgbImage): Buffer {
  const { width, height, data } = image;
  if (!(width > 0 && height > 0) || data.length !== width * height * 3) {
    throw new Error(`encodePng: ${data.length} bytes for a ${width}x${height} RGB image; expected ${width * height * 3}`);
  }
  const png = new PNG({ width, height, colorType: 2, inputColorType: 2, inputHasAlpha: false });
  png.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return PNG.sync.write(png, { colorType: 2, inputColorType: 2, inputHasAlpha: false });
}

/** Writes interleaved 8-bit RGB to `path` as a PNG, atomically (a reader never sees half a file). */
export function writePng(path: string, image: RgbImage): void {
  atomicWrite(path, encodePng(image));
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}
