// Reductions against their float64 references: axis sets (adjacent or not, all, keepDims),
// the two-pass path for long axes with few outputs, many outputs, the one-pass sum keeping a
// middle run of axes, ties; and gradients.
import type { Test } from "tap";
import { argmax, gradcheck, gradgradcheck, max, mean, square, sum, type Tensor } from "../src/index.js";
import type { NdArray } from "./reference/layout.js";
import { argmaxRef, maxRef, meanRef, sumRef } from "./reference/reduce.js";
import { assertClose, FORWARD, randomValues, testDevice, type Tolerance, GRAD, leakCheckedTest, randomArray } from "./helpers.js";

const device = await testDevice();
/** A float32 sum of n terms of size about 1 may be off by about n * 6e-8 in absolute terms. */
const LONG_SUM: Tolerance = { atol: 2e-3, rtol: 1e-4 };
/** max and argmax pick an input value: exact. */
const EXACT: Tolerance = { atol: 0, rtol: 0 };
/** Finite differences in float32 (eps 1e-3, and 1e-2 for second order) agree to about 1e-2. */

const test = (name: string, body: (t: Test) => Promise<void>) => leakCheckedTest(device, name, body);

const random = randomArray;

async function expectMatch(t: Test, x: NdArray, op: (v: Tensor) => Tensor, expected: NdArray, tol: Tolerance, message: string) {
  const input = device.tensor(x.data, x.shape);
  const y = op(input);
  t.same(y.shape, expected.shape, `${message}: shape`);
  assertClose(t, await y.read(), expected.data, tol, message);
  y.dispose();
  input.dispose();
}

const AXIS_SETS: [number[], number[] | undefined, boolean][] = [
  [[67], undefined, false],
  [[5, 13], [0], false],
  [[5, 13], [1], true],
  [[5, 13], [0, 1], true],
  [[2, 3, 11], [0, 2], false],
  [[2, 3, 11], [1], true],
  [[2, 3, 4, 5], [1, 3], false],
  [[2, 3, 4, 5], [0, 1], true],
  [[2, 3, 4, 5], [-1], false],
  [[2, 1, 3, 5, 7], [0, 2, 4], true],
  [[2, 1, 3, 5, 7], undefined, true],
];

test("sum and mean over axis sets", async (t) => {
  for (const [i, [shape, axes, keepDims]] of AXIS_SETS.entries()) {
    const x = random(shape, 1 + i);
    const resolved = axes?.map((a) => (a < 0 ? a + shape.length : a));
    const label = `${JSON.stringify(shape)} over ${JSON.stringify(axes ?? "all")}${keepDims ? " keepDims" : ""}`;
    await expectMatch(t, x, (v) => sum(v, axes, keepDims), sumRef(x, resolved, keepDims), FORWARD, `sum ${label}`);
    await expectMatch(t, x, (v) => mean(v, axes, keepDims), meanRef(x, resolved, keepDims), FORWARD, `mean ${label}`);
  }
});

test("long axes with few outputs (two passes) and short axes with many outputs", async (t) => {
  const cases: [number[], number[]][] = [
    [[4100], [0]],
    [[3, 5000], [1]],
    [[700, 3], [0]],
    [[2, 300, 5], [0, 1]],
    [[5000, 7], [1]],
    [[70, 65, 3], [1]],
  ];
  for (const [i, [shape, axes]] of cases.entries()) {
    const x = random(shape, 20 + i);
    const label = `${JSON.stringify(shape)} over ${JSON.stringify(axes)}`;
    await expectMatch(t, x, (v) => sum(v, axes), sumRef(x, axes), LONG_SUM, `sum ${label}`);
    if (axes.length === 1) {
      await expectMatch(t, x, (v) => max(v, axes[0]!), maxRef(x, axes[0]!), EXACT, `max ${label}`);
      await expectMatch(t, x, (v) => argmax(v, axes[0]!), argmaxRef(x, axes[0]!), EXACT, `argmax ${label}`);
    }
  }
});

test("sums keeping one middle run of axes (one pass over the first and last axes)", async (t) => {
  // A convolution's bias gradient and its kin: inner below, at and past the 64 lanes, not
  // multiples of them, and outer * inner smaller than the lanes of a workgroup.
  const cases: [number[], number[]][] = [
    [[4, 16, 33, 31], [0, 2, 3]],
    [[3, 5, 7, 9], [0, 2, 3]],
    [[5, 3, 1000], [0, 2]],
    [[2, 70, 3], [0, 2]],
    [[7, 2, 64], [0, 2]],
    [[2, 3, 4, 5, 6], [0, 1, 4]],
    [[3, 1, 2], [0, 2]],
  ];
  for (const [i, [shape, axes]] of cases.entries()) {
    const x = random(shape, 80 + i);
    const label = `${JSON.stringify(shape)} over ${JSON.stringify(axes)}`;
    await expectMatch(t, x, (v) => sum(v, axes), sumRef(x, axes), LONG_SUM, `sum ${label}`);
    await expectMatch(t, x, (v) => sum(v, axes, true), sumRef(x, axes, true), LONG_SUM, `sum ${label} keepDims`);
  }
});

test("max and argmax on every axis, keepDims, ties", async (t) => {
  for (const [i, shape] of [[67], [5, 13], [2, 3, 11], [2, 3, 4, 5], [2, 1, 3, 5, 7]].entries()) {
    const x = random(shape, 40 + i);
    for (let axis = 0; axis < shape.length; axis++) {
      const keepDims = axis % 2 === 1;
      const label = `${JSON.stringify(shape)} axis ${axis}${keepDims ? " keepDims" : ""}`;
      await expectMatch(t, x, (v) => max(v, axis, keepDims), maxRef(x, axis, keepDims), EXACT, `max ${label}`);
      await expectMatch(t, x, (v) => argmax(v, axis, keepDims), argmaxRef(x, axis, keepDims), EXACT, `argmax ${label}`);
    }
  }
  // Three values only, so most rows hold their maximum more than once: the first index wins.
  const ties = { data: Float32Array.from(randomValues(3 * 700, 50), (v) => Math.round(v)), shape: [3, 700] };
  await expectMatch(t, ties, (v) => argmax(v, 1), argmaxRef(ties, 1), EXACT, "argmax with ties along a long axis");
  await expectMatch(t, ties, (v) => argmax(v, 0), argmaxRef(ties, 0), EXACT, "argmax with ties along a short axis");
  const handmade = { data: new Float32Array([1, 3, 3, 2, 5, 5, 5, 5, -1, -2, -1, -3]), shape: [3, 4] };
  await expectMatch(t, handmade, (v) => argmax(v, 1), { data: [1, 0, 0], shape: [3] }, EXACT, "argmax [[1,3,3,2],[5,5,5,5],[-1,-2,-1,-3]]");
});

test("more outputs than one grid row of 65535 workgroups holds", async (t) => {
  const x = random([2, 4200000], 60); // 4.2M outputs > 65535 * 64 lanes
  await expectMatch(t, x, (v) => sum(v, 0), sumRef(x, [0]), FORWARD, "sum over axis 0 of [2, 4200000]");
});

test("gradients of the reductions", async (t) => {
  const x = device.tensor(randomValues(24, 70), [2, 3, 4]);
  const x4 = device.tensor(randomValues(60, 71), [2, 3, 2, 5]);
  // Distinct values well apart, so no finite difference changes which element is the maximum.
  const spread = device.tensor([0.1, -0.9, 0.6, 0.35, -0.3, 0.85, -0.6, 0.2, 1.1, -0.15, 0.45, -1.2], [3, 4]);
  const cases: [string, (v: Tensor) => Tensor, Tensor][] = [
    ["sum of all", (v) => sum(v), x],
    ["sum over [0, 2]", (v) => sum(v, [0, 2]), x],
    ["sum over [0, 2, 3] (a bias gradient)", (v) => sum(v, [0, 2, 3]), x4],
    ["sum over 1, keepDims", (v) => sum(v, 1, true), x],
    ["mean over [1, 2]", (v) => mean(v, [1, 2]), x],
    ["mean of all, keepDims", (v) => mean(v, undefined, true), x],
    ["max over 0", (v) => max(v, 0), spread],
    ["max over 1, keepDims", (v) => max(v, 1, true), spread],
  ];
  for (const [name, f, input] of cases) {
    const first = await gradcheck(f, [input], GRAD);
    t.ok(first.ok, `gradcheck ${name}`, { mismatches: first.mismatches });
    // Squared, so that the first derivative depends on x through the reduction's vjp.
    const second = await gradgradcheck((v) => square(f(v)), [input], GRAD);
    t.ok(second.ok, `gradgradcheck ${name}`, { mismatches: second.mismatches });
  }
  x.dispose();
  x4.dispose();
  spread.dispose();
});
