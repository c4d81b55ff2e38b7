/**
 * Images in the page: decoding a file the user opened into 8-bit RGB (the engine's RgbImage),
 * drawing one on a canvas, and encoding one as PNG. Decoding asks the browser for the file's
 * own values (no colour-space conversion, no premultiplied alpha), so a PNG gives the same
 * bytes here as in Node; an alpha channel is dropped, as inpaint.js does.
 */
import type { RgbImage } from "./engine";

/** Decodes a PNG, JPEG (or any format the browser reads) to RGB; one-line error naming the file otherwise. */
export async function decodeImage(file: Blob, name: string): Promise<RgbImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  } catch {
    throw new Error(`${name} is not an image this browser can read; open a PNG or JPEG`);
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext("2d", { colorSpace: "srgb" })!;
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, width, height, { colorSpace: "srgb" }).data;
  const data = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) data.set(rgba.subarray(4 * p, 4 * p + 3), 3 * p);
  return { width, height, data };
}

/** RGB as the RGBA ImageData a canvas takes (opaque). */
export function toImageData(image: RgbImage): ImageData {
  const rgba = new Uint8ClampedArray(image.width * image.height * 4);
  for (let p = 0; p < image.width * image.height; p++) {
    rgba.set(image.data.subarray(3 * p, 3 * p + 3), 4 * p);
    rgba[4 * p + 3] = 255;
  }
  return new ImageData(rgba, image.width, image.height);
}

/** Sizes `canvas` to the image and draws it. */
export function drawImage(canvas: HTMLCanvasElement, image: RgbImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext("2d")!.putImageData(toImageData(image), 0, 0);
}

/** The image as a PNG file (lossless: an opaque canvas keeps its 8-bit values). */
export async function encodePng(image: RgbImage): Promise<Blob> {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext("2d")!.putImageData(toImageData(image), 0, 0);
  return canvas.convertToBlob({ type: "image/png" });
}

/** Makes the browser save `blob` as `name` (the download the user asked for). */
export function download(blob: Blob, name: string): void {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
