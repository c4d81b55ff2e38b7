// softmax: the kernel against the float64 reference on odd shapes, every axis, rows of one,
// long rows (both kernel layouts) and huge logits, then first and second derivatives.
import t from "tap";
import { gradcheck, gradgradcheck, softmax, type Tensor } from "../src/index.js";
import { assertClose, FORWARD, randomValues, testDevice } from "./helpers.js";
import { softmaxReference } from "./reference/softmax.js";

const device = await testDevice();

/** Tap's assertion surface as the helpers see it. */
type Tap = Parameters<typeof assertClose>[0];

async function check(tap: Tap, shape: number[], axis: number, values: Float32Array, message: string): Promise<void> {
  const x = device.tensor(values, shape);
  const y = softmax(x, axis);
  tap.equal(y.shape.join(), shape.join(), `${message}: shape kept`);
  assertClose(tap, await y.read(), softmaxReference(values, shape, axis), FORWARD, message);
  x.dispose();
  y.dispose();
}

const count = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

t.test("matches the reference along every axis of odd shapes", async (t) => {
  const shapes = [[7], [3, 5], [3, 5, 7], [2, 3, 5, 7]];
  for (const [s, shape] of shapes.entries()) {
    const values = randomValues(count(shape), 10 + s, -4, 4);
    for (let axis = -1; axis < shape.length; axis++) {
      await check(t, shape, axis, values, `shape [${shape}] axis ${axis}`);
    }
  }
});

t.test("a row of one entry is exactly 1", async (t) => {
  for (const [shape, axis] of [[[4, 1, 3], 1], [[5, 1], -1], [[1], 0]] as [number[], number][]) {
    const x = device.tensor(randomValues(count(shape), 3, -50, 50), shape);
    const y = softmax(x, axis);
    t.ok((await y.read()).every((v) => v === 1), `shape [${shape}] axis ${axis}`);
    x.dispose();
    y.dispose();
  }
});

t.test("long rows, shared by a workgroup (last axis) or walked by one lane (inner axis)", async (t) => {
  // 128 is the smallest row shared by a workgroup; 127 the longest walked by one lane.
  for (const shape of [[3, 127], [3, 128], [2, 1000], [2, 4099], [1, 5000]]) {
    await check(t, shape, -1, randomValues(count(shape), 20 + shape[1]!, -6, 6), `last axis, shape [${shape}]`);
  }
  const inner = [2, 1500, 3];
  await check(t, inner, 1, randomValues(count(inner), 21, -6, 6), `middle axis, shape [${inner}]`);
});

t.test("huge logits neither overflow nor underflow to NaN", async (t) => {
  for (const shape of [[3, 9], [2, 300]]) {
    // Spread +-1000 around 5000: exp(x) alone would be inf, exp(x - mean) 0 for most.
    const values = randomValues(count(shape), 31, 4000, 6000);
    await check(t, shape, -1, values, `logits around 5000, shape [${shape}]`);
    await check(t, shape, -1, values.map((v) => -v), `logits around -5000, shape [${shape}]`);
    // Equal logits give a uniform row however large they are.
    await check(t, shape, -1, new Float32Array(count(shape)).fill(3e38), `all logits 3e38, shape [${shape}]`);
  }
});

// float32 finite differences: eps 1e-3 against softmax's O(1) curvature.
const GRAD = { atol: 2e-3, rtol: 1e-2 };

t.test("gradients along each axis, both kernel layouts", async (t) => {
  const x = device.tensor(randomValues(24, 41, -2, 2), [2, 3, 4]);
  for (const axis of [0, 1, 2]) {
    const result = await gradcheck((a: Tensor) => softmax(a, axis), [x], GRAD);
    t.ok(result.ok, `gradcheck axis ${axis} (worst excess ${result.worstExcess})`);
  }
  const long = device.tensor(randomValues(130, 42, -2, 2), [1, 130]);
  const result = await gradcheck((a: Tensor) => softmax(a, -1), [long], GRAD);
  t.ok(result.ok, `gradcheck of a 130-long row (worst excess ${result.worstExcess})`);
  x.dispose();
  long.dispose();
});

t.test("second derivatives", async (t) => {
  const x = device.tensor(randomValues(10, 43, -2, 2), [2, 5]);
  for (const axis of [0, 1]) {
    const result = await gradgradcheck((a: Tensor) => softmax(a, axis), [x], GRAD);
    t.ok(result.ok, `gradgradcheck axis ${axis} (worst excess ${result.worstExcess})`);
  }
  x.dispose();
  t.equal(device.memory().liveTensors, 0, "nothing leaks");
});
