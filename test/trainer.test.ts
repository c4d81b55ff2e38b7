// The training step on tiny configurations: a checkpoint restores every tensor bit for bit,
// resuming at iteration k repeats the straight run's losses exactly (warm-up and GAN
// iterations, all random streams), and memory stays flat across iterations.
// trainer-overfit.test.ts checks that training lowers the error in the hole.
import t from "tap";
import { readFileSync } from "node:fs";
import { loadCheckpoint, saveCheckpoint } from "../src/checkpoint/checkpoint.js";
import { loadImageFolder } from "../src/data/image-folder.js";
import { readLosses, Trainer, type Losses } from "../src/train/trainer.js";
import { encodeTrainer, restoreTrainer, trainerCheckpoint, trainerTensors } from "../src/train/trainer-state.js";
import { testDevice } from "./helpers.js";
import { tempDir } from "./tempdir.js";
import { tinyConfig } from "./train-fixtures.js";

const device = await testDevice();

async function run(trainer: Trainer, iterations: number): Promise<Losses[]> {
  const out: Losses[] = [];
  for (let i = 0; i < iterations; i++) out.push(await readLosses(trainer.step(true)!));
  return out;
}

function bits(data: Float32Array): number[] {
  return [...new Uint32Array(data.buffer, data.byteOffset, data.length)];
}


t.test("full iterations: losses are finite, the critics' and generator's steps count, memory stays flat", async (t) => {
  const dataset = loadImageFolder({ height: 32, width: 32 });
  const trainer = new Trainer(device, tinyConfig({ criticSteps: 2 }), dataset);
  const [first] = await run(trainer, 2);
  t.same(Object.keys(first!), ["g", "g_global", "g_local", "l1", "ae", "d", "d_global", "d_local", "gp_global", "gp_local"]);
  t.ok(Object.values(first!).every(Number.isFinite), "every loss is finite");
  t.ok(Math.abs(first!.d! - (first!.d_global! + first!.d_local! + 10 * (first!.gp_global! + first!.gp_local!))) < 1e-4, "d = d_global + d_local + 10 (gp_global + gp_local)");
  t.ok(Math.abs(first!.g! - (0.001 * (first!.g_global! + first!.g_local!) + 1.2 * first!.l1! + 1.2 * first!.ae!)) < 1e-4, "g = 0.001 (g_global + g_local) + 1.2 l1 + 1.2 ae");
  const settled = device.memory();
  for (let i = 0; i < 3; i++) {
    trainer.step(false);
    await device.sync();
  }
  await run(trainer, 1);
  const later = device.memory();
  t.equal(later.liveTensors, settled.liveTensors, "live tensors flat");
  t.equal(later.bytesInUse, settled.bytesInUse, "bytes in use flat");
  t.equal(later.buffersAllocated, settled.buffersAllocated, "no new buffers after the first iterations");
  t.equal(trainer.criticOptimizer.stepCount, 12, "2 critic steps in each of 6 iterations");
  t.equal(trainer.generatorOptimizer.stepCount, 6, "one generator step per iteration");
  trainer.dispose();
});

t.test("checkpoint round trip is bit-exact; resume at k then n more = n + k straight", async (t) => {
  const dir = tempDir(t);
  const dataset = loadImageFolder({ height: 32, width: 32 });
  const config = tinyConfig({ criticSteps: 2, warmup: 1, seed: 3 });
  const straight = new Trainer(device, config, dataset);
  const before = await run(straight, 2);
  const files = await saveCheckpoint(dir, { ...trainerCheckpoint(straight), keep: 3 });
  const encoded = await encodeTrainer(straight);
  t.equal(Buffer.compare(readFileSync(files.tensorsPath), encoded.safetensors), 0, "a page's encodeTrainer gives the bytes of the files train.js writes");
  const after = await run(straight, 2);

  const checkpoint = loadCheckpoint(files.sidecarPath);
  const sidecar = checkpoint.config as { model: Record<string, unknown> };
  t.same(sidecar.model, { cnum: 4, criticCnum: 8, height: 32, width: 32, attention: { softmaxScale: 10, fuseK: 3, sharedMask: false } }, "config.model per the contract");
  t.same(Object.keys(checkpoint.rng).sort(), ["data", "gp", "masks"], "all three random streams saved");
  t.same(checkpoint.optimizers, { generator: { step: 2 }, critics: { step: 2 } }, "optimizer step counts (1 warm-up + 1 full iteration)");

  // Another seed: every weight differs until the checkpoint is restored.
  const resumed = new Trainer(device, { ...config, seed: 11 }, dataset);
  const name = "generator.coarse.conv1.weight";
  t.notSame(bits(await trainerTensors(resumed).get(name)!.read()), bits(checkpoint.tensors.get(name)!.data), "another seed's weights differ before restoring");
  restoreTrainer(resumed, checkpoint);
  const restored = trainerTensors(resumed);
  let mismatched = 0;
  for (const [name, saved] of checkpoint.tensors) {
    const now = await restored.get(name)!.read();
    if (bits(now).join() !== bits(saved.data).join()) mismatched++;
  }
  t.equal(mismatched, 0, `all ${checkpoint.tensors.size} tensors (parameters and moments) restored bit for bit`);
  t.equal(resumed.iteration, 2, "iteration restored");
  const continued = await run(resumed, 2);
  t.same(continued, after, "iterations 3-4 after resuming equal the straight run's, bit for bit");
  t.notSame(before[1], after[0], "and the losses do change between iterations");
  straight.dispose();
  resumed.dispose();
});
