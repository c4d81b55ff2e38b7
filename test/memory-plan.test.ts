// The training memory plan: its exact parts against the networks' parameter counts, its
// activation estimate against what one iteration really allocates, and the refusal of a run
// with a buffer over the adapter's binding, naming the batch (or size) that fits.
import t from "tap";
import { Generator } from "../src/index.js";
import { globalCritic, localCritic } from "../src/models/critics.js";
import { bboxSize } from "../src/data/masks.js";
import { loadImageFolder } from "../src/data/image-folder.js";
import { makeConfig } from "../src/train/config.js";
import { Trainer } from "../src/train/trainer.js";
import { checkMemoryPlan, memoryPlan, type Networks } from "../src/train/memory-plan.js";
import { testDevice } from "./helpers.js";

const device = await testDevice();
const KIB = 2 ** 10;
const MIB = 2 ** 20;

/** The three networks of a run at size x size, disposed at the end of the test. */
function networks(t: { teardown: (fn: () => void) => void }, size: number, cnum: number, criticCnum: number): Networks {
  const box = bboxSize(size, size);
  const n = {
    generator: new Generator(device, { cnum }),
    globalCritic: globalCritic(device, { size: [size, size], cnum: criticCnum }),
    localCritic: localCritic(device, { size: [box.height, box.width], cnum: criticCnum }),
  };
  t.teardown(() => [n.generator, n.globalCritic, n.localCritic].forEach((x) => x.dispose()));
  return n;
}

const stub = (binding: number) => ({ maxStorageBufferBindingSize: binding, maxBufferSize: 4096 * MIB });

t.test("parameters, gradients and Adam state are the parameter counts times 4 bytes", async (t) => {
  for (const [size, cnum, criticCnum] of [[32, 4, 8], [48, 6, 10]] as const) {
    const n = networks(t, size, cnum, criticCnum);
    const count = n.generator.store.count() + n.globalCritic.store.count() + n.localCritic.store.count();
    const plan = memoryPlan(n, { batch: 2, height: size, width: size }, stub(128 * MIB));
    t.equal(plan.parameters, 4 * count, `${size}x${size}, widths ${cnum}/${criticCnum}: ${count} parameters`);
    t.equal(plan.gradients, 4 * count, "one gradient per parameter");
    t.equal(plan.adam, 8 * count, "two moments per parameter");
  }
});

t.test("the activation estimate is above what one iteration allocates, and within 2x of it", async (t) => {
  const held = () => device.memory().bytesInUse + device.memory().bytesPooled;
  for (const [size, batch, cnum, criticCnum] of [[32, 1, 4, 8], [48, 2, 4, 8], [64, 1, 8, 16]] as const) {
    const config = makeConfig("tiny", { height: size, width: size, batch, cnum, criticCnum, criticSteps: 1 });
    const trainer = new Trainer(device, config, loadImageFolder({ height: size, width: size }));
    await device.sync();
    device.trim();
    const before = held();
    trainer.step(false);
    await device.sync();
    // The pool's growth over the iteration: its activations, temporaries and the parameters' gradients.
    const measured = held() - before;
    const plan = memoryPlan(trainer, config, device.limits);
    const activations = measured - plan.gradients;
    t.ok(plan.activations >= activations && plan.activations <= 2 * activations,
      `${size}x${size} batch ${batch} widths ${cnum}/${criticCnum}: estimate ${(plan.activations / MIB).toFixed(1)} MiB, measured ${(activations / MIB).toFixed(1)} MiB`);
    trainer.dispose();
  }
});

t.test("a buffer over the binding refuses the run with the largest batch that fits", async (t) => {
  const n = networks(t, 64, 4, 8);
  const shape = { batch: 16, height: 64, width: 64 };
  // The widest map is the x2 resize before the coarse network's last upsampling: 8 x 64 x 64 floats per image, 128 KiB.
  t.equal(memoryPlan(n, shape, stub(MIB)).largestBuffer, 16 * 128 * KIB);
  t.throws(() => checkMemoryPlan(n, shape, stub(MIB)),
    /^a 64x64 batch of 16 needs a 2 MiB buffer \(the x2 resize before coarse\.conv15_upsample \(8x64x64\)\), over the adapter's 1 MiB storage binding; pass --batch 8 to fit$/);
  t.doesNotThrow(() => checkMemoryPlan(n, { ...shape, batch: 8 }, stub(MIB)), "--batch 8 fits");
  t.throws(() => checkMemoryPlan(n, { ...shape, batch: 9 }, stub(MIB)), /pass --batch 8 to fit/, "one more does not");
  t.throws(() => checkMemoryPlan(n, shape, { maxStorageBufferBindingSize: 128 * MIB, maxBufferSize: MIB }), /pass --batch 8 to fit/, "the smaller of the two limits counts");
  t.throws(() => checkMemoryPlan(n, shape, stub(MIB), true), /start a new run with --batch 8 \(a resumed run keeps its checkpoint's batch and size\)$/);
});

t.test("the critics' maps count at twice the batch: they score real and fake images together", async (t) => {
  const n = networks(t, 64, 2, 32);
  const plan = memoryPlan(n, { batch: 3, height: 64, width: 64 }, stub(128 * MIB));
  // The global critic's first layer: 32 channels at 32x32 for each of 2 x 3 images.
  t.equal(plan.largestBuffer, 2 * 3 * 32 * 32 * 32 * 4);
  t.match(plan.largestWhat, /globalCritic\.conv1 \(32x32x32\)/);
});

t.test("when not one image fits, the refusal names the largest size at batch 1", async (t) => {
  const n = networks(t, 64, 4, 8);
  // 8 x s x s x 4 bytes <= 100 KiB: s <= 56.
  t.throws(() => checkMemoryPlan(n, { batch: 4, height: 64, width: 64 }, stub(100 * KIB)), /pass --batch 1 --size 56 to fit$/);
  t.doesNotThrow(() => checkMemoryPlan(n, { batch: 1, height: 56, width: 56 }, stub(100 * KIB)), "56x56 at batch 1 fits");
  t.throws(() => checkMemoryPlan(n, { batch: 4, height: 64, width: 64 }, stub(KIB)), /no batch or size fits this adapter$/);
});

t.test("the tiny and small presets fit a 128 MiB binding (lavapipe's), so they are not refused", async (t) => {
  for (const preset of ["tiny", "small"] as const) {
    const c = makeConfig(preset);
    t.doesNotThrow(() => checkMemoryPlan(networks(t, c.height, c.cnum, c.criticCnum), c, stub(128 * MIB)), preset);
  }
});
