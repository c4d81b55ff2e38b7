// Nearest resize and its adjoint: both kernels against the float64 references for integer
// and non-integer ratios under both index rules, TensorFlow's index facts, the dot-product
// test of adjointness, and gradients.
import t from "tap";
import { gradcheck, gradgradcheck, resizeNearest, resizeNearestBackward, square, type Tensor } from "../src/index.js";
import { assertClose, FORWARD, randomValues, testDevice } from "./helpers.js";
import { resizeBackwardReference, resizeReference } from "./reference/resize.js";

const device = await testDevice();
const EXACT = { atol: 0, rtol: 0 };

/** [inH, inW] -> [outH, outW] pairs: x2, x4, /2, /4, ratios that divide nothing, 1 pixel, identity. */
const SIZES: [[number, number], [number, number]][] = [
  [[5, 7], [10, 14]],
  [[3, 5], [12, 20]],
  [[10, 14], [5, 7]],
  [[12, 20], [3, 5]],
  [[7, 5], [3, 11]],
  [[5, 7], [11, 3]],
  [[1, 4], [4, 1]],
  [[6, 9], [6, 9]],
  // Rows longer than the kernel's run of 16 pixels, up and down.
  [[4, 37], [9, 70]],
  [[9, 70], [4, 37]],
];

for (const alignCorners of [false, true]) {
  t.test(`forward and backward match the references (alignCorners ${alignCorners})`, async (t) => {
    for (const [[h, w], [oh, ow]] of SIZES) {
      const shape = [2, 3, h, w];
      const values = randomValues(2 * 3 * h * w, h * 31 + w);
      const x = device.tensor(values, shape);
      const y = resizeNearest(x, [oh, ow], { alignCorners });
      t.equal(y.shape.join(), [2, 3, oh, ow].join(), `${h}x${w} -> ${oh}x${ow}: output shape`);
      assertClose(t, await y.read(), resizeReference(values, shape, [oh, ow], alignCorners), EXACT, `${h}x${w} -> ${oh}x${ow} forward`);
      const gyValues = randomValues(2 * 3 * oh * ow, oh * 17 + ow);
      const gy = device.tensor(gyValues, [2, 3, oh, ow]);
      const gx = resizeNearestBackward(gy, [h, w], { alignCorners });
      t.equal(gx.shape.join(), shape.join(), `${oh}x${ow} -> ${h}x${w}: backward shape`);
      const expected = resizeBackwardReference(gyValues, [2, 3, oh, ow], [h, w], alignCorners);
      assertClose(t, await gx.read(), expected, FORWARD, `${h}x${w} -> ${oh}x${ow} backward (scatter-add)`);
      [x, y, gy, gx].forEach((a) => a.dispose());
    }
  });
}

/** Reads which source column each output column takes, by resizing a row holding 0, 1, 2, ... */
async function pickedColumns(inW: number, outW: number, alignCorners: boolean): Promise<number[]> {
  const x = device.tensor(Array.from({ length: inW }, (_, i) => i), [1, 1, 1, inW]);
  const y = resizeNearest(x, [1, outW], { alignCorners });
  const picked = Array.from(await y.read());
  x.dispose();
  y.dispose();
  return picked;
}

t.test("TensorFlow's facts about alignCorners", async (t) => {
  const quarter = await pickedColumns(256, 64, true);
  t.same(quarter.slice(0, 3), [0, 4, 8], "256 -> 64 starts 0, 4, 8");
  t.same(quarter.slice(30, 34), [121, 125, 130, 134], "256 -> 64 steps from 125 to 130 in the middle");
  t.equal(quarter[63], 255, "256 -> 64 ends on the last pixel");
  const half = await pickedColumns(64, 32, true);
  t.ok(half.every((s, y) => s % 2 === (y >= 16 ? 1 : 0)), "64 -> 32 picks even pixels below 16 and odd ones from 16 on");
  for (const n of [1, 5, 32]) {
    const doubled = await pickedColumns(n, 2 * n, true);
    t.ok(doubled.every((s, y) => s === Math.floor(y / 2)), `x2 from ${n} duplicates every pixel`);
  }
  t.same(await pickedColumns(5, 2, false), [0, 2], "default rule: floor(y * in / out)");
  t.same(await pickedColumns(5, 2, true), [0, 4], "alignCorners maps corners onto corners");
  t.same(await pickedColumns(5, 1, true), [0], "alignCorners to one pixel takes the first");
});

t.test("resizeNearestBackward is the adjoint: <resize(x), g> = <x, backward(g)>", async (t) => {
  for (const alignCorners of [false, true]) {
    for (const [[h, w], [oh, ow]] of SIZES) {
      const x = device.tensor(randomValues(2 * h * w, 5), [1, 2, h, w]);
      const g = device.tensor(randomValues(2 * oh * ow, 6), [1, 2, oh, ow]);
      const y = resizeNearest(x, [oh, ow], { alignCorners });
      const b = resizeNearestBackward(g, [h, w], { alignCorners });
      const [xs, gs, ys, bs] = await Promise.all([x, g, y, b].map((a) => a.read()));
      const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
      const left = dot(ys!, gs!);
      const right = dot(xs!, bs!);
      t.ok(Math.abs(left - right) <= 1e-4 * (1 + Math.abs(left)), `${h}x${w} <-> ${oh}x${ow}, alignCorners ${alignCorners}: ${left} vs ${right} (rtol 1e-4)`);
      [x, g, y, b].forEach((a) => a.dispose());
    }
  }
});

// Both ops are linear with 0/1 weights: finite differences are exact up to float32 rounding.
const GRAD = { atol: 1e-3, rtol: 1e-3 };

t.test("gradients of both ops, and of their gradients", async (t) => {
  for (const alignCorners of [false, true]) {
    const x = device.tensor(randomValues(24, 7), [1, 2, 3, 4]);
    const up = await gradcheck((a: Tensor) => resizeNearest(a, [5, 3], { alignCorners }), [x], GRAD);
    t.ok(up.ok, `gradcheck resizeNearest 3x4 -> 5x3, alignCorners ${alignCorners} (worst excess ${up.worstExcess})`);
    const g = device.tensor(randomValues(30, 8), [1, 2, 5, 3]);
    const back = await gradcheck((a: Tensor) => resizeNearestBackward(a, [3, 4], { alignCorners }), [g], GRAD);
    t.ok(back.ok, `gradcheck resizeNearestBackward 5x3 -> 3x4, alignCorners ${alignCorners} (worst excess ${back.worstExcess})`);
    // Squared, so the second derivative is not zero and runs through both ops' vjps.
    const upSquared = await gradgradcheck((a: Tensor) => square(resizeNearest(a, [5, 3], { alignCorners })), [x], GRAD);
    t.ok(upSquared.ok, `gradgradcheck resizeNearest(x)^2, alignCorners ${alignCorners} (worst excess ${upSquared.worstExcess})`);
    const backSquared = await gradgradcheck((a: Tensor) => square(resizeNearestBackward(a, [3, 4], { alignCorners })), [g], GRAD);
    t.ok(backSquared.ok, `gradgradcheck resizeNearestBackward(g)^2, alignCorners ${alignCorners} (worst excess ${backSquared.worstExcess})`);
    x.dispose();
    g.dispose();
  }
  t.equal(device.memory().liveTensors, 0, "nothing leaks");
});

t.test("errors name the op and the shapes", async (t) => {
  const flat = device.tensor([1, 2, 3], [1, 3]);
  t.throws(() => resizeNearest(flat, [2, 2]), /resizeNearest: the input \(NCHW\) must have rank 4, got shape \[1, 3\]/);
  const image = device.tensor([1, 2, 3, 4], [1, 1, 2, 2]);
  t.throws(() => resizeNearest(image, [0, 3]), /resizeNearest: .*output \[0, 3\]/);
  t.throws(() => resizeNearestBackward(image, [2.5, 3]), /resizeNearestBackward: .*input \[2.5, 3\]/);
  flat.dispose();
  image.dispose();
});
