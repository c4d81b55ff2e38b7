// Inpainting with a tiny saved generator: odd sizes and several holes keep every known pixel
// bit-exact while the holes are the generator's output on the mirror-padded image; attention
// chunking does not change the result; checkpoints that cannot serve give one-line errors.
import t from "tap";
import { Generator, noGrad, tidy } from "../src/index.js";
import { flowImage, inpaint, maskFromRgb, mirrorIndex, paddedSide } from "../src/infer/inpaint-image.js";
import { inpaintRegions } from "../src/infer/inpaint-regions.js";
import { loadGenerator } from "../src/infer/load-generator.js";
import { inferenceFootprint } from "../src/models/generator-memory.js";
import { saveCheckpoint } from "../src/checkpoint/checkpoint.js";
import { testDevice } from "./helpers.js";
import { maskImage, testImage, tinyCheckpoint, TINY_MODEL } from "./inpaint-fixtures.js";
import { tempDir } from "./tempdir.js";

const device = await testDevice();

t.test("mirror padding indices and sizes", async (t) => {
  t.same([...Array(9).keys()].map((i) => mirrorIndex(i, 4)), [0, 1, 2, 3, 2, 1, 0, 1, 2], "reflect without repeating the edge, periodic");
  t.same([0, 1, 2].map((i) => mirrorIndex(i, 1)), [0, 0, 0], "a one-pixel side repeats its pixel");
  t.same([1, 8, 9, 29, 37].map(paddedSide), [8, 8, 16, 32, 40]);
  const mask = maskFromRgb({ width: 4, height: 1, data: Uint8Array.from([255, 255, 255, 128, 127, 128, 127, 128, 127, 255, 0, 100]) });
  t.same([...mask.data], [1, 1, 0, 0], "a hole where the grey level (mean of R, G, B) exceeds 127.5");
});

t.test("the flow picture: 8x8 pixels per offset cell, cropped to the image", async (t) => {
  // A 2x3 grid of cells (a 16x24 padded image) for a 13x20 image; every cell points at itself but (0, 1).
  const offsets = Float32Array.from([0, 0, 0, 1, 1, 1, 0, 1, 2, 0, 1, 2]);
  offsets[1] = 1; // cell (0, 1) -> row 1: a displacement of (1, 0)
  const flow = flowImage({ image: { width: 20, height: 13, data: new Uint8Array(20 * 13 * 3) }, offsets, offsetShape: [1, 2, 2, 3] });
  t.same([flow.width, flow.height], [20, 13]);
  const white = (x: number, y: number) => [0, 1, 2].every((c) => flow.data[3 * (y * 20 + x) + c] === 255);
  const coloured: string[] = [];
  for (let y = 0; y < 13; y++) for (let x = 0; x < 20; x++) if (!white(x, y)) coloured.push(`${x},${y}`);
  t.equal(coloured.length, 64, "one 8x8 block is coloured");
  t.ok(coloured.every((p) => { const [x, y] = p.split(",").map(Number); return x! >= 8 && x! < 16 && y! < 8; }), "the block of cell (0, 1)");
});

t.test("37x29 with two holes: known pixels bit-exact, holes from the generator on the padded image", async (t) => {
  const sidecar = await tinyCheckpoint(device, tempDir(t), 3);
  const { generator, step } = loadGenerator(device, sidecar);
  t.equal(step, 5);
  const [w, h] = [37, 29];
  const image = testImage(w, h);
  // One hole inside, one touching the bottom-right corner (so the padding mirrors it).
  const mask = maskFromRgb(maskImage(w, h, [[3, 4, 7, 9], [21, 30, 8, 7]]));
  const result = await inpaint(generator, image, mask);
  t.same([result.image.width, result.image.height], [w, h], "cropped back to the input size");
  t.same(result.offsetShape, [1, 2, 4, 5], "offsets of the 32x40 padded image");

  // The same computation by hand: mirror-pad image and mask to 32x40, run the generator.
  const [H, W] = [32, 40];
  const x = new Float32Array(3 * H * W);
  const m = new Float32Array(H * W);
  for (let y = 0; y < H; y++)
    for (let xx = 0; xx < W; xx++) {
      const sy = y < h ? y : 2 * (h - 1) - y;
      const sx = xx < w ? xx : 2 * (w - 1) - xx;
      m[y * W + xx] = mask.data[sy * w + sx]!;
      for (let c = 0; c < 3; c++) x[c * H * W + y * W + xx] = image.data[3 * (sy * w + sx) + c]! / 127.5 - 1;
    }
  const outputs = tidy(() => noGrad(() => generator.forward(device.tensor(x, [1, 3, H, W]), device.tensor(m, [1, 1, H, W]))));
  const byOutput = { refined: await outputs.refined.read(), coarse: await outputs.coarse.read() };
  for (const tensor of Object.values(outputs)) tensor.dispose();

  // The result shows the refined output in the holes, and its coarse picture the coarse output.
  for (const [name, picture, expected] of [["refined", result.image, byOutput.refined], ["coarse", result.coarse, byOutput.coarse]] as const) {
    let known = 0, knownSame = 0, holes = 0, holesAsExpected = 0, holesChanged = 0;
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++) {
        const p = y * w + xx;
        for (let c = 0; c < 3; c++) {
          const got = picture.data[3 * p + c]!;
          if (mask.data[p] === 0) {
            known++;
            if (got === image.data[3 * p + c]) knownSame++;
          } else {
            holes++;
            const want = Math.min(255, Math.max(0, Math.round((expected[c * H * W + y * W + xx]! + 1) * 127.5)));
            if (Math.abs(got - want) <= 1) holesAsExpected++;
            if (got !== image.data[3 * p + c]) holesChanged++;
          }
        }
      }
    t.equal(knownSame, known, `${name}: all ${known} known values are the input's bytes`);
    t.equal(holes, 3 * (7 * 9 + 8 * 7), `${name}: both holes counted`);
    t.equal(holesAsExpected, holes, `${name}: every hole value is the generator's ${name} output there (within rounding)`);
    t.ok(holesChanged > holes * 0.9, `${name}: the holes are filled, not left as they were (${holesChanged}/${holes} values changed)`);
  }
  generator.dispose();
  t.equal(device.memory().liveTensors, 0, "nothing left on the device");
});

t.test("chunked and unchunked attention give the same image", async (t) => {
  const sidecar = await tinyCheckpoint(device, tempDir(t), 4);
  const image = testImage(45, 38);
  const mask = maskFromRgb(maskImage(45, 38, [[10, 12, 14, 16], [0, 0, 5, 5]]));
  const run = async (chunkSize: number | "auto") => {
    const { generator } = loadGenerator(device, sidecar, { chunkSize });
    try {
      return await inpaint(generator, image, mask);
    } finally {
      generator.dispose();
    }
  };
  // 40x48 padded -> 5x6 attention positions; chunkSize 6 is one row per chunk.
  const [whole, rows, pairs] = [await run("auto"), await run(6), await run(12)];
  for (const [name, other] of [["one row per chunk", rows], ["two rows per chunk", pairs]] as const) {
    const worst = whole.image.data.reduce((a, v, i) => Math.max(a, Math.abs(v - other.image.data[i]!)), 0);
    t.ok(worst <= 1, `${name}: largest byte difference ${worst} (float rounding only)`);
    t.same([...other.offsets], [...whole.offsets], `${name}: same attention offsets`);
  }
});

t.test("checkpoints that cannot serve inference give one-line errors", async (t) => {
  const dir = tempDir(t);
  const critic = new Generator(device, { cnum: 4 });
  const renamed = new Map([...critic.parameters].map(([name, p]) => [name.replace("generator.", "localCritic."), p]));
  const noGenerator = await saveCheckpoint(`${dir}/a`, { step: 1, tensors: renamed, config: { model: TINY_MODEL } });
  t.throws(() => loadGenerator(device, noGenerator.sidecarPath), /holds no generator weights \(no tensor named "generator\.\*"\)/);
  const noModel = await saveCheckpoint(`${dir}/b`, { step: 1, tensors: critic.parameters, config: { lr: 1e-4 } });
  t.throws(() => loadGenerator(device, noModel.sidecarPath), /has no generator configuration \(config\.model\.cnum/);
  const wrongWidth = await saveCheckpoint(`${dir}/c`, { step: 1, tensors: critic.parameters, config: { model: { ...TINY_MODEL, cnum: 8 } } });
  t.throws(() => loadGenerator(device, wrongWidth.sidecarPath), /saved for another configuration: .*; its tensors do not fit the cnum-8 generator its config\.model describes; pass a checkpoint as train\.js/);
  critic.dispose();
  t.throws(() => loadGenerator(device, `${dir}/missing`), /checkpoint .*missing does not exist/);
  t.throws(() => loadGenerator(device, dir), /holds no checkpoint \(no step-\*\.json, nor a checkpoints\/ folder with one\)/);
  const run = tempDir(t);
  const inside = await tinyCheckpoint(device, `${run}/checkpoints`);
  const fromRun = loadGenerator(device, run);
  t.equal(fromRun.sidecarPath, inside, "a run folder resolves to its checkpoints/ folder's newest");
  fromRun.generator.dispose();
  t.equal(device.memory().liveTensors, 0, "a failed load leaves nothing on the device");
});

t.test("regions: an image no larger than the working size is exactly the whole-image fill", async (t) => {
  const sidecar = await tinyCheckpoint(device, tempDir(t), 6);
  const { generator } = loadGenerator(device, sidecar);
  const image = testImage(30, 27);
  const mask = maskFromRgb(maskImage(30, 27, [[2, 3, 6, 5], [18, 20, 9, 10]]));
  const whole = await inpaint(generator, image, mask);
  const regions = await inpaintRegions(generator, image, mask, { workSize: 32, flow: true });
  t.equal(regions.regions.length, 1);
  t.same([...regions.image.data], [...whole.image.data], "byte for byte");
  t.same([...regions.coarse.data], [...whole.coarse.data], "the same coarse picture");
  t.same([...regions.flow!.data], [...flowImage(whole).data], "the same flow picture");
  generator.dispose();
});

t.test("regions on an image larger than the working size: known pixels byte-exact, holes filled, little memory", async (t) => {
  const sidecar = await tinyCheckpoint(device, tempDir(t), 7);
  const { generator } = loadGenerator(device, sidecar);
  const [w, h] = [300, 220];
  const image = testImage(w, h);
  // A hole larger than the working size (run shrunk) and a small one at the right border (run at its own pixels).
  const mask = maskFromRgb(maskImage(w, h, [[40, 30, 50, 70], [150, 290, 9, 10]]));
  device.trim();
  const result = await inpaintRegions(generator, image, mask, { workSize: 32, flow: true });
  const allocated = device.memory().bytesInUse + device.memory().bytesPooled;
  t.same(result.regions.map((r) => r.work), [{ width: 32, height: 32 }, { width: 32, height: 32 }]);
  t.same(result.regions[0]!.box, { left: 0, top: 0, width: 140, height: 140 }, "the large hole's region, shifted inside the image");
  for (const [name, picture] of [["refined", result.image], ["coarse", result.coarse]] as const) {
    let known = 0, knownSame = 0, holes = 0, holesChanged = 0;
    for (let p = 0; p < w * h; p++) {
      for (let c = 0; c < 3; c++) {
        const [got, was] = [picture.data[3 * p + c]!, image.data[3 * p + c]!];
        if (mask.data[p] === 0) {
          known++;
          if (got === was) knownSame++;
        } else {
          holes++;
          if (got !== was) holesChanged++;
        }
      }
    }
    t.equal(knownSame, known, `${name}: all ${known} known values are the input's bytes`);
    t.equal(holes, 3 * (50 * 70 + 9 * 10));
    t.ok(holesChanged > holes * 0.9, `${name}: the holes are filled (${holesChanged}/${holes} values changed)`);
  }
  t.same([result.flow!.width, result.flow!.height], [w, h], "a flow picture of the image's size");
  const wholePass = inferenceFootprint(generator, paddedSide(h), paddedSide(w), device.limits).bytes;
  t.ok(allocated < wholePass / 4, `the regions allocated ${allocated} bytes, a whole-image pass would take about ${wholePass}`);
  generator.dispose();
  t.equal(device.memory().liveTensors, 0, "nothing left on the device");
});
