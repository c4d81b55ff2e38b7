// DeepFill networks: parameter counts equal the official architecture's at widths 32 and 64, per-layer
// spot checks, names and initial values, a tiny generator's forward and backward pass, and
// the critics' shapes and flatten order. The generator's values, layer by layer, are checked
// against a float64 reference in generator-reference.test.ts.
import type { Test } from "tap";
import {
  Generator, composite, globalCritic, grad, localCritic, mean, noGrad, tidy, type Tensor,
} from "../src/index.js";
import { assertClose, FORWARD, leakCheckedTest, randomValues, testDevice } from "./helpers.js";

const device = await testDevice();
const test = (name: string, body: (t: Test) => Promise<void>) => leakCheckedTest(device, name, body);

/** Parameters whose names start with `prefix`. */
function countUnder(parameters: Map<string, Tensor>, prefix: string): number {
  let n = 0;
  for (const [name, p] of parameters) if (name.startsWith(prefix)) n += p.size;
  return n;
}

/** Weight plus bias of one layer. */
const layerCount = (parameters: Map<string, Tensor>, layer: string) => countUnder(parameters, `${layer}.`);

test("generator parameter counts equal the official architecture's at cnum 32 and 64", async (t) => {
  const g = new Generator(device, { cnum: 32 });
  const p = g.parameters;
  t.equal(countUnder(p, ""), 3_601_542, "total at cnum 32");
  t.equal(countUnder(p, "generator.coarse."), 1_448_227, "coarse network");
  t.equal(countUnder(p, "generator.refine."), 2_153_315, "refinement network (both branches and decoder)");
  t.equal(layerCount(p, "generator.coarse.conv1"), 4_032, "conv1 (5x5, 5 -> 32)");
  t.equal(layerCount(p, "generator.coarse.conv2_downsample"), 18_496, "conv2_downsample (3x3, 32 -> 64)");
  t.equal(layerCount(p, "generator.coarse.conv5"), 147_584, "a 4c -> 4c 3x3 layer");
  t.equal(layerCount(p, "generator.refine.allconv11"), 295_040, "allconv11 (8c -> 4c)");
  t.equal(layerCount(p, "generator.coarse.conv17"), 435, "conv17 (c/2 -> 3)");
  t.equal(p.size, 2 * 42, "42 convolutions (coarse 17, conv branch 10, attention branch 8, decoder 7), each a weight and a bias");
  g.dispose();
  const wide = new Generator(device, { cnum: 64 });
  t.equal(wide.store.count(), 14_373_126, "total at cnum 64");
  wide.dispose();
});

test("critic parameter counts equal the official architecture's at cnum 64 and 32", async (t) => {
  const local = localCritic(device, { cnum: 64, size: [128, 128] });
  const global = globalCritic(device, { cnum: 64, size: [256, 256] });
  t.equal(local.store.count(), 4_339_329, "local critic at cnum 64 (128^2 crops)");
  t.equal(global.store.count(), 2_733_441, "global critic at cnum 64 (256^2 images)");
  t.equal(layerCount(local.parameters, "localCritic.conv4"), 3_277_312, "local conv4 (5x5, 256 -> 512)");
  t.equal(layerCount(local.parameters, "localCritic.dense"), 32_769, "local dense (8^2 x 512 -> 1)");
  t.equal(layerCount(global.parameters, "globalCritic.dense"), 65_537, "global dense (16^2 x 256 -> 1)");
  local.dispose();
  global.dispose();
  const narrowLocal = localCritic(device, { cnum: 32, size: [128, 128] });
  const narrowGlobal = globalCritic(device, { cnum: 32, size: [256, 256] });
  t.equal(narrowLocal.store.count(), 1_094_465, "local critic at cnum 32");
  t.equal(narrowGlobal.store.count(), 701_121, "global critic at cnum 32");
  narrowLocal.dispose();
  narrowGlobal.dispose();
});

test("initial values: Glorot-bounded weights, zero biases, fixed by the seed and the name", async (t) => {
  const a = localCritic(device, { cnum: 2, size: [8, 8], seed: 1 });
  const b = localCritic(device, { cnum: 2, size: [8, 8], seed: 1 });
  const c = localCritic(device, { cnum: 2, size: [8, 8], seed: 2 });
  const w1 = await a.parameters.get("localCritic.conv1.weight")!.read();
  const limit = Math.sqrt(6 / (3 * 25 + 2 * 25));
  t.ok(w1.every((v) => Math.abs(v) <= limit), `conv1 weights within +-${limit.toFixed(4)}`);
  t.ok(Math.max(...w1.map(Math.abs)) > 0.8 * limit, "and spread over that range");
  t.same(Array.from(await a.parameters.get("localCritic.conv4.bias")!.read()), new Array(16).fill(0), "biases start at zero");
  t.same(Array.from(await b.parameters.get("localCritic.conv1.weight")!.read()), Array.from(w1), "same seed, same values");
  t.notSame(Array.from(await c.parameters.get("localCritic.conv1.weight")!.read()), Array.from(w1), "another seed, other values");
  const w2 = await a.parameters.get("localCritic.conv2.weight")!.read();
  t.notSame(Array.from(w2.slice(0, 10)), Array.from(w1.slice(0, 10)), "layers do not share a random stream");
  t.same([...a.parameters.keys()].slice(0, 3), ["localCritic.conv1.weight", "localCritic.conv1.bias", "localCritic.conv2.weight"], "dotted names in layer order");
  [a, b, c].forEach((n) => n.dispose());
});

test("critics: [B, 1] scores, dense rows in NHWC order, size checked", async (t) => {
  const critic = globalCritic(device, { cnum: 2, size: [12, 10] });
  const x = device.tensor(randomValues(2 * 3 * 12 * 10, 31), [2, 3, 12, 10]);
  const [scores, features] = tidy(() => {
    let y = x;
    for (const conv of critic.convs) y = conv.forward(y);
    return [critic.forward(x), y];
  });
  t.same(scores.shape, [2, 1], "one score per image");
  // 12x10 -> 6x5 -> 3x3 -> 2x2 -> 1x1, rounding up.
  t.same(features.shape, [2, 8, 1, 1], "four stride-2 'SAME' halvings, rounding up");
  // A map bigger than 1x1 with several channels, so NHWC and NCHW flattens differ.
  const wide = globalCritic(device, { cnum: 1, size: [32, 24] });
  const z = device.tensor(randomValues(3 * 32 * 24, 32), [1, 3, 32, 24]);
  const [wideScore, map] = tidy(() => {
    let y = z;
    for (const conv of wide.convs) y = conv.forward(y);
    return [wide.forward(z), y];
  });
  const [, ch, h, w] = map.shape as number[];
  const m = await map.read();
  const dense = await wide.dense.weight.read();
  let expected = 0;
  for (let y = 0; y < h!; y++) for (let xx = 0; xx < w!; xx++) for (let k = 0; k < ch!; k++) {
    expected += m[(k * h! + y) * w! + xx]! * dense[(y * w! + xx) * ch! + k]!;
  }
  t.same([h, w, ch], [2, 2, 4], "32x24 -> 2x2x4 map");
  assertClose(t, [await wideScore.item()], [expected], FORWARD, "dense over the NHWC flatten");
  t.throws(() => critic.forward(z), /must be \[B, 3, 12, 10\], the size the critic was built for/, "a wrong size is named");
  [x, z, scores, features, wideScore, map].forEach((a) => a.dispose());
  critic.dispose();
  wide.dispose();
});

/** Two 32x32 masks: a box in image 0, a different box in image 1 (a mask per image). */
function boxMasks(): Float32Array {
  const m = new Float32Array(2 * 32 * 32);
  for (let y = 0; y < 32; y++) {
    for (let x = 0; x < 32; x++) {
      if (y >= 8 && y < 20 && x >= 10 && x < 24) m[y * 32 + x] = 1;
      if (y >= 16 && y < 30 && x >= 2 && x < 14) m[1024 + y * 32 + x] = 1;
    }
  }
  return m;
}

test("tiny generator (cnum 4, 32x32): shapes, [-1, 1] outputs, holes blanked, every parameter trained", async (t) => {
  const g = new Generator(device, { cnum: 4, seed: 5 });
  const imageValues = randomValues(2 * 3 * 32 * 32, 41);
  const maskValues = boxMasks();
  const image = device.tensor(imageValues, [2, 3, 32, 32]);
  const mask = device.tensor(maskValues, [2, 1, 32, 32]);
  const out = tidy(() => g.forward(image, mask));
  t.same(out.coarse.shape, [2, 3, 32, 32], "coarse [B, 3, H, W]");
  t.same(out.refined.shape, [2, 3, 32, 32], "refined [B, 3, H, W]");
  t.same(out.offsets.shape, [2, 2, 4, 4], "offsets [B, 2, H/8, W/8]");
  for (const [name, tensor] of [["coarse", out.coarse], ["refined", out.refined]] as const) {
    const v = await tensor.read();
    t.ok(v.every((x) => x >= -1 && x <= 1), `${name} within [-1, 1]`);
    t.ok(new Set(v).size > 100, `${name} is not constant`);
  }

  const coarseOnly = tidy(() => g.forwardCoarse(image, mask));
  assertClose(t, await coarseOnly.read(), await out.coarse.read(), FORWARD, "forwardCoarse is forward's coarse output");
  coarseOnly.dispose();
  const withoutOffsets = tidy(() => g.forwardOutputs(image, mask));
  t.same(Array.from(await withoutOffsets.refined.read()), Array.from(await out.refined.read()), "forwardOutputs is forward without the offsets");
  [withoutOffsets.coarse, withoutOffsets.refined].forEach((x) => x.dispose());

  // Whatever the hole holds, the output is the same: the generator blanks it itself.
  const scrambled = device.tensor(imageValues.map((v, i) => (maskValues[(Math.floor(i / 3072) * 1024) + (i % 1024)] ? 0.5 - v : v)), [2, 3, 32, 32]);
  const again = tidy(() => g.forward(scrambled, mask));
  assertClose(t, await again.refined.read(), await out.refined.read(), FORWARD, "hole contents do not reach the output");

  // The composite keeps known pixels and takes the output in the hole.
  const mixed = tidy(() => composite(image, out.refined, mask));
  const mixedValues = await mixed.read();
  const refinedValues = await out.refined.read();
  const expected = imageValues.map((v, i) => (maskValues[(Math.floor(i / 3072) * 1024) + (i % 1024)] ? refinedValues[i]! : v));
  assertClose(t, mixedValues, expected, FORWARD, "composite = output in the hole, image elsewhere");

  // Every parameter receives a gradient (grad refuses unused inputs), i.e. both stages and both branches are wired.
  const params = [...g.parameters.values()];
  const grads = tidy(() => {
    const { coarse, refined } = g.forward(image, mask);
    return grad(mean(refined), params).concat(grad(mean(coarse), [g.parameters.get("generator.coarse.conv1.weight")!]));
  });
  t.equal(grads.length, params.length + 1, `a gradient for each of the ${params.length} parameters`);
  const attentionGrad = await grads[params.indexOf(g.parameters.get("generator.refine.pmconv1.weight")!)]!.read();
  t.ok(attentionGrad.some((v) => v !== 0), "the attention branch's first layer gets a nonzero gradient");
  tidy(() => {
    t.throws(() => g.forward(device.tensor(new Float32Array(3 * 36 * 36), [1, 3, 36, 36]), mask), /mask must be \[1, 1, 36, 36\]/, "a mismatched mask is named");
    t.throws(() => g.forward(device.tensor(new Float32Array(3 * 36 * 36), [1, 3, 36, 36]), device.tensor(new Float32Array(36 * 36), [1, 1, 36, 36])),
      /size 36x36 must be a multiple of 8/, "a size the network cannot halve three times is named");
  });
  [image, mask, scrambled, mixed, out.coarse, out.refined, out.offsets, again.coarse, again.refined, again.offsets, ...grads].forEach((a) => a.dispose());
  g.dispose();
});

test("a generator pass without a graph releases each layer's map once the next exists", async (t) => {
  const g = new Generator(device, { cnum: 4, seed: 6 });
  const image = device.tensor(randomValues(2 * 3 * 32 * 32, 43), [2, 3, 32, 32]);
  const mask = device.tensor(boxMasks(), [2, 1, 32, 32]);
  const before = device.memory().liveTensors;
  let during = 0;
  tidy(() => {
    noGrad(() => g.forward(image, mask));
    during = device.memory().liveTensors - before;
  });
  // 42 convolutions, each with an activation, make over 100 maps; the outputs, the inputs
  // each stage keeps (guides, composite, the attention branch's) and a few views remain.
  t.ok(during < 40, `${during} tensors alive at the end of the pass`);
  for (const v of [image, mask]) v.dispose();
  g.dispose();
});
