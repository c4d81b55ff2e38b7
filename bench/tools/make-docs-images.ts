/**
 * Regenerates the pictures of docs/contextual-attention.md:
 *
 *   npm run build:dev && node build/bench/tools/make-docs-images.js [docs/images]
 *
 * The scene is made here, without a trained model: a 64x64 brick texture with a hole, whose
 * pixels (RGB, so 3 channels) stand in for the feature map the refinement network feeds the
 * layer. The hole is pre-filled by the diffusion baseline, playing the coarse network's blurry
 * guess. Then:
 *  - contextualAttention (the engine's layer, as the generator calls it) gives the flow and
 *    the paste-back;
 *  - the float64 reference of the layer (test/reference/attention.ts, which the layer's tests
 *    hold it to) gives one hole position's row of attention weights for the heat map, since
 *    the layer does not return its attention matrix.
 * Every picture is upscaled x4 (nearest) so single pixels stay visible.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { tidy } from "../../src/index.js";
import { openDevice } from "../../src/open-device.js";
import { laplaceFill } from "../../src/infer/baselines.js";
import type { HoleMask } from "../../src/infer/inpaint-image.js";
import { paintHoles } from "../../src/infer/grid.js";
import { tileImages, upscale } from "../../src/io/picture.js";
import { writePng } from "../../src/io/image.js";
import { type RgbImage } from "../../src/io/rgb-image.js";
import { contextualAttention } from "../../src/models/contextual-attention.js";
import { flowColors } from "../../src/io/flow.js";
import { contextualAttentionRef, DEFAULT_REF_OPTIONS } from "../../test/reference/attention.js";

const SIZE = 64;
const SCALE = 4;
/** The hole: rows and columns [top, top + side). */
const HOLE = { top: 22, left: 26, side: 20 };
/** The downscaled (32x32) hole position whose attention row the heat map shows. */
const QUERY = { y: 16, x: 17 };

/** Bricks: rows of 8 pixels, bricks 16 wide, alternate rows shifted by half a brick, 2-pixel mortar; colour varies per brick. */
function bricks(): RgbImage {
  const data = new Uint8Array(SIZE * SIZE * 3);
  for (let y = 0; y < SIZE; y++) {
    const row = Math.floor(y / 8);
    for (let x = 0; x < SIZE; x++) {
      const shifted = x + (row % 2) * 8;
      const brick = Math.floor(shifted / 16);
      const mortar = y % 8 >= 6 || shifted % 16 >= 14;
      const tone = ((row * 7 + brick * 13) % 5) * 12;
      // A little per-pixel grain, so no two patches are identical (as in a photo) and the known region attends to itself.
      const grain = (((x * 73856093) ^ (y * 19349663)) >>> 0) % 13 - 6;
      data.set((mortar ? [205, 200, 190] : [150 + tone, 60 + tone / 2, 45]).map((v) => v + grain), 3 * (y * SIZE + x));
    }
  }
  return { width: SIZE, height: SIZE, data };
}

/** A square outline of `colour` around cells [top, top + size) x [left, left + size) of `image`. */
function outline(image: RgbImage, top: number, left: number, size: number, colour: [number, number, number]): void {
  for (let i = -1; i <= size; i++)
    for (const [y, x] of [[top - 1, left + i], [top + size, left + i], [top + i, left - 1], [top + i, left + size]] as const) {
      if (y >= 0 && x >= 0 && y < image.height && x < image.width) image.data.set(colour, 3 * (y * image.width + x));
    }
}

/** Black -> purple -> orange -> yellow -> white, for t in [0, 1]. */
function heat(t: number): [number, number, number] {
  const stops = [[0, 0, 0], [80, 18, 123], [230, 80, 40], [250, 200, 40], [255, 255, 230]];
  const s = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const [a, b, f] = [stops[Math.floor(s)]!, stops[Math.floor(s) + 1]!, s - Math.floor(s)];
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as [number, number, number];
}

/** Planar [3, H, W] floats in [-1, 1] from interleaved RGB, and back. */
const toPlanar = (image: RgbImage) => Float32Array.from({ length: 3 * SIZE * SIZE }, (_, i) => image.data[3 * (i % (SIZE * SIZE)) + Math.floor(i / (SIZE * SIZE))]! / 127.5 - 1);
const fromPlanar = (values: ArrayLike<number>): RgbImage => ({
  width: SIZE, height: SIZE,
  data: Uint8Array.from({ length: 3 * SIZE * SIZE }, (_, i) => Math.min(255, Math.max(0, Math.round((values[(i % 3) * SIZE * SIZE + Math.floor(i / 3)]! + 1) * 127.5)))),
});

const out = process.argv[2] ?? "docs/images";
mkdirSync(out, { recursive: true });
const truth = bricks();
const hole: HoleMask = { width: SIZE, height: SIZE, data: new Uint8Array(SIZE * SIZE) };
for (let y = HOLE.top; y < HOLE.top + HOLE.side; y++) hole.data.fill(1, y * SIZE + HOLE.left, y * SIZE + HOLE.left + HOLE.side);
const coarse = laplaceFill(truth, hole).image;
const features = toPlanar(coarse);
const mask = Float32Array.from(hole.data);

const device = await openDevice();
try {
  const { output, offsets } = tidy(() => {
    const f = device.tensor(features, [1, 3, SIZE, SIZE]);
    return contextualAttention(f, f, device.tensor(mask, [1, 1, SIZE, SIZE]), { softmaxScale: 10, fuseK: 3 });
  });
  const [pasted, where] = [await output.read(), await offsets.read()];
  output.dispose();
  offsets.dispose();
  const small = SIZE / 2;

  // The paste-back inside the hole, the known pixels kept (what the decoder then refines).
  const pastedImage = fromPlanar(pasted);
  const composite = { ...coarse, data: Uint8Array.from(coarse.data, (v, i) => (hole.data[Math.floor(i / 3)] ? pastedImage.data[i]! : v)) };

  // One hole position's row of attention over the 32x32 background positions. For a valid
  // patch log(a) = lambda * fused score - log(sum), so log(a) rescaled to [0, 1] over the
  // valid patches shows the matching scores themselves (the softmax would show only the peak);
  // invalid patches (touching the hole) have a = 0 and stay black.
  const ref = contextualAttentionRef({ data: features, shape: [1, 3, SIZE, SIZE] }, { data: features, shape: [1, 3, SIZE, SIZE] }, { data: mask, shape: [1, 1, SIZE, SIZE] }, DEFAULT_REF_OPTIONS);
  const row = ref.attention.subarray((QUERY.y * small + QUERY.x) * small * small, (QUERY.y * small + QUERY.x + 1) * small * small);
  const peak = Math.max(...row);
  const heatmap: RgbImage = { width: small, height: small, data: new Uint8Array(small * small * 3) };
  const logs = [...row].filter((a) => a > 0).map(Math.log);
  const [lo, hi] = [Math.min(...logs), Math.max(...logs)];
  row.forEach((a, q) => heatmap.data.set(a > 0 ? heat(0.15 + (0.85 * (Math.log(a) - lo)) / (hi - lo)) : [0, 0, 0], 3 * q));
  const heatBig = upscale(heatmap, 2 * SCALE);
  outline(heatBig, (HOLE.top / 2) * 2 * SCALE, (HOLE.left / 2) * 2 * SCALE, (HOLE.side / 2) * 2 * SCALE, [0, 200, 255]);
  outline(heatBig, QUERY.y * 2 * SCALE, QUERY.x * 2 * SCALE, 2 * SCALE, [40, 255, 40]);

  const [flow] = flowColors(where, [1, 2, small, small]);
  const masked = upscale(paintHoles(truth, hole), SCALE);
  const queryOnImage = upscale(coarse, SCALE);
  outline(queryOnImage, QUERY.y * 2 * SCALE, QUERY.x * 2 * SCALE, 2 * SCALE, [40, 255, 40]);
  const pictures: [string, RgbImage][] = [
    ["ca-1-masked.png", masked],
    ["ca-2-coarse.png", queryOnImage],
    ["ca-3-attention.png", heatBig],
    ["ca-4-flow.png", upscale(flow!, 2 * SCALE)],
    ["ca-5-pasted.png", upscale(composite, SCALE)],
    ["ca-6-output.png", upscale(pastedImage, SCALE)],
    ["ca-strip.png", tileImages([[masked, queryOnImage, heatBig, upscale(flow!, 2 * SCALE), upscale(composite, SCALE)]], { gap: 4 })],
  ];
  for (const [name, image] of pictures) writePng(join(out, name), image);
  const [qy, qx] = [where[QUERY.y * small + QUERY.x]!, where[small * small + QUERY.y * small + QUERY.x]!];
  let error = 0;
  let count = 0;
  for (let p = 0; p < SIZE * SIZE; p++) {
    if (!hole.data[p]) continue;
    for (let c = 0; c < 3; c++) (error += Math.abs(composite.data[3 * p + c]! - truth.data[3 * p + c]!)), count++;
  }
  const laplaceError = [...hole.data.keys()].filter((p) => hole.data[p]).reduce((a, p) => a + [0, 1, 2].reduce((s, c) => s + Math.abs(coarse.data[3 * p + c]! - truth.data[3 * p + c]!), 0), 0) / count;
  const disagreement = pasted.reduce((a, v, i) => Math.max(a, Math.abs(v - ref.output[i]!)), 0);
  console.log(`the layer's paste-back and the float64 reference differ by at most ${disagreement.toExponential(1)}`);
  console.log(`query (${QUERY.y}, ${QUERY.x}) -> best match (${qy}, ${qx}), peak weight ${peak.toFixed(3)}`);
  console.log(`mean |error| in the hole: diffusion ${laplaceError.toFixed(1)}, after paste-back ${(error / count).toFixed(1)} (of 255)`);
  console.log(`wrote ${pictures.map(([n]) => n).join(", ")} to ${out}`);
} finally {
  device.destroy();
}
