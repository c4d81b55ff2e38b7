/**
 * Reading PNG and JPEG files into float tensors' layout, and writing PNGs (Node: files, and the
 * pngjs and jpeg-js codecs; the image types themselves are in rgb-image.ts, for any platform).
 *
 * Layout: `readImage` returns planar **CHW** RGB float32 in [-1, 1] (x / 127.5 - 1, as the official code), the
 * layout of one item of a [B, 3, H, W] tensor, so a batch is a plain concatenation. Channels are
 * RGB (the official loader's OpenCV gives BGR; the network does not care as long as training and
 * inference agree). The format is detected from the file's first bytes, not its extension.
 * Grey images are expanded to three equal channels; an alpha channel is dropped (as OpenCV's
 * default colour read does) unless the caller asks to composite over black (masks, see
 * AlphaRule); 16-bit PNGs are rescaled to 8 bits by pngjs.
 */
import { readFileSync } from "node:fs";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { atomicWrite } from "./atomic.js";
import { rgbToFloat, type FloatImage, type RgbImage } from "./rgb-image.js";

/**
 * Largest image decoded, in megapixels, for PNG and JPEG alike. The size is read from the
 * header before decoding, so a decompression bomb (a small file that claims a huge image) is
 * refused at once instead of taking seconds and gigabytes.
 */
export const MAX_MEGAPIXELS = 100;

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

/**
 * How readRgb treats an alpha channel: "drop" keeps the colour of transparent pixels (images),
 * "over-black" composites onto black, so a transparent pixel reads as black (masks: no hole).
 */
export type AlphaRule = "drop" | "over-black";

/** Reads a PNG or JPEG file as interleaved 8-bit RGB, with the same errors as readImage. */
export function readRgb(path: string, alpha: AlphaRule = "drop"): RgbImage {
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
    const opacity = alpha === "drop" ? 1 : rgba.data[p * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) data[p * 3 + c] = Math.round(rgba.data[p * 4 + c]! * opacity);
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
  checkPixelBudget(path, format, bytes);
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

/** Throws a one-line error when the header of `bytes` declares more than MAX_MEGAPIXELS pixels. */
function checkPixelBudget(path: string, format: Format, bytes: Uint8Array): void {
  const size = format === "png" ? pngSize(bytes) : jpegSize(bytes);
  if (size && size.width * size.height > MAX_MEGAPIXELS * 1e6) {
    const megapixels = ((size.width * size.height) / 1e6).toFixed(0);
    throw new Error(`${path} is ${size.width}x${size.height} (${megapixels} megapixels), over the limit of ${MAX_MEGAPIXELS} megapixels per image; shrink it or remove it`);
  }
}

/** The size in a PNG's IHDR chunk (always the first chunk), or null when the file is too short to say. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } | null {
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== "IHDR") return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** The size in a JPEG's first start-of-frame segment, or null when none is found (the decoder then says what is wrong). */
export function jpegSize(bytes: Uint8Array): { width: number; height: number } | null {
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2; // markers without a length
      continue;
    }
    // SOF0-SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width follow the length.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[at + 5]! << 8) | bytes[at + 6]!, width: (bytes[at + 7]! << 8) | bytes[at + 8]! };
    }
    at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return null;
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
