// Training lowers the error in the hole: a few hundred steps on one image, first warm-up
// steps of the coarse network, then generator steps of the whole network. (Split from
// trainer.test.ts so that neither file nears tap's per-file limit on a slow adapter.)
import t from "tap";
import { noGrad, tidy } from "../src/index.js";
import { ImageDataset } from "../src/data/dataset.js";
import { loadImageFolder } from "../src/data/image-folder.js";
import { maskTensor, sampleMasks } from "../src/data/masks.js";
import { Rng } from "../src/data/rng.js";
import { readLosses, Trainer, type Losses } from "../src/train/trainer.js";
import { testDevice } from "./helpers.js";
import { avatars, tinyConfig } from "./train-fixtures.js";

const device = await testDevice();

/** A data set of the first fake avatar only, shrunk to 32x32. */
function oneImage(t: { teardown: (fn: () => void) => void }): ImageDataset {
  return loadImageFolder({ folder: avatars(t, 1), height: 32, width: 32, flip: false });
}

/** The L1 over the hole pixels of one fixed image and hole, for the coarse or the refined output. */
function holeProbe(trainer: Trainer, dataset: ImageDataset): (which: "coarse" | "refined") => Promise<number> {
  const rng = Rng.fromSeed(5);
  const image = dataset.batchArray(rng, 1);
  const masks = sampleMasks(rng, { batch: 1, height: 32, width: 32 });
  return async (which) => {
    const output = tidy(() => noGrad(() => trainer.generator.forward(device.tensor(image, [1, 3, 32, 32]), maskTensor(device, masks))[which]));
    const values = await output.read();
    output.dispose();
    let sum = 0;
    let count = 0;
    for (let c = 0; c < 3; c++) {
      for (let p = 0; p < 32 * 32; p++) {
        if (masks.data[p] !== 1) continue;
        sum += Math.abs(values[c * 1024 + p]! - image[c * 1024 + p]!);
        count++;
      }
    }
    return sum / count;
  };
}


/** Runs `iterations` and returns the first and last losses, syncing after each as the training loop does. */
async function train(trainer: Trainer, iterations: number): Promise<[Losses, Losses]> {
  const first = await readLosses(trainer.step(true)!);
  for (let i = 2; i < iterations; i++) {
    trainer.step(false);
    await device.sync(); // hundreds of steps queued without a wait crash lavapipe
  }
  return [first, await readLosses(trainer.step(true)!)];
}

t.test("a few hundred coarse warm-up steps overfit one image: the L1 in the hole falls well below its start", async (t) => {
  const dataset = oneImage(t);
  // A higher learning rate than the paper's 1e-4, so 300 steps of batch 1 get somewhere.
  const trainer = new Trainer(device, tinyConfig({ warmup: 300, lr: 1e-3 }), dataset);
  const probe = holeProbe(trainer, dataset);
  const before = await probe("coarse");
  const [first, last] = await train(trainer, 300);
  const after = await probe("coarse");
  t.ok(after < 0.5 * before, `hole L1 of the coarse output ${before.toFixed(4)} -> ${after.toFixed(4)} after 300 steps (want < half)`);
  t.ok(last.l1! < 0.5 * first.l1!, `discounted L1 loss ${first.l1!.toFixed(4)} -> ${last.l1!.toFixed(4)}`);
  t.same(Object.keys(last), ["g", "l1", "ae"], "warm-up steps report the reconstruction losses only");
  trainer.dispose();
  t.equal(device.memory().liveTensors, 0, "nothing left after dispose");
});

t.test("generator steps of the whole network (critics present, no critic steps) overfit one image too", async (t) => {
  const dataset = oneImage(t);
  const trainer = new Trainer(device, tinyConfig({ criticSteps: 0, lr: 1e-3 }), dataset);
  const probe = holeProbe(trainer, dataset);
  const before = await probe("refined");
  const [first, last] = await train(trainer, 150);
  const after = await probe("refined");
  t.ok(after < 0.5 * before, `hole L1 of the refined output ${before.toFixed(4)} -> ${after.toFixed(4)} after 150 steps (want < half)`);
  t.ok(last.l1! < 0.5 * first.l1!, `discounted L1 loss ${first.l1!.toFixed(4)} -> ${last.l1!.toFixed(4)}`);
  trainer.dispose();
});
