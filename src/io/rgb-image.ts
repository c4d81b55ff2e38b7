/**
 * Images in memory, as the engine passes them around: interleaved 8-bit RGB (decoded files,
 * canvases' pixels without alpha) and planar float RGB in [-1, 1] (one item of a [B, 3, H, W]
 * tensor). Pure data: reading and writing files is image.ts's (Node), a page decodes its own.
 */

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
