// Elementwise kernels against their float64 references, and the gradients of every
// differentiable elementwise op (second order too for the ones the gradient penalty needs).
import type { Test } from "tap";
import {
  abs, add, affine, addScalar, clip, div, elu, equal, exp, full, grad, gradcheck, gradgradcheck, greater, greaterEqual,
  leakyRelu, lerp, log, maximum, minimum, mul, mulScalar, neg, ones, onesLike, pow, powScalar, relu, sign, sqrt, square,
  requireGrad, step, sub, tidy, where, zeros, zerosLike, type Tensor,
} from "../src/index.js";
import { binaryRef, fullRef, lerpRef, unaryRef, whereRef, type BinaryName, type UnaryName } from "./reference/elementwise.js";
import type { NdArray } from "./reference/layout.js";
import { assertClose, FORWARD, testDevice, type Tolerance, GRAD, leakCheckedTest, randomArray } from "./helpers.js";

const device = await testDevice();
/** Finite differences in float32 (eps 1e-3, and 1e-2 for second order) agree to about 1e-2. */

/** A tap test that must release every tensor it made: neither ops nor checkers may leak. */
const test = (name: string, body: (t: Test) => Promise<void>) => leakCheckedTest(device, name, body);

const random = randomArray;

const upload = (x: NdArray) => device.tensor(x.data, x.shape);

async function expectMatch(t: Test, y: Tensor, expected: NdArray, tol: Tolerance, message: string) {
  t.same(y.shape, expected.shape, `${message}: shape`);
  assertClose(t, await y.read(), expected.data, tol, message);
  y.dispose();
}

// Ranks 1 to 5; sizes that are not multiples of the 64-lane workgroup nor of the 4 and 16
// elements a lane handles (one exact multiple of 64 too, for the other side of the bounds).
const SHAPES = [[1], [67], [5, 13], [2, 3, 11], [2, 1, 3, 5, 7], [4, 16], [3, 1001]];

test("unary ops match the reference", async (t) => {
  const cases: [UnaryName, (x: Tensor) => Tensor, number, number, number?, number?][] = [
    ["neg", neg, -2, 2],
    ["exp", exp, -3, 3],
    ["log", log, 0.05, 4],
    ["sqrt", sqrt, 0, 4],
    ["square", square, -2, 2],
    ["abs", abs, -2, 2],
    ["relu", relu, -2, 2],
    ["elu", (x) => elu(x, 0.7), -3, 2, 0.7],
    ["leakyRelu", (x) => leakyRelu(x, 0.1), -2, 2, 0.1],
    ["clip", (x) => clip(x, -0.5, 0.8), -2, 2, -0.5, 0.8],
    ["affine", (x) => affine(x, -1.5, 0.25), -2, 2, -1.5, 0.25],
    ["powScalar", (x) => powScalar(x, 2.5), 0, 3, 2.5],
    ["powScalar", (x) => powScalar(x, 3), -2, 2, 3],
    ["sign", sign, -2, 2],
    ["step", (x) => step(x, 0.3), -2, 2, 0.3],
  ];
  for (const [name, op, low, high, p0, p1] of cases) {
    for (const [i, shape] of SHAPES.entries()) {
      const x = random(shape, 11 + i, low, high);
      const input = upload(x);
      await expectMatch(t, op(input), unaryRef(x, name, p0, p1), FORWARD, `${name} ${JSON.stringify(shape)}`);
      input.dispose();
    }
  }
});

test("unary edge cases: integer powers of negatives, NaN for fractional ones, scalar helpers", async (t) => {
  const x = { data: new Float32Array([-2, -0.5, 0, 0.5, 3]), shape: [5] };
  const input = upload(x);
  await expectMatch(t, powScalar(input, 4), unaryRef(x, "powScalar", 4), FORWARD, "x^4 of negatives is positive");
  await expectMatch(t, powScalar(input, 0), unaryRef(x, "powScalar", 0), FORWARD, "x^0 is 1, even at 0");
  await expectMatch(t, powScalar(input, 0.5), unaryRef(x, "powScalar", 0.5), FORWARD, "x^0.5 of a negative is NaN");
  await expectMatch(t, addScalar(input, 1.5), unaryRef(x, "affine", 1, 1.5), FORWARD, "addScalar");
  await expectMatch(t, mulScalar(input, -3), unaryRef(x, "affine", -3, 0), FORWARD, "mulScalar");
  input.dispose();
});

const BROADCAST_PAIRS: [number[], number[]][] = [
  [[7], [7]],
  [[3, 67], [3, 67]],
  [[1], [5, 3]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [4]],
  [[5, 1, 3], [2, 1, 1, 3]],
  [[2, 1, 3, 1, 5], [1, 4, 1, 6, 1]],
  [[130], [1]],
  // Merged axes and whole-vec4 reads (last merged axis a multiple of 4, stride 1 or 0):
  [[5, 2, 12], [5, 1, 12]],
  [[7, 8], [7, 1]],
  [[2, 3, 4, 4], [1, 3, 1, 1]],
  [[3, 36, 20], [3, 1, 20]],
  [[3, 7, 5], [3, 1, 5]],
];

test("binary ops match the reference with NumPy broadcasting", async (t) => {
  const names: BinaryName[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "greater", "greaterEqual", "equal"];
  const ops: Record<BinaryName, (a: Tensor, b: Tensor) => Tensor> = {
    add, sub, mul, div, pow, maximum, minimum, greater, greaterEqual, equal,
  };
  // Comparisons see values from a small set, so ties occur and equal() has hits.
  const quantize = (x: NdArray): NdArray => ({ data: Float32Array.from(x.data, (v) => Math.round(v * 2) / 2), shape: x.shape });
  for (const name of names) {
    for (const [i, [shapeA, shapeB]] of BROADCAST_PAIRS.entries()) {
      let a = random(shapeA, 100 + i, name === "pow" ? 0.2 : -2, 2);
      let b = random(shapeB, 200 + i, name === "div" ? 0.5 : -2, 2);
      if (name.startsWith("greater") || name === "equal") [a, b] = [quantize(a), quantize(b)];
      const [ta, tb] = [upload(a), upload(b)];
      await expectMatch(t, ops[name](ta, tb), binaryRef(a, b, name), FORWARD, `${name} ${JSON.stringify(shapeA)} with ${JSON.stringify(shapeB)}`);
      ta.dispose();
      tb.dispose();
    }
  }
});

test("fills, where and lerp", async (t) => {
  for (const shape of [[], [1], [67], [3, 5, 7], [2, 0, 3]]) {
    await expectMatch(t, full(device, shape, 2.5), fullRef(shape, 2.5), FORWARD, `full ${JSON.stringify(shape)}`);
  }
  await expectMatch(t, zeros(device, [130]), fullRef([130], 0), FORWARD, "zeros");
  await expectMatch(t, ones(device, [2, 65]), fullRef([2, 65], 1), FORWARD, "ones");
  const x = upload(random([3, 5], 1));
  await expectMatch(t, zerosLike(x), fullRef([3, 5], 0), FORWARD, "zerosLike");
  await expectMatch(t, onesLike(x), fullRef([3, 5], 1), FORWARD, "onesLike");
  x.dispose();

  const cond = { data: new Float32Array([1, 0, 1]), shape: [3, 1] };
  for (const [shapeA, shapeB] of [[[1, 4], [4]], [[3, 4], [1]], [[2, 3, 1], [3, 5]]]) {
    const a = random(shapeA!, 5);
    const b = random(shapeB!, 6);
    const [tc, ta, tb] = [upload(cond), upload(a), upload(b)];
    await expectMatch(t, where(tc, ta, tb), whereRef(cond, a, b), FORWARD, `where [3,1] ${JSON.stringify(shapeA)} ${JSON.stringify(shapeB)}`);
    [tc, ta, tb].forEach((v) => v.dispose());
  }
  // A mask per image over three channels, read in whole vec4s (the composite's layout); rows
  // of 10 vec4s, so one invocation's runs of 4 end short of a row's end.
  const mask = { data: Float32Array.from({ length: 80 }, (_, i) => (i % 3 === 0 ? 1 : 0)), shape: [2, 1, 40] };
  const [image, output] = [random([2, 3, 40], 10), random([1], 11)];
  const [tm, ti, to] = [upload(mask), upload(image), upload(output)];
  await expectMatch(t, where(tm, to, ti), whereRef(mask, output, image), FORWARD, "where [2,1,40] [1] [2,3,40]");
  [tm, ti, to].forEach((v) => v.dispose());
  // lerp: every operand broadcast somewhere, sizes off the vec4 and workgroup multiples, and
  // last axes of 8, 12 and 36 for the vec4 layout (a t per image splatted, a b broadcast over images).
  const lerpShapes = [
    [[67], [67], [1]], [[3, 1, 5], [4, 1], [3, 1, 1]], [[2, 3, 1, 7], [1, 3, 9, 7], [2, 1, 9, 1]],
    [[2, 3, 8], [1, 3, 8], [2, 1, 1]], [[5, 3, 12], [5, 3, 12], [5, 1, 12]], [[3, 2, 36], [3, 2, 36], [3, 1, 36]],
  ];
  for (const [shapeA, shapeB, shapeT] of lerpShapes) {
    const a = random(shapeA!, 7);
    const b = random(shapeB!, 8);
    const s = random(shapeT!, 9, 0, 1);
    const [ta, tb, ts] = [upload(a), upload(b), upload(s)];
    await expectMatch(t, lerp(ta, tb, ts), lerpRef(a, b, s), FORWARD, `lerp ${JSON.stringify(shapeA)} ${JSON.stringify(shapeB)} ${JSON.stringify(shapeT)}`);
    [ta, tb, ts].forEach((v) => v.dispose());
  }
  // The unselected side may be NaN or infinite (log of non-positives) and must not leak through.
  const signed = { data: new Float32Array([-1, 0, 2, 3, -4]), shape: [5] };
  const positive = { data: Float32Array.from(signed.data, (v) => (v > 0 ? 1 : 0)), shape: [5] };
  const [tx, tp] = [upload(signed), upload(positive)];
  const logs = log(tx);
  const zero = zeros(device, [1]);
  await expectMatch(t, where(tp, logs, zero), whereRef(positive, unaryRef(signed, "log"), fullRef([1], 0)), FORWARD, "where(x > 0, log(x), 0)");
  [tx, tp, logs, zero].forEach((v) => v.dispose());
});

/**
 * How a case checks second derivatives: "own" differentiates the op's vjp as it is; "squared"
 * checks square(op(...)) instead, for ops whose derivative does not depend on their input:
 * their own second derivative is zero, analytic and numeric alike, so only the square (whose
 * first derivative flows through the op's vjp) shows whether that vjp is differentiable.
 */
type SecondOrder = "own" | "squared" | null;

async function checkGradients(t: Test, name: string, f: (...x: Tensor[]) => Tensor, inputs: Tensor[], second: SecondOrder) {
  const first = await gradcheck(f, inputs, GRAD);
  t.ok(first.ok, `gradcheck ${name}`, { mismatches: first.mismatches });
  if (!second) return;
  const g = second === "squared" ? (...x: Tensor[]) => square(f(...x)) : f;
  const result = await gradgradcheck(g, inputs, GRAD);
  t.ok(result.ok, `gradgradcheck ${second === "squared" ? `${name}, squared` : name}`, { mismatches: result.mismatches });
}

test("gradients of the binary ops, with broadcasting", async (t) => {
  // Pairs compared by maximum and minimum differ by 0.1 or more, beyond the 1e-2 step of the
  // second-order differences, so no difference crosses the switch between the two inputs.
  const a = device.tensor([-0.9, 0.2, 0.8, 0.5, -0.4, -0.1], [2, 3]);
  const b = device.tensor([0.6, 0.5, -0.25], [3]);
  const col = device.tensor([1.3, -0.7], [2, 1]);
  const positive = device.tensor([0.5, 1.2, 2.0, 0.8, 1.5, 0.3], [2, 3]);
  const exponent = device.tensor([1.5, -0.5, 2.2], [1, 3]);
  const cond = device.tensor([1, 0, 0, 1, 1, 0], [2, 3]);
  const cases: [string, (...x: Tensor[]) => Tensor, Tensor[], SecondOrder][] = [
    ["add", add, [a, b], "squared"],
    ["sub", sub, [a, col], "squared"],
    ["mul", mul, [a, b], "own"],
    ["div", div, [a, col], "own"],
    ["pow", pow, [positive, exponent], "own"],
    ["maximum", maximum, [a, b], "squared"],
    ["minimum", minimum, [col, a], "squared"],
    ["where", (x, y) => where(cond, x, y), [a, b], "squared"],
    ["lerp", lerp, [a, b, col], "own"],
  ];
  for (const [name, f, inputs, second] of cases) await checkGradients(t, name, f, inputs, second);
  [a, b, col, positive, exponent, cond].forEach((x) => x.dispose());
});

test("the activations' fused vjps equal g * f'(x) in float64 on every shape", async (t) => {
  const slopes: [string, (x: Tensor) => Tensor, (x: number) => number][] = [
    ["relu", relu, (x) => (x > 0 ? 1 : 0)],
    ["leakyRelu", (x) => leakyRelu(x, 0.15), (x) => (x > 0 ? 1 : 0.15)],
    ["elu", (x) => elu(x, 0.8), (x) => (x > 0 ? 1 : 0.8 * Math.exp(x))],
  ];
  for (const [name, f, slope] of slopes) {
    for (const [i, shape] of SHAPES.entries()) {
      const x = random(shape, 40 + i, -3, 2);
      const g = random(shape, 60 + i, -1, 1);
      const dx = tidy(() => {
        const input = requireGrad(upload(x));
        return grad(f(input), [input], { gradOutputs: [upload(g)] })[0]!;
      });
      await expectMatch(t, dx, { shape, data: Float64Array.from(x.data, (v, k) => g.data[k]! * slope(v)) }, FORWARD, `${name}'s vjp ${JSON.stringify(shape)}`);
    }
  }
});

test("gradients of the unary ops, away from their kinks", async (t) => {
  // |x| >= 0.1 everywhere and away from clip's bounds, so no finite difference crosses a kink.
  const x = device.tensor([-1.3, -0.6, -0.2, 0.3, 0.7, 1.6], [2, 3]);
  const positive = device.tensor([0.4, 1.1, 2.5, 0.9, 1.7], [5]);
  const cases: [string, (x: Tensor) => Tensor, Tensor, SecondOrder][] = [
    ["neg", neg, x, "squared"],
    ["affine", (v) => affine(v, -1.7, 0.3), x, "squared"],
    ["exp", exp, x, "own"],
    ["log", log, positive, "own"],
    ["sqrt", sqrt, positive, "own"],
    ["square", square, x, "own"],
    ["abs", abs, x, null],
    ["powScalar 2.5", (v) => powScalar(v, 2.5), positive, "own"],
    ["powScalar 3 of negatives", (v) => powScalar(v, 3), x, "own"],
    ["relu", relu, x, null],
    ["leakyRelu", (v) => leakyRelu(v, 0.15), x, "squared"],
    ["elu", (v) => elu(v, 0.8), x, "own"],
    ["clip", (v) => clip(v, -0.5, 1.0), x, null],
  ];
  for (const [name, f, input, second] of cases) await checkGradients(t, name, f, [input], second);
  x.dispose();
  positive.dispose();
});

test("leakyRelu's gradient is differentiable w.r.t. the gradient it receives (the gradient penalty's path)", async (t) => {
  // The penalty differentiates dD/dx w.r.t. the critic's weights; the weights after an
  // activation reach dD/dx only through the gradient that activation's vjp receives. Here
  // that gradient is v * w, so d(dL/dx)/dw = v * slope(x) exists only if the vjp is
  // differentiable in its incoming gradient, not just in x.
  const x = device.tensor([-1.3, -0.6, -0.2, 0.3, 0.7, 1.6], [2, 3]);
  const w = device.tensor([0.8, -1.1, 0.5, 1.4, -0.3, 0.9], [2, 3]);
  await checkGradients(t, "leakyRelu(x) * w", (a, b) => mul(leakyRelu(a, 0.2), b), [x, w], "own");
  x.dispose();
  w.dispose();
});
