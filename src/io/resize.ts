/**
 * Area (box-filter) downscaling of 8-bit RGB images: each output pixel is the average of the
 * input area it covers, with fractional weights at the edges. This is what a data loader wants
 * when shrinking photos to the training size: no aliasing (unlike nearest or plain bilinear at
 * large factors) and no ringing. Upscaling is refused: the data set reports small images instead.
 */
import type { RgbImage } from "./rgb-image.js";

/** Resizes interleaved RGB `image` down to outHeight x outWidth by area averaging. */
export function downscaleArea(image: RgbImage, outHeight: number, outWidth: number): RgbImage {
  const { width, height, data } = image;
  if (!(Number.isInteger(outHeight) && Number.isInteger(outWidth) && outHeight >= 1 && outWidth >= 1 && outHeight <= height && outWidth <= width)) {
    throw new Error(`downscaleArea: cannot shrink ${width}x${height} to ${outWidth}x${outHeight}; the output must be between 1x1 and the input size`);
  }
  // Separable: average along x into a float buffer, then along y.
  const columns = areaWeights(width, outWidth);
  const rows = areaWeights(height, outHeight);
  const mid = new Float32Array(height * outWidth * 3);
  for (let y = 0; y < height; y++) {
    for (let ox = 0; ox < outWidth; ox++) {
      const [first, weights] = columns[ox]!;
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let k = 0; k < weights.length; k++) sum += weights[k]! * data[(y * width + first + k) * 3 + c]!;
        mid[(y * outWidth + ox) * 3 + c] = sum;
      }
    }
  }
  const out = new Uint8Array(outHeight * outWidth * 3);
  for (let oy = 0; oy < outHeight; oy++) {
    const [first, weights] = rows[oy]!;
    for (let i = 0; i < outWidth * 3; i++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) sum += weights[k]! * mid[(first + k) * outWidth * 3 + i]!;
      out[oy * outWidth * 3 + i] = Math.min(255, Math.max(0, Math.round(sum)));
    }
  }
  return { width: outWidth, height: outHeight, data: out };
}

/** For each output index, the first input index it covers and the normalised overlap weights. */
function areaWeights(inSize: number, outSize: number): [number, number[]][] {
  const scale = inSize / outSize;
  return Array.from({ length: outSize }, (_, o) => {
    const start = o * scale;
    const end = (o + 1) * scale;
    const first = Math.floor(start);
    const weights: number[] = [];
    for (let i = first; i < Math.min(inSize, Math.ceil(end)); i++) {
      weights.push((Math.min(end, i + 1) - Math.max(start, i)) / scale);
    }
    return [first, weights];
  });
}
