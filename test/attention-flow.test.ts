// Flow colours of attention offsets: no displacement is white, the four axis directions get
// their colours from the Middlebury wheel worked out by hand from its definition, shorter
// displacements are blended toward white, and the PNG writer lays the batch side by side.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { PNG } from "pngjs";
import { flowColors } from "../src/io/flow.js";
import { writeFlowPng } from "../src/io/flow-png.js";

/** Offsets [B, 2, h, w] equal to each position's own coordinate, with `moves` (image, y, x, dy, dx) applied. */
function offsetsWith(batch: number, h: number, w: number, moves: [number, number, number, number, number][]): Float32Array {
  const data = new Float32Array(batch * 2 * h * w);
  for (let i = 0; i < batch; i++)
    for (let p = 0; p < h * w; p++) {
      data[(2 * i) * h * w + p] = Math.floor(p / w);
      data[(2 * i + 1) * h * w + p] = p % w;
    }
  for (const [i, y, x, dy, dx] of moves) {
    data[(2 * i) * h * w + y * w + x] = y + dy;
    data[(2 * i + 1) * h * w + y * w + x] = x + dx;
  }
  return data;
}

const pixel = (data: Uint8Array, p: number) => Array.from(data.subarray(3 * p, 3 * p + 3));

// Wheel entries (segments RY 15, YG 6, GC 4, CB 11, BM 13, MR 6; steps floor(255 i / n)):
// up (u = -1, v = 0): angle 0, position 27 = CB step 2: [0, 255 - 46, 255];
// down: atan2(-0, -1) is -pi (as in NumPy), angle -1, position 0 = RY step 0: [255, 0, 0];
// right (v = 1): angle -1/2, position 13.5: between RY steps 13 and 14, G = (221 + 238) / 2;
// left: angle 1/2, position 40.5: between BM steps 4 and 5, R = (78 + 98) / 2.
const UP = [0, 209, 255];
const DOWN = [255, 0, 0];
const RIGHT = [255, 229, 0];
const LEFT = [88, 0, 255];

t.test("no displacement is white; unit displacements take the wheel's colours", async (t) => {
  const offsets = offsetsWith(1, 3, 3, [[0, 0, 1, -1, 0], [0, 2, 1, 1, 0], [0, 1, 0, 0, 1], [0, 1, 2, 0, -1]]);
  const [image] = flowColors(offsets, [1, 2, 3, 3]);
  t.same([image!.width, image!.height], [3, 3], "one h x w image");
  t.same(pixel(image!.data, 4), [255, 255, 255], "centre, not displaced: white");
  t.same(pixel(image!.data, 1), UP, "displaced up");
  t.same(pixel(image!.data, 7), DOWN, "displaced down");
  t.same(pixel(image!.data, 3), RIGHT, "displaced right");
  t.same(pixel(image!.data, 5), LEFT, "displaced left");
  const [still] = flowColors(offsetsWith(1, 2, 2, []), [1, 2, 2, 2]);
  t.ok(still!.data.every((v) => v === 255), "an all-zero flow is all white (no 0 / 0)");
});

t.test("radius is normalised by the running maximum over the batch", async (t) => {
  // Image 0 moves by 1, image 1 by 2 and by 1: image 1's unit move is half the radius, so its
  // colour is 1 - 0.5 (1 - c): right's [255, 229.5, 0] / 255 becomes [255, 242, 127].
  const offsets = offsetsWith(2, 1, 3, [[0, 0, 0, 0, 1], [1, 0, 0, 0, 2], [1, 0, 1, 0, 1]]);
  const [first, second] = flowColors(offsets, [2, 2, 1, 3]);
  t.same(pixel(first!.data, 0), RIGHT, "image 0: its own maximum");
  t.same(pixel(second!.data, 0), RIGHT, "image 1: the longest move is full colour");
  t.same(pixel(second!.data, 1), [255, 242, 127], "image 1: half the radius, halfway to white");
  t.throws(() => flowColors(offsets, [2, 2, 2, 3]), /expected \[B, 2, h, w\]/);
});

t.test("writeFlowPng: the batch side by side, upscaled", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "flow-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "flow.png");
  writeFlowPng(path, offsetsWith(2, 2, 2, [[1, 0, 0, 1, 0]]), [2, 2, 2, 2], 2);
  const png = PNG.sync.read(readFileSync(path));
  t.same([png.width, png.height], [8, 4], "two 2x2 flows, each x2");
  const at = (x: number, y: number) => Array.from(png.data.subarray((y * 8 + x) * 4, (y * 8 + x) * 4 + 3));
  t.same(at(0, 0), [255, 255, 255], "image 0 is still");
  t.same([at(4, 0), at(5, 1)], [DOWN, DOWN], "image 1's moved pixel, repeated 2x2");
  t.same(at(6, 0), [255, 255, 255], "its neighbour is still");
});
