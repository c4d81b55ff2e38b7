/**
 * Training masks (docs/model.md#masks), built on the CPU from the seeded RNG and uploaded once per step.
 *
 * Box masks (the v1 default): a bbox of half the image side (128 of 256) placed uniformly with
 * zero margins, top in [0, H - bh) and left in [0, W - bw); the hole is the bbox shrunk by dh on
 * top and bottom and dw on left and right, dh and dw uniform integers in 0..16 at 256 (MAX_DELTA
 * 32, halved, inclusive). Every length scales with the image: at 64x64 the bbox is 32 and
 * dh, dw are in 0..4.
 *
 * Free-form strokes (DeepFill v2's algorithm): 1-3 strokes, each a polyline of 4-11 segments with
 * turning angles around 2π/5 (± up to 2π/15, alternating direction), segment lengths
 * N(r, r/2) clipped to [0, 2r] with r = sqrt(H² + W²) / 8, drawn with round joints and caps at a
 * width of 12-40 px at 256 (scaled with the image side, since a 40 px brush would cover most
 * of a 64 px image). "box+free-form" is the union of both, as the v2 code trains.
 *
 * Every mask comes with a bbox of the standard size: the local critic, the discounted L1 and the
 * local gradient-penalty mask read that patch. For strokes alone, the bbox is centred
 * on the strokes' extent and clamped inside the image.
 *
 * Masks are 1 in the hole and 0 on known pixels, laid out [B, 1, H, W].
 */
import type { Device } from "../tensor/device.js";
import type { Tensor } from "../tensor/tensor.js";
import type { Rng } from "./rng.js";

export type MaskKind = "box" | "free-form" | "box+free-form";
export const MASK_KINDS: readonly MaskKind[] = ["box", "free-form", "box+free-form"];

/** A rectangle in pixels: rows [top, top + height), columns [left, left + width). */
export interface BBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

export interface MaskOptions {
  batch: number;
  height: number;
  width: number;
  /** Default "box", the v1 code's masks. */
  kind?: MaskKind;
  /** One mask for the whole batch, as the official code does (default false: a mask per image). */
  shared?: boolean;
}

export interface MaskBatch {
  /** [batch, 1, height, width], 1 = hole. */
  data: Float32Array;
  shape: [number, number, number, number];
  /** One bbox per image (the same object repeated when shared). */
  boxes: BBox[];
}

/** The image side the official code's pixel numbers are given at. */
const REFERENCE_SIDE = 256;
const BOX_FRACTION = 128 / REFERENCE_SIDE;
const MAX_DELTA = 32;

const STROKES = [1, 3];
const VERTICES = [4, 11];
const MEAN_ANGLE = (2 * Math.PI) / 5;
const ANGLE_RANGE = (2 * Math.PI) / 15;
const BRUSH_WIDTH = [12, 40];

/** The standard bbox size for an image: half of each side, at least 1. */
export function bboxSize(height: number, width: number): { height: number; width: number } {
  return { height: Math.max(1, Math.round(height * BOX_FRACTION)), width: Math.max(1, Math.round(width * BOX_FRACTION)) };
}

/** The largest shrink per side (dh, dw upper bounds, inclusive): 16 at 256. */
export function maxShrink(height: number, width: number): { dh: number; dw: number } {
  return { dh: Math.floor((MAX_DELTA * height) / REFERENCE_SIDE / 2), dw: Math.floor((MAX_DELTA * width) / REFERENCE_SIDE / 2) };
}

/** A random bbox of the standard size, placed uniformly inside the image (zero margins, as the official code). */
export function randomBBox(rng: Rng, height: number, width: number): BBox {
  const size = bboxSize(height, width);
  // Sides of at least 2 pixels keep height - size.height >= 1, so the range is never empty.
  return { top: rng.int(0, height - size.height), left: rng.int(0, width - size.width), ...size };
}

/** Draws the box hole (bbox shrunk by random dh, dw) into `mask` (one H x W plane). */
export function drawBoxHole(rng: Rng, mask: Float32Array, height: number, width: number, box: BBox): void {
  const limit = maxShrink(height, width);
  const dh = rng.int(0, limit.dh + 1);
  const dw = rng.int(0, limit.dw + 1);
  for (let y = box.top + dh; y < box.top + box.height - dh; y++) {
    mask.fill(1, y * width + box.left + dw, y * width + box.left + box.width - dw);
  }
}

/** Draws 1-3 random brush strokes into `mask` (one H x W plane). */
export function drawStrokes(rng: Rng, mask: Float32Array, height: number, width: number): void {
  const radius = Math.sqrt(height * height + width * width) / 8;
  const scale = Math.min(height, width) / REFERENCE_SIDE;
  const strokes = rng.int(STROKES[0]!, STROKES[1]! + 1);
  for (let s = 0; s < strokes; s++) {
    const vertices = rng.int(VERTICES[0]!, VERTICES[1]! + 1);
    const angleMin = MEAN_ANGLE - rng.range(0, ANGLE_RANGE);
    const angleMax = MEAN_ANGLE + rng.range(0, ANGLE_RANGE);
    // Alternate turning left and right so a stroke zig-zags rather than curling into a circle.
    const angles = Array.from({ length: vertices }, (_, i) => (i % 2 === 0 ? 2 * Math.PI - rng.range(angleMin, angleMax) : rng.range(angleMin, angleMax)));
    const points: [number, number][] = [[rng.int(0, width), rng.int(0, height)]];
    for (const angle of angles) {
      const length = Math.min(2 * radius, Math.max(0, rng.normal(radius, radius / 2)));
      const [x, y] = points[points.length - 1]!;
      points.push([Math.trunc(clamp(x + length * Math.cos(angle), 0, width)), Math.trunc(clamp(y + length * Math.sin(angle), 0, height))]);
    }
    const brush = Math.max(1, Math.trunc(rng.range(BRUSH_WIDTH[0]!, BRUSH_WIDTH[1]!) * scale));
    for (let i = 1; i < points.length; i++) drawCapsule(mask, height, width, points[i - 1]!, points[i]!, brush / 2);
  }
}

/** Marks every pixel within `r` of the segment a-b: a thick line with round ends, so consecutive segments join smoothly. */
function drawCapsule(mask: Float32Array, height: number, width: number, a: [number, number], b: [number, number], r: number): void {
  const [ax, ay] = a;
  const [bx, by] = b;
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + r));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + r));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const t = len2 === 0 ? 0 : clamp(((x - ax) * dx + (y - ay) * dy) / len2, 0, 1);
      const ex = x - (ax + t * dx);
      const ey = y - (ay + t * dy);
      if (ex * ex + ey * ey <= r * r) mask[y * width + x] = 1;
    }
  }
}

/** A standard-size bbox centred on the hole's extent, clamped inside the image (for stroke-only masks). */
export function bboxAroundHole(mask: Float32Array, height: number, width: number): BBox {
  let top = height, bottom = -1, left = width, right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] === 0) continue;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  const size = bboxSize(height, width);
  if (bottom < 0) return { top: 0, left: 0, ...size };
  const place = (lo: number, hi: number, extent: number, side: number) => clamp(Math.round((lo + hi + 1 - extent) / 2), 0, side - extent);
  return { top: place(top, bottom, size.height, height), left: place(left, right, size.width, width), ...size };
}

/** One H x W mask of `kind` and its bbox. */
export function sampleMask(rng: Rng, height: number, width: number, kind: MaskKind = "box"): { mask: Float32Array; box: BBox } {
  const mask = new Float32Array(height * width);
  if (kind === "free-form") {
    drawStrokes(rng, mask, height, width);
    return { mask, box: bboxAroundHole(mask, height, width) };
  }
  const box = randomBBox(rng, height, width);
  drawBoxHole(rng, mask, height, width, box);
  if (kind === "box+free-form") drawStrokes(rng, mask, height, width);
  return { mask, box };
}

/** Masks for a batch: one per image (default) or one shared, as [B, 1, H, W] with a bbox per image. */
export function sampleMasks(rng: Rng, options: MaskOptions): MaskBatch {
  const { batch, height, width, kind = "box", shared = false } = options;
  if (!(Number.isInteger(batch) && batch > 0 && Number.isInteger(height) && height >= 2 && Number.isInteger(width) && width >= 2)) {
    throw new Error(`sampleMasks: batch ${batch}, height ${height}, width ${width} must be positive integers with sides of at least 2 pixels`);
  }
  if (!["box", "free-form", "box+free-form"].includes(kind)) throw new Error(`sampleMasks: unknown mask kind "${kind}"; use box, free-form or box+free-form`);
  const plane = height * width;
  const data = new Float32Array(batch * plane);
  const boxes: BBox[] = [];
  for (let b = 0; b < batch; b++) {
    if (shared && b > 0) {
      data.copyWithin(b * plane, 0, plane);
      boxes.push(boxes[0]!);
      continue;
    }
    const { mask, box } = sampleMask(rng, height, width, kind);
    data.set(mask, b * plane);
    boxes.push(box);
  }
  return { data, shape: [batch, 1, height, width], boxes };
}

/** Uploads a mask batch as a [B, 1, H, W] tensor. */
export function maskTensor(device: Device, masks: MaskBatch): Tensor {
  return device.tensor(masks.data, masks.shape);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
