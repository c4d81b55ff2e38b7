/**
 * Attention flow as a picture (the official code's TensorBoard summary): each foreground
 * position's displacement to its best background patch, colour-coded with the Middlebury
 * optical-flow wheel. Hue is the direction, saturation the length; no displacement is white.
 *
 * The official rules kept here: displacement (u, v) = (dy, dx) = offset minus the position's
 * own grid coordinate; angle atan2(-v, -u) / pi picks a point on a 55-colour wheel (ramps
 * red-yellow 15, yellow-green 6, green-cyan 4, cyan-blue 11, blue-magenta 13, magenta-red 6,
 * each step floor(255 i / n)), interpolated linearly between neighbours; the radius is divided
 * by the largest radius seen so far in the batch (image i by the maximum over images 0..i, as
 * the official loop does); a colour of radius <= 1 is blended toward white by 1 - r (1 - c),
 * and one beyond (never, after the division) darkened to 0.75 c. Bytes are floor(255 c).
 */
import type { RgbImage } from "./rgb-image.js";
import { tileImages, upscale } from "./picture.js";

/** The 55 colours of the wheel, [r, g, b] in 0..255. */
function colourWheel(): [number, number, number][] {
  const ramp = (i: number, n: number) => Math.floor((255 * i) / n);
  const wheel: [number, number, number][] = [];
  const segments: [number, (i: number, n: number) => [number, number, number]][] = [
    [15, (i, n) => [255, ramp(i, n), 0]],
    [6, (i, n) => [255 - ramp(i, n), 255, 0]],
    [4, (i, n) => [0, 255, ramp(i, n)]],
    [11, (i, n) => [0, 255 - ramp(i, n), 255]],
    [13, (i, n) => [ramp(i, n), 0, 255]],
    [6, (i, n) => [255, 0, 255 - ramp(i, n)]],
  ];
  for (const [n, colour] of segments) for (let i = 0; i < n; i++) wheel.push(colour(i, n));
  return wheel;
}

const WHEEL = colourWheel();

/** The colour of displacement (u, v) already divided by the normalising radius. */
export function flowColour(u: number, v: number): [number, number, number] {
  const n = WHEEL.length;
  const radius = Math.hypot(u, v);
  // (angle + 1) / 2 maps (-1, 1] onto the wheel's [0, n - 1] span; position n - 1 wraps to 0.
  const position = ((Math.atan2(-v, -u) / Math.PI + 1) / 2) * (n - 1);
  const k0 = Math.floor(position);
  const k1 = (k0 + 1) % n;
  const t = position - k0;
  return [0, 1, 2].map((c) => {
    const base = ((1 - t) * WHEEL[k0 % n]![c]! + t * WHEEL[k1]![c]!) / 255;
    const shaded = radius <= 1 ? 1 - radius * (1 - base) : base * 0.75;
    return Math.floor(255 * shaded);
  }) as [number, number, number];
}

/**
 * Colour images of the offsets [B, 2, h, w] (the (y, x) of each position's best match, as
 * contextualAttention returns them): one interleaved 8-bit RGB image of h x w per item.
 */
export function flowColors(offsets: Float32Array, shape: readonly [number, number, number, number]): RgbImage[] {
  const [batch, two, h, w] = shape;
  if (two !== 2 || offsets.length !== batch * 2 * h * w) {
    throw new Error(`flowColors: ${offsets.length} values for offsets of shape [${shape.join(", ")}]; expected [B, 2, h, w] = B * 2 * h * w values`);
  }
  const plane = h * w;
  const images: RgbImage[] = [];
  let maxRadius = -1;
  for (let i = 0; i < batch; i++) {
    const du = new Float64Array(plane);
    const dv = new Float64Array(plane);
    for (let p = 0; p < plane; p++) {
      du[p] = offsets[(2 * i) * plane + p]! - Math.floor(p / w);
      dv[p] = offsets[(2 * i + 1) * plane + p]! - (p % w);
      maxRadius = Math.max(maxRadius, Math.hypot(du[p]!, dv[p]!));
    }
    const data = new Uint8Array(3 * plane);
    for (let p = 0; p < plane; p++) {
      // Number.EPSILON keeps an all-zero flow at radius 0 (white) instead of 0 / 0.
      data.set(flowColour(du[p]! / (maxRadius + Number.EPSILON), dv[p]! / (maxRadius + Number.EPSILON)), 3 * p);
    }
    images.push({ width: w, height: h, data });
  }
  return images;
}

/**
 * The flow of offsets [B, 2, h, w] (read back from the GPU: this layer has none) as one
 * picture, the batch side by side, each pixel repeated `factor` times in both directions (the
 * official summary shows 64^2 flows at 256^2).
 */
export function flowPicture(offsets: Float32Array, shape: readonly number[], factor = 1): RgbImage {
  if (shape.length !== 4 || !(Number.isInteger(factor) && factor >= 1)) {
    throw new Error(`flowPicture: needs offsets [B, 2, h, w] (got rank ${shape.length}) and a positive integer upscale (got ${factor})`);
  }
  const images = flowColors(offsets, shape as [number, number, number, number]);
  return tileImages([images.map((image) => upscale(image, factor))], { gap: 0 });
}
