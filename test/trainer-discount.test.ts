// The trainer's paper-style discount (`discount: "nearest"`): the L1 a warm-up step reports
// equals the discounted L1 computed here from the step's own batch, masks and coarse output,
// with the discount from its definition (gamma to the chessboard distance to the nearest
// known pixel of the same image, cropped to the bbox).
import t from "tap";
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { noGrad, tidy } from "../src/index.js";
import { makeConfig } from "../src/train/config.js";
import { defaultDataFolder, loadImageFolder } from "../src/data/image-folder.js";
import { maskTensor, sampleMasks, type MaskBatch } from "../src/data/masks.js";
import { Rng } from "../src/data/rng.js";
import { readLosses, Trainer } from "../src/train/trainer.js";
import { assertClose, FORWARD, testDevice } from "./helpers.js";
import { tempDir } from "./tempdir.js";

const device = await testDevice();
const [B, H, W] = [2, 32, 32];
/** Far from 1, so the discount varies strongly inside the box. */
const GAMMA = 0.7;
/** The warm-up's coarse term carries the whole L1 weight: 0.2 + 1 (the trainer passes the coarse output twice). */
const COARSE_L1_WEIGHT = 1.2;

/** gamma^d, d = max(|dy|, |dx|) to the closest known pixel of the image, by brute force: [B, H, W]. */
function nearestKnownRef(masks: MaskBatch, gamma: number): Float64Array {
  const out = new Float64Array(B * H * W);
  for (let n = 0; n < B; n++) {
    const hole = (y: number, x: number) => masks.data[(n * H + y) * W + x] === 1;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        let d = Infinity;
        for (let yy = 0; yy < H; yy++) for (let xx = 0; xx < W; xx++) if (!hole(yy, xx)) d = Math.min(d, Math.max(Math.abs(yy - y), Math.abs(xx - x)));
        out[(n * H + y) * W + x] = gamma ** d;
      }
  }
  return out;
}

/** The official map: gamma^min(i, h - i, j, w - j) inside each image's box, the same for every image. */
function borderRef(masks: MaskBatch, gamma: number): Float64Array {
  const out = new Float64Array(B * H * W);
  masks.boxes.forEach((box, n) => {
    for (let i = 0; i < box.height; i++)
      for (let j = 0; j < box.width; j++) out[(n * H + box.top + i) * W + box.left + j] = gamma ** Math.min(i, box.height - i, j, box.width - j);
  });
  return out;
}

/** weight * mean over the boxes of |x - x1| * discount (the discount given on the whole image). */
function discountedL1(image: Float32Array, coarse: Float32Array, masks: MaskBatch, discount: Float64Array, weight: number): number {
  let total = 0;
  let count = 0;
  masks.boxes.forEach((box, n) => {
    for (let c = 0; c < 3; c++)
      for (let y = box.top; y < box.top + box.height; y++)
        for (let x = box.left; x < box.left + box.width; x++) {
          const i = ((n * 3 + c) * H + y) * W + x;
          total += Math.abs(image[i]! - coarse[i]!) * discount[(n * H + y) * W + x]!;
          count++;
        }
  });
  return (weight * total) / count;
}

t.test("a warm-up step with discount 'nearest' reports the L1 discounted by the distance to the nearest known pixel", async (t) => {
  const dir = tempDir(t);
  for (const file of readdirSync(defaultDataFolder()).filter((f) => f.endsWith(".png")).sort().slice(0, 2)) copyFileSync(join(defaultDataFolder(), file), join(dir, file));
  const dataset = loadImageFolder({ folder: dir, height: H, width: W, flip: false });
  const seed = 11;
  const config = makeConfig("tiny", { height: H, width: W, batch: B, cnum: 2, criticCnum: 4, warmup: 1, discount: "nearest", gamma: GAMMA, seed });
  const trainer = new Trainer(device, config, dataset);

  // The trainer's streams: data from (seed, 1), masks from (seed, 2); its first step draws these.
  const image = dataset.batchArray(Rng.fromSeed(seed, 1), B);
  const masks = sampleMasks(Rng.fromSeed(seed, 2), { batch: B, height: H, width: W });
  t.notSame(masks.boxes[0], masks.boxes[1], "each image has its own hole");
  const coarseTensor = tidy(() => noGrad(() => trainer.generator.forwardCoarse(device.tensor(image, [B, 3, H, W]), maskTensor(device, masks))));
  const coarse = await coarseTensor.read();
  coarseTensor.dispose();

  const losses = await readLosses(trainer.step(true)!);
  const nearest = discountedL1(image, coarse, masks, nearestKnownRef(masks, GAMMA), COARSE_L1_WEIGHT);
  const border = discountedL1(image, coarse, masks, borderRef(masks, GAMMA), COARSE_L1_WEIGHT);
  t.ok(Math.abs(nearest - border) > 0.05 * nearest, `the two rules give different losses here (${nearest.toFixed(4)} and ${border.toFixed(4)})`);
  assertClose(t, [losses.l1!], [nearest], FORWARD, "l1 of the first step");
  trainer.dispose();
});
