// The adversarial direction of the training step, through Trainer.step on a tiny configuration:
// the critic and generator loss parts it reports equal the WGAN terms and penalties assembled
// from the models, with the hole mask for the global penalty and its box crop for the local one;
// a critic step on a fixed batch lowers the critic loss, a generator step lowers the
// generator's adversarial term, and the penalty pulls the masked gradient norms towards 1.
//
// A fixed batch: a step draws its images, masks and penalty seeds from the trainer's random
// streams, so restoring the streams' states before a step repeats the same batch.
import t from "tap";
import { grad, noGrad, requireGrad, sum, tidy } from "../src/index.js";
import type { Critic } from "../src/models/critics.js";
import { makeConfig } from "../src/train/config.js";
import { loadImageFolder } from "../src/data/image-folder.js";
import { maskTensor, sampleMasks, type MaskBatch } from "../src/data/masks.js";
import { Rng } from "../src/data/rng.js";
import { readLosses, Trainer, type Losses, type RandomStates } from "../src/train/trainer.js";
import { assertClose, FORWARD, testDevice } from "./helpers.js";
import { gradientPenaltyReference, penaltyNormsReference } from "./reference/gradient-penalty.js";
import { uniformReference } from "./reference/random.js";

const device = await testDevice();
const dataset = loadImageFolder({ height: 32, width: 32 });
// Two images with a box each (not shared), so a crop at the wrong box or a mean over the wrong
// images shows; one critic step per iteration.
const config = makeConfig("tiny", { height: 32, width: 32, batch: 2, cnum: 4, criticCnum: 8, criticSteps: 1 });
const { batch: B, height: H, width: W } = config;

/** Multiplies both critics' dense weights by `factor`: the critics' input gradients scale with it. */
async function scaleCritics(trainer: Trainer, factor: number): Promise<void> {
  for (const critic of [trainer.globalCritic, trainer.localCritic]) {
    const weight = critic.dense.weight;
    device.write(weight, (await weight.read()).map((v) => v * factor));
  }
}

/** One Trainer.step from the random states `states`, its losses read back (generator parts, then critic parts). */
async function stepFrom(trainer: Trainer, states: RandomStates): Promise<Losses> {
  trainer.restoreRandomStates({ ...states });
  return readLosses(trainer.step(true)!);
}

interface DrawnBatch {
  image: Float32Array;
  masks: MaskBatch;
}

/** What a step draws from `states`, in the trainer's order: the critic step's batch and two penalty seeds, then the generator step's batch. */
function drawn(states: RandomStates): { critic: DrawnBatch; gpSeeds: [number, number]; generator: DrawnBatch } {
  const [data, masks, gp] = [Rng.restore(states.data), Rng.restore(states.masks), Rng.restore(states.gp)];
  const draw = () => ({
    image: dataset.batchArray(data, B),
    masks: sampleMasks(masks, { batch: B, height: H, width: W, kind: config.mask, shared: config.sharedMask }),
  });
  const critic = draw();
  const gpSeeds: [number, number] = [gp.seed(), gp.seed()];
  return { critic, gpSeeds, generator: draw() };
}

/** Each image's box of x [B, C, H, W] (host arrays): [B, C, box height, box width]. */
function cropToBoxes(x: Float32Array, channels: number, masks: MaskBatch): Float32Array {
  const { height, width } = masks.boxes[0]!;
  const out = new Float32Array(B * channels * height * width);
  let i = 0;
  for (let b = 0; b < B; b++) {
    const { top, left } = masks.boxes[b]!;
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < height; y++) for (let u = 0; u < width; u++) out[i++] = x[((b * channels + c) * H + top + y) * W + left + u]!;
    }
  }
  return out;
}

/** The generator's output in the hole and the image elsewhere, for the trainer's current generator. */
async function fakeImages(trainer: Trainer, { image, masks }: DrawnBatch): Promise<Float32Array> {
  const refined = tidy(() => noGrad(() => trainer.generator.forward(device.tensor(image, [B, 3, H, W]), maskTensor(device, masks)).refined));
  const output = await refined.read();
  refined.dispose();
  return image.map((v, i) => {
    const hole = masks.data[Math.floor(i / (3 * H * W)) * H * W + (i % (H * W))]!;
    return hole * output[i]! + (1 - hole) * v;
  });
}

const mean = (values: ArrayLike<number>) => Array.from(values).reduce((s, v) => s + v, 0) / values.length;

/** A critic's scores for host images of `shape`. */
async function scores(critic: Critic, x: Float32Array, shape: number[]): Promise<Float32Array> {
  const y = tidy(() => noGrad(() => critic.forward(device.tensor(x, shape))));
  const values = await y.read();
  y.dispose();
  return values;
}

/** The critic's input gradient at real + alpha (fake - real), alpha from the penalty's seed, and the masked norms and penalty there. */
async function penalty(critic: Critic, real: Float32Array, fake: Float32Array, shape: number[], mask: Float32Array, seed: number) {
  const alpha = uniformReference(seed, B, 0, 1);
  const perImage = real.length / B;
  const interpolates = real.map((r, i) => r + alpha[Math.floor(i / perImage)]! * (fake[i]! - r));
  const g = tidy(() => {
    const x = requireGrad(device.tensor(interpolates, shape));
    return grad(sum(critic.forward(x)), [x])[0]!;
  });
  const values = await g.read();
  g.dispose();
  return { norms: penaltyNormsReference(values, shape, mask), value: gradientPenaltyReference(values, shape, mask) };
}

/** The critic step's loss parts and masked norms for its drawn batch, assembled from the models. */
async function criticParts(trainer: Trainer, states: RandomStates) {
  const { critic: batch, gpSeeds } = drawn(states);
  const fake = await fakeImages(trainer, batch);
  const box = batch.masks.boxes[0]!;
  const cropShape = [B, 3, box.height, box.width];
  const [realCrop, fakeCrop] = [cropToBoxes(batch.image, 3, batch.masks), cropToBoxes(fake, 3, batch.masks)];
  const global = await penalty(trainer.globalCritic, batch.image, fake, [B, 3, H, W], batch.masks.data, gpSeeds[0]);
  const local = await penalty(trainer.localCritic, realCrop, fakeCrop, cropShape, cropToBoxes(batch.masks.data, 1, batch.masks), gpSeeds[1]);
  return {
    d_global: mean(await scores(trainer.globalCritic, fake, [B, 3, H, W])) - mean(await scores(trainer.globalCritic, batch.image, [B, 3, H, W])),
    d_local: mean(await scores(trainer.localCritic, fakeCrop, cropShape)) - mean(await scores(trainer.localCritic, realCrop, cropShape)),
    gp_global: global.value,
    gp_local: local.value,
    norms: [...global.norms, ...local.norms],
  };
}

/** The generator step's adversarial terms for its drawn batch, assembled from the models. */
async function generatorParts(trainer: Trainer, states: RandomStates) {
  const batch = drawn(states).generator;
  const fake = await fakeImages(trainer, batch);
  const box = batch.masks.boxes[0]!;
  return {
    g_global: -mean(await scores(trainer.globalCritic, fake, [B, 3, H, W])),
    g_local: -mean(await scores(trainer.localCritic, cropToBoxes(fake, 3, batch.masks), [B, 3, box.height, box.width])),
  };
}

const adversarial = (losses: Losses) => losses.g_global! + losses.g_local!;

t.test("the reported loss parts are the WGAN terms and penalties of the models, with the hole mask and its box crop", async (t) => {
  const trainer = new Trainer(device, config, dataset);
  // Scores and input-gradient norms of order 1, so a swapped sign or the wrong mask is no small change.
  await scaleCritics(trainer, 20);
  // The critics stay as they are through the critic step, so the generator step sees the same ones.
  trainer.criticOptimizer.lr = 0;
  const states = trainer.randomStates();
  const expected = { ...(await criticParts(trainer, states)), ...(await generatorParts(trainer, states)) };
  const reported = await stepFrom(trainer, states);
  for (const part of ["d_global", "d_local", "gp_global", "gp_local", "g_global", "g_local"] as const) {
    assertClose(t, [reported[part]!], [expected[part]], FORWARD, `${part}: reported ${reported[part]!.toFixed(5)}, assembled ${expected[part].toFixed(5)}`);
  }
  trainer.dispose();
});

t.test("a critic step on a fixed batch lowers the critic loss; a generator step lowers the adversarial term", async (t) => {
  const trainer = new Trainer(device, config, dataset);
  const states = trainer.randomStates();
  trainer.generatorOptimizer.lr = 0;
  const [before, after] = [await stepFrom(trainer, states), await stepFrom(trainer, states)];
  t.ok(after.d! < before.d!, `d ${before.d!.toFixed(5)} -> ${after.d!.toFixed(5)} after one critic step`);

  // Critics 1e4 times sharper make the adversarial term (weight 0.001) dominate the generator's gradient.
  const adversary = new Trainer(device, config, dataset);
  await scaleCritics(adversary, 1e4);
  adversary.criticOptimizer.lr = 0;
  const [gBefore, gAfter] = [await stepFrom(adversary, states), await stepFrom(adversary, states)];
  t.ok(adversarial(gAfter) < adversarial(gBefore), `g_global + g_local ${adversarial(gBefore).toFixed(4)} -> ${adversarial(gAfter).toFixed(4)} after one generator step`);
  t.ok(gAfter.g! < gBefore.g!, `g ${gBefore.g!.toFixed(4)} -> ${gAfter.g!.toFixed(4)}`);
  trainer.dispose();
  adversary.dispose();
});

t.test("the penalty pulls the masked gradient norms towards 1, from below and from above", async (t) => {
  for (const factor of [1, 1e3]) {
    const trainer = new Trainer(device, config, dataset);
    await scaleCritics(trainer, factor);
    trainer.generatorOptimizer.lr = 0;
    const states = trainer.randomStates();
    const before = (await criticParts(trainer, states)).norms;
    await stepFrom(trainer, states);
    const after = (await criticParts(trainer, states)).norms;
    const distance = (norms: number[]) => mean(norms.map((n) => Math.abs(n - 1)));
    t.ok(distance(after) < distance(before), `dense x${factor}: mean |norm - 1| ${distance(before).toFixed(4)} -> ${distance(after).toFixed(4)}`);
    trainer.dispose();
  }
  t.equal(device.memory().liveTensors, 0, "no live tensors left");
});
