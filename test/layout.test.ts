// Layout ops (one strided-copy kernel) against their references, and their gradients.
import type { Test } from "tap";
import {
  broadcastTo, concat, flip, gradcheck, gradgradcheck, mul, pad, permute, reshape, slice, square, transpose,
  type Device, type PadMode, type Tensor,
} from "../src/index.js";
import {
  broadcastToRef, concatRef, flipRef, padRef, permuteRef, sliceRef, transposeRef, type NdArray,
} from "./reference/layout.js";
import { assertClose, randomValues, testDevice, GRAD, leakCheckedTest, randomArray, recordLaunches } from "./helpers.js";
import { largestBinding } from "../src/tensor/limits.js";

const device = await testDevice();
/** Copies move float32 values unchanged: the results must be exact. */
const EXACT = { atol: 0, rtol: 0 };
/** Finite differences in float32 (eps 1e-3, and 1e-2 for second order) agree to about 1e-2. */

const test = (name: string, body: (t: Test) => Promise<void>) => leakCheckedTest(device, name, body);

const random = randomArray;

/** Runs `op` on the uploaded inputs and compares with the reference. */
async function expectMatch(t: Test, inputs: NdArray[], op: (...x: Tensor[]) => Tensor, expected: NdArray, message: string) {
  const tensors = inputs.map((x) => device.tensor(x.data, x.shape));
  const y = op(...tensors);
  t.same(y.shape, expected.shape, `${message}: shape`);
  assertClose(t, await y.read(), expected.data, EXACT, message);
  [y, ...tensors].forEach((v) => v.dispose());
}

test("reshape shares the data and infers one size", async (t) => {
  const x = random([2, 3, 5], 1);
  await expectMatch(t, [x], (v) => reshape(v, [5, -1]), { data: x.data, shape: [5, 6] }, "reshape [2,3,5] to [5,-1]");
  await expectMatch(t, [x], (v) => reshape(v, [30]), { data: x.data, shape: [30] }, "reshape to rank 1");
});

test("broadcastTo", async (t) => {
  const cases: [number[], number[]][] = [[[1], [67]], [[3, 1], [3, 5]], [[4], [2, 3, 4]], [[2, 1, 3], [5, 2, 7, 3]], [[1, 3, 1, 2, 1], [2, 3, 4, 2, 3]]];
  for (const [i, [from, to]] of cases.entries()) {
    const x = random(from, 10 + i);
    await expectMatch(t, [x], (v) => broadcastTo(v, to), broadcastToRef(x, to), `broadcastTo ${JSON.stringify(from)} -> ${JSON.stringify(to)}`);
  }
});

test("permute and transpose", async (t) => {
  const cases: [number[], number[]][] = [[[67], [0]], [[5, 13], [1, 0]], [[2, 3, 11], [2, 0, 1]], [[2, 3, 4, 5], [3, 1, 0, 2]], [[2, 1, 3, 5, 7], [4, 2, 0, 3, 1]],
    // To channels last with 3 channels: the copy runs along the 37-wide axis instead.
    [[2, 3, 5, 37], [0, 2, 3, 1]]];
  for (const [i, [shape, perm]] of cases.entries()) {
    const x = random(shape, 20 + i);
    await expectMatch(t, [x], (v) => permute(v, perm), permuteRef(x, perm), `permute ${JSON.stringify(shape)} by ${JSON.stringify(perm)}`);
  }
  const x = random([3, 4, 5], 30);
  await expectMatch(t, [x], (v) => transpose(v), transposeRef(x, 1, 2), "transpose of the last two axes");
  await expectMatch(t, [x], (v) => transpose(v, 0, -1), transposeRef(x, 0, 2), "transpose(0, -1)");
});

test("slice and flip", async (t) => {
  const slices: [number[], number[], number[]][] = [
    [[67], [3], [66]], [[5, 13], [1, 0], [4, 13]], [[2, 3, 11], [0, 1, 2], [2, 3, 9]],
    [[3, 4, 5, 6], [1, 1, 0, 2], [3, 2, 5, 5]], [[2, 3, 4, 3, 5], [1, 0, 1, 0, 4], [2, 2, 4, 3, 5]], [[4, 6], [2, 3], [2, 3]],
  ];
  for (const [i, [shape, begin, end]] of slices.entries()) {
    const x = random(shape, 40 + i);
    await expectMatch(t, [x], (v) => slice(v, begin, end), sliceRef(x, begin, end), `slice ${JSON.stringify(shape)} ${JSON.stringify(begin)}..${JSON.stringify(end)}`);
  }
  const flips: [number[], number[]][] = [[[67], [0]], [[5, 13], [1]], [[2, 3, 11], [0, 2]], [[2, 3, 4, 5], [-1, 1]], [[2, 1, 3, 5, 7], [0, 1, 2, 3, 4]]];
  for (const [i, [shape, axes]] of flips.entries()) {
    const x = random(shape, 50 + i);
    const normalized = axes.map((a) => (a < 0 ? a + shape.length : a));
    await expectMatch(t, [x], (v) => flip(v, axes), flipRef(x, normalized), `flip ${JSON.stringify(shape)} over ${JSON.stringify(axes)}`);
  }
});

test("pad in every mode with different amounts per side", async (t) => {
  const cases: [number[], [number, number][]][] = [
    [[5], [[2, 4]]],
    [[1], [[3, 1]]],
    [[4, 5], [[3, 0], [1, 4]]],
    [[2, 3, 7], [[0, 1], [2, 1], [6, 3]]],
    [[2, 3, 4, 5], [[1, 1], [0, 2], [3, 1], [4, 2]]],
    // A last axis longer than one lane's run of 16, with a ragged final run.
    [[2, 3, 37], [[1, 0], [0, 2], [5, 9]]],
    // A short last axis: the runs go along the padded middle axis (40 + 5 pixels, ragged).
    [[3, 40, 2], [[0, 1], [2, 3], [1, 1]]],
  ];
  for (const mode of ["zero", "reflect", "symmetric"] as PadMode[]) {
    for (const [i, [shape, pads]] of cases.entries()) {
      // reflect needs amount < size, symmetric amount <= size; clamp to what the mode takes.
      const limit = (n: number) => (mode === "reflect" ? n - 1 : mode === "symmetric" ? n : Infinity);
      const amounts = pads.map(([b, a], k) => [Math.min(b, limit(shape[k]!)), Math.min(a, limit(shape[k]!))] as [number, number]);
      const x = random(shape, 60 + i);
      await expectMatch(t, [x], (v) => pad(v, amounts, mode), padRef(x, amounts, mode), `${mode} pad ${JSON.stringify(shape)} by ${JSON.stringify(amounts)}`);
    }
  }
});

test("concat along first, middle and last axes", async (t) => {
  const cases: [number[][], number][] = [
    [[[3], [64], [1]], 0],
    [[[2, 3, 5], [2, 1, 5], [2, 4, 5]], 1],
    [[[3, 2, 7], [3, 2, 2]], -1],
    [[[1, 2, 3, 2, 2], [2, 2, 3, 2, 2]], 0],
  ];
  for (const [i, [shapes, axis]] of cases.entries()) {
    const xs = shapes.map((s, j) => random(s, 70 + 10 * i + j));
    const normalized = axis < 0 ? axis + shapes[0]!.length : axis;
    await expectMatch(t, xs, (...v) => concat(v, axis), concatRef(xs, normalized), `concat ${JSON.stringify(shapes)} on axis ${axis}`);
  }
});

// Each lane copies a run of up to 16 along the view's run axis, here the last one (17 long,
// two runs per row): 2 x 2,100,000 runs > 65535 * 64 = 4,194,240 lanes. Since a short last
// axis hands the runs to a longer one, no copy of fewer than about 34M elements makes that
// many runs, and its output must fit one binding.
const GRID_ROWS = 2_100_000;
const gridBytes = GRID_ROWS * 17 * 4;
const gridLimit = largestBinding(device.gpu.limits);
leakCheckedTest(device, "a copy of more runs than one grid row of 65535 workgroups holds", async (t) => {
  // A broadcast keeps the input small; the rows checked lie on either side of the grid rows' boundary and at the end.
  const x = random([1, 17], 80);
  const input = device.tensor(x.data, x.shape);
  const { result: y, launches } = recordLaunches(device, () => broadcastTo(input, [GRID_ROWS, 17]));
  t.ok(launches.some((l) => l.workgroups[1]! > 1), "the broadcast ran on a 2-D grid");
  for (const first of [0, 2_097_100, GRID_ROWS - 3]) {
    const part = slice(y, [first, 0], [first + 3, 17]);
    assertClose(t, await part.read(), broadcastToRef(x, [3, 17]).data, EXACT, `rows ${first}..${first + 2}`);
    part.dispose();
  }
  y.dispose();
  input.dispose();
}, gridBytes > gridLimit && `its ${gridBytes} bytes of output exceed this adapter's largest binding (${gridLimit} bytes)`);

test("a copy whose last axis is shorter than a run runs along its longest axis", async (t) => {
  // [2, 3, 5, 37] to channels last: the view [2, 5, 37, 3] runs along the 37-wide axis, in
  // three runs per (b, y, c), not one run of 3 per pixel.
  const x = random([2, 3, 5, 37], 81);
  const input = device.tensor(x.data, x.shape);
  const { result: y, launches } = recordLaunches(device, () => permute(input, [0, 2, 3, 1]));
  t.same(launches.map((l) => l.workgroups[0]), [Math.ceil((2 * 5 * 3 * 3) / 64)], "one launch of 90 runs");
  assertClose(t, await y.read(), permuteRef(x, [0, 2, 3, 1]).data, EXACT, "the channels-last copy");
  y.dispose();
  input.dispose();
});

test("gradients of the layout ops", async (t) => {
  const x = device.tensor(randomValues(6, 90), [2, 3]);
  const y = device.tensor(randomValues(4, 91), [2, 2]);
  const row = device.tensor(randomValues(3, 92), [3, 1]);
  const cube = device.tensor(randomValues(12, 93), [2, 3, 2]);
  const cases: [string, (...v: Tensor[]) => Tensor, Tensor[], boolean][] = [
    ["reshape", (v) => mul(reshape(v, [3, 2]), reshape(v, [3, 2])), [x], true],
    ["broadcastTo", (v) => broadcastTo(v, [2, 3, 4]), [row], true],
    ["permute", (v) => permute(v, [2, 0, 1]), [cube], true],
    ["transpose", (v) => transpose(v), [x], true],
    ["slice", (v) => slice(v, [0, 1, 0], [2, 3, 1]), [cube], true],
    ["flip", (v) => flip(v, [0, 2]), [cube], true],
    ["zero pad", (v) => pad(v, [[1, 2], [0, 3]], "zero"), [x], true],
    ["reflect pad", (v) => pad(v, [[1, 0], [2, 1]], "reflect"), [x], true],
    ["symmetric pad", (v) => pad(v, [[2, 1], [3, 2]], "symmetric"), [x], true],
    ["concat", (a, b) => concat([a, b, a], 1), [x, y], true],
  ];
  for (const [name, f, inputs, second] of cases) {
    const first = await gradcheck(f, inputs, GRAD);
    t.ok(first.ok, `gradcheck ${name}`, { mismatches: first.mismatches });
    if (second) {
      // A linear op has no second derivative of its own; squaring its output makes the first
      // derivative depend on x through the op's vjp, which must then be differentiable.
      const result = await gradgradcheck((...v) => square(f(...v)), inputs, GRAD);
      t.ok(result.ok, `gradgradcheck ${name}`, { mismatches: result.mismatches });
    }
  }
  [x, y, row, cube].forEach((v) => v.dispose());
});
