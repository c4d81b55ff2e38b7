// The generator's inference memory estimate against what a pass really allocates, and the
// up-front refusal of a working size over the budget or the adapter's binding, naming the
// largest size that fits.
import t from "tap";
import { Generator, noGrad, tidy } from "../src/index.js";
import { checkWorkingSize, largestFittingSide } from "../src/infer/memory-check.js";
import { inferenceFootprint } from "../src/models/generator-memory.js";
import { testDevice } from "./helpers.js";

const device = await testDevice();
const MIB = 2 ** 20;

t.test("the estimate is above the buffers a pass allocates, and not far above", async (t) => {
  for (const cnum of [4, 8]) {
    const generator = new Generator(device, { cnum, attention: { fuseK: 3 } });
    for (const [h, w] of [[16, 24], [64, 40], [96, 96]] as const) {
      device.trim();
      const mask = new Float32Array(h * w).fill(0, 0);
      mask.fill(1, 0, (h * w) / 3);
      const refined = tidy(() => noGrad(() => generator.forward(device.tensor(new Float32Array(3 * h * w).fill(0.2), [1, 3, h, w]), device.tensor(mask, [1, 1, h, w])).refined));
      await refined.read();
      refined.dispose();
      const { bytesInUse, bytesPooled } = device.memory();
      const allocated = bytesInUse + bytesPooled;
      const { bytes } = inferenceFootprint(generator, h, w, device.limits);
      t.ok(bytes >= allocated && bytes <= 3 * allocated, `cnum ${cnum}, ${w}x${h}: estimate ${bytes}, allocated ${allocated}`);
    }
    generator.dispose();
  }
});

t.test("a working size over the budget or the binding is refused with the largest that fits", async (t) => {
  const generator = new Generator(device, { cnum: 16 });
  const limits = { maxStorageBufferBindingSize: 128 * MIB, maxBufferSize: 4096 * MIB };
  const budget = 256 * MIB;
  const side = largestFittingSide(generator, limits, budget, 4096);
  t.ok(side >= 64 && side % 8 === 0, `the largest side within 256 MiB: ${side}`);
  t.doesNotThrow(() => checkWorkingSize(generator, side, side, limits, budget), "that side fits");
  t.throws(() => checkWorkingSize(generator, side + 8, side + 8, limits, budget), new RegExp(`over the 0\\.25 GiB budget; the largest that fits is ${side}x${side}: pass --work-size ${side} or less`));
  t.throws(
    () => checkWorkingSize(generator, 1600, 1200, limits, 64 * 2 ** 30),
    /a 1600x1200 working region of this cnum-16 generator needs a \d+ MiB buffer, over the adapter's 128 MiB storage binding; the largest that fits is (\d+)x\1: pass --work-size \1 or less$/,
    "the binding is a hard limit whatever the budget",
  );
  t.throws(() => checkWorkingSize(generator, 64, 64, limits, 1024), /no working size fits; raise --memory-budget/);
  generator.dispose();
});
