/**
 * Where the generator runs on a large image: one region per group of nearby holes instead of
 * the whole picture, so time and memory follow the holes, not the megapixels.
 *
 * - Holes: the 8-connected components of the mask, each reduced to its bounding box.
 * - Context: a region is a square around its holes' box, `context` times the box's longer side
 *   (so a hole takes at most about half of each side) and at least the working size, centred
 *   and shifted to stay inside the image; an image smaller than that gives its whole side.
 * - Groups: regions that overlap are merged (their holes planned as one box) until none do, so
 *   every hole pixel belongs to exactly one region and no region holds another group's holes.
 * - Working size: a region larger than `workSize` on its longer side is shrunk to it (the
 *   model's training size by default: the scale its filters learned), filled there, and the
 *   fill enlarged back; a smaller region runs at its own pixels.
 */
import type { HoleMask } from "./inpaint-image.js";

/** A rectangle of image pixels. */
export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Region {
  /** The image pixels the generator sees. */
  box: Box;
  /** The size the box is run at: the box's own, or shrunk so its longer side is the working size. */
  work: { width: number; height: number };
}

/** Bounding boxes of the mask's 8-connected holes, in scan order of their first pixel. */
export function holeBoxes(mask: HoleMask): Box[] {
  const { width, height, data } = mask;
  const seen = new Uint8Array(data.length);
  const stack = new Int32Array(data.length);
  const boxes: Box[] = [];
  for (let start = 0; start < data.length; start++) {
    if (data[start] === 0 || seen[start]) continue;
    let [x0, y0, x1, y1] = [width, height, -1, -1];
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const p = stack[--top]!;
      const [x, y] = [p % width, Math.floor(p / width)];
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (data[q] !== 0 && !seen[q]) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    boxes.push({ left: x0, top: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 });
  }
  return boxes;
}

/** The regions to fill `mask`'s holes in (see the file comment); `context` >= 1. */
export function planRegions(mask: HoleMask, workSize: number, context = 2): Region[] {
  if (!(Number.isInteger(workSize) && workSize >= 8)) throw new Error(`planRegions: the working size must be an integer >= 8, got ${workSize}`);
  const image = { width: mask.width, height: mask.height };
  const groups = holeBoxes(mask).map((holes) => ({ holes, box: regionAround(holes, image, workSize, context) }));
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < groups.length; i++) {
      for (let j = i + 1; j < groups.length; j++) {
        if (!overlap(groups[i]!.box, groups[j]!.box)) continue;
        const holes = union(groups[i]!.holes, groups[j]!.holes);
        groups[i] = { holes, box: regionAround(holes, image, workSize, context) };
        groups.splice(j, 1);
        j = i; // the grown region is compared with every later one again
        merged = true;
      }
    }
  }
  return groups.map(({ box }) => ({ box, work: workingSize(box, workSize) }));
}

/** The square of side max(workSize, context x the longer side of `holes`) centred on them, inside the image. */
function regionAround(holes: Box, image: { width: number; height: number }, workSize: number, context: number): Box {
  const side = Math.max(workSize, Math.ceil(context * Math.max(holes.width, holes.height)));
  const place = (start: number, extent: number, limit: number): [number, number] => {
    if (side >= limit) return [0, limit];
    const centred = Math.round(start + extent / 2 - side / 2);
    return [Math.min(limit - side, Math.max(0, centred)), side];
  };
  const [left, width] = place(holes.left, holes.width, image.width);
  const [top, height] = place(holes.top, holes.height, image.height);
  return { left, top, width, height };
}

/** The box's size, or shrunk (aspect kept) so its longer side is `workSize`. */
function workingSize(box: Box, workSize: number): { width: number; height: number } {
  const longer = Math.max(box.width, box.height);
  if (longer <= workSize) return { width: box.width, height: box.height };
  const scale = workSize / longer;
  return { width: Math.max(1, Math.round(box.width * scale)), height: Math.max(1, Math.round(box.height * scale)) };
}

function overlap(a: Box, b: Box): boolean {
  return a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
}

function union(a: Box, b: Box): Box {
  const [left, top] = [Math.min(a.left, b.left), Math.min(a.top, b.top)];
  return { left, top, width: Math.max(a.left + a.width, b.left + b.width) - left, height: Math.max(a.top + a.height, b.top + b.height) - top };
}
