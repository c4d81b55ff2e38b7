// unfold and fold: both kernels against the float64 references on windows that hang over
// the edges, asymmetric padding, strides 1 and 2, k 3 and 4 and rows longer than a kernel
// run; the dot-product test of adjointness; gradients and gradients of gradients.
import t from "tap";
import { fold, gradcheck, gradgradcheck, square, unfold, type PatchOptions, type Tensor } from "../src/index.js";
import { assertClose, FORWARD, leakCheckedTest, randomValues, testDevice } from "./helpers.js";
import { foldReference, gridReference, unfoldReference, type PatchGeometry } from "./reference/patches.js";

const device = await testDevice();
const EXACT = { atol: 0, rtol: 0 };

interface Case {
  shape: [number, number, number, number];
  geometry: PatchGeometry;
}

const CASES: Case[] = [
  { shape: [2, 3, 7, 5], geometry: { k: 3, stride: 1, padding: [1, 1, 1, 1] } },
  { shape: [1, 2, 6, 9], geometry: { k: 4, stride: 2, padding: [1, 2, 1, 2] } },
  { shape: [2, 1, 9, 6], geometry: { k: 3, stride: 2, padding: [0, 1, 2, 0] } },
  { shape: [1, 2, 5, 11], geometry: { k: 4, stride: 1, padding: [2, 1, 0, 3] } },
  // Padding wider than the window: whole windows outside the image, columns of zeros.
  { shape: [1, 1, 3, 4], geometry: { k: 4, stride: 2, padding: [3, 2, 1, 4] } },
  // No padding at stride 2: the last row and column are in no window, fold gives them 0.
  { shape: [1, 2, 6, 6], geometry: { k: 3, stride: 2, padding: [0, 0, 0, 0] } },
  // Rows longer than the kernels' runs of 16, at both strides.
  { shape: [1, 2, 5, 40], geometry: { k: 3, stride: 1, padding: [1, 1, 1, 1] } },
  { shape: [1, 1, 4, 70], geometry: { k: 4, stride: 2, padding: [1, 2, 1, 2] } },
  // Contextual attention's raw patches at 32 x 32: TF "same" padding for k 4, stride 2.
  { shape: [2, 5, 32, 32], geometry: { k: 4, stride: 2, padding: [1, 1, 1, 1] } },
];

const label = ({ shape, geometry: { k, stride, padding } }: Case) => `[${shape.join(", ")}] k ${k} stride ${stride} padding [${padding.join(", ")}]`;
const optionsOf = ({ stride, padding }: PatchGeometry): PatchOptions => ({ stride, padding });

function colsShape({ shape: [n, c, h, w], geometry }: Case): [number, number, number, number] {
  return [n, c * geometry.k * geometry.k, ...gridReference(h, w, geometry)];
}

leakCheckedTest(device, "unfold and fold match the references", async (t) => {
  for (const [index, item] of CASES.entries()) {
    const { shape, geometry } = item;
    const values = randomValues(shape.reduce((a, b) => a * b), 10 + index);
    const x = device.tensor(values, shape);
    const cols = unfold(x, geometry.k, optionsOf(geometry));
    t.same(cols.shape, colsShape(item), `${label(item)}: unfold's shape`);
    assertClose(t, await cols.read(), unfoldReference(values, shape, geometry), EXACT, `${label(item)}: unfold`);
    const colsValues = randomValues(cols.size, 20 + index);
    const c = device.tensor(colsValues, cols.shape);
    const image = fold(c, [shape[2], shape[3]], geometry.k, optionsOf(geometry));
    t.same(image.shape, shape, `${label(item)}: fold's shape`);
    assertClose(t, await image.read(), foldReference(colsValues, cols.shape, [shape[2], shape[3]], geometry), FORWARD, `${label(item)}: fold`);
    [x, cols, c, image].forEach((a) => a.dispose());
  }
});

leakCheckedTest(device, "fold is the adjoint of unfold: <unfold(x), c> = <x, fold(c)>", async (t) => {
  for (const [index, item] of CASES.entries()) {
    const { shape, geometry } = item;
    const x = device.tensor(randomValues(shape.reduce((a, b) => a * b), 30 + index), shape);
    const c = device.tensor(randomValues(colsShape(item).reduce((a, b) => a * b), 40 + index), colsShape(item));
    const cols = unfold(x, geometry.k, optionsOf(geometry));
    const image = fold(c, [shape[2], shape[3]], geometry.k, optionsOf(geometry));
    const [xs, cs, colsValues, imageValues] = await Promise.all([x, c, cols, image].map((a) => a.read()));
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);
    const left = dot(colsValues!, cs!);
    const right = dot(xs!, imageValues!);
    t.ok(Math.abs(left - right) <= 1e-4 * (1 + Math.abs(left)), `${label(item)}: ${left} vs ${right} (rtol 1e-4)`);
    [x, c, cols, image].forEach((a) => a.dispose());
  }
});

// Both ops are linear with 0/1 weights: finite differences are exact up to float32 rounding.
const GRAD = { atol: 1e-3, rtol: 1e-3 };

leakCheckedTest(device, "gradients of both ops, and of their gradients", async (t) => {
  for (const geometry of [CASES[1]!.geometry, CASES[2]!.geometry]) {
    const { k } = geometry;
    const options = optionsOf(geometry);
    const x = device.tensor(randomValues(2 * 5 * 6, 50), [1, 2, 5, 6]);
    const shape = colsShape({ shape: [1, 2, 5, 6], geometry });
    const c = device.tensor(randomValues(shape.reduce((a, b) => a * b), 51), shape);
    const what = `k ${k} stride ${geometry.stride}`;
    const forward = await gradcheck((a: Tensor) => unfold(a, k, options), [x], GRAD);
    t.ok(forward.ok, `gradcheck unfold, ${what} (worst excess ${forward.worstExcess})`);
    const adjoint = await gradcheck((a: Tensor) => fold(a, [5, 6], k, options), [c], GRAD);
    t.ok(adjoint.ok, `gradcheck fold, ${what} (worst excess ${adjoint.worstExcess})`);
    // Squared, so the second derivative is not zero and runs through both ops' vjps.
    const forwardSquared = await gradgradcheck((a: Tensor) => square(unfold(a, k, options)), [x], GRAD);
    t.ok(forwardSquared.ok, `gradgradcheck unfold(x)^2, ${what} (worst excess ${forwardSquared.worstExcess})`);
    const adjointSquared = await gradgradcheck((a: Tensor) => square(fold(a, [5, 6], k, options)), [c], GRAD);
    t.ok(adjointSquared.ok, `gradgradcheck fold(c)^2, ${what} (worst excess ${adjointSquared.worstExcess})`);
    x.dispose();
    c.dispose();
  }
});

t.test("errors name the op and the shapes", async (t) => {
  const flat = device.tensor([1, 2, 3], [1, 3]);
  t.throws(() => unfold(flat, 3), /unfold: the input \(NCHW\) must have rank 4, got shape \[1, 3\]/);
  const image = device.tensor(randomValues(12), [1, 1, 3, 4]);
  t.throws(() => unfold(image, 4), /unfold: a 4x4 window does not fit the padded image 3x4/);
  t.throws(() => unfold(image, 2, { stride: 0 }), /unfold: .*stride 0/);
  t.throws(() => unfold(image, 2, { padding: [1, -1, 0, 0] }), /unfold: padding .*\[1, -1, 0, 0\]/);
  const cols = device.tensor(randomValues(9 * 4), [1, 9, 2, 2]);
  t.throws(() => fold(cols, [4, 5], 3), /fold: columns \[1, 9, 2, 2\] do not match 3x3 windows of a 4x5 image, which make \[N, C \* 9, 2, 3\]/);
  t.throws(() => fold(cols, [4, 4], 2), /fold: columns \[1, 9, 2, 2\] do not match 2x2 windows/);
  [flat, image, cols].forEach((a) => a.dispose());
});
