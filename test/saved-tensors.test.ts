// Saved tensors: an op declares what its vjp reads, the graph holds it, and a caller may
// dispose() any tensor once it has no more use for it. The op cases dispose every operand
// and result right after the forward pass and expect the gradients of a run that disposes
// nothing; the tests after them cover the error for an undeclared read, how long the graph
// holds a saved tensor, second order through one, and grad()'s own releases.
import type { Test } from "tap";
import {
  abs, add, affine, attentionSoftmax, clip, concat, conv2d, conv2dBackwardFilter, conv2dBackwardInput, div, elu, exp, grad,
  gradientPenalty, leakyRelu, log, matmul, max, maximum, mean, minimum, mul, pad, pow, powScalar, record, relu,
  lerp, requireGrad, resizeNearest, slice, softmax, sqrt, square, sum, tidy, where, type Tensor,
} from "../src/index.js";
import { assertClose, FORWARD, leakCheckedTest, randomValues, testDevice } from "./helpers.js";

const device = await testDevice();

/** An operand: a shape, a value range, and whether the gradient is taken with respect to it. */
interface Operand {
  shape: number[];
  range?: [number, number];
  constant?: boolean;
}

interface Case {
  name: string;
  operands: Operand[];
  op: (xs: Tensor[]) => Tensor;
}

const x = (shape: number[], range?: [number, number]): Operand => ({ shape, range });
const constant = (shape: number[], range?: [number, number]): Operand => ({ shape, range, constant: true });
const positive: [number, number] = [0.5, 2];

// Every op whose vjp reads values, and a few that read only shapes (sum, mean, layout, resize).
const CASES: Case[] = [
  { name: "mul (broadcast)", operands: [x([2, 3]), x([3])], op: ([a, b]) => mul(a!, b!) },
  { name: "div", operands: [x([2, 3]), x([2, 3], positive)], op: ([a, b]) => div(a!, b!) },
  { name: "pow", operands: [x([2, 3], positive), x([2, 3])], op: ([a, b]) => pow(a!, b!) },
  { name: "maximum", operands: [x([2, 3]), x([2, 3])], op: ([a, b]) => maximum(a!, b!) },
  { name: "minimum", operands: [x([2, 3]), x([2, 3])], op: ([a, b]) => minimum(a!, b!) },
  { name: "where", operands: [constant([2, 3]), x([2, 3]), x([3])], op: ([c, a, b]) => where(c!, a!, b!) },
  { name: "lerp", operands: [x([2, 3]), x([3]), x([2, 1])], op: ([a, b, t]) => lerp(a!, b!, t!) },
  { name: "exp", operands: [x([5])], op: ([a]) => exp(a!) },
  { name: "log", operands: [x([5], positive)], op: ([a]) => log(a!) },
  { name: "sqrt", operands: [x([5], positive)], op: ([a]) => sqrt(a!) },
  { name: "square", operands: [x([5])], op: ([a]) => square(a!) },
  { name: "abs", operands: [x([5])], op: ([a]) => abs(a!) },
  { name: "powScalar", operands: [x([5])], op: ([a]) => powScalar(a!, 3) },
  { name: "relu", operands: [x([5])], op: ([a]) => relu(a!) },
  { name: "leakyRelu", operands: [x([5])], op: ([a]) => leakyRelu(a!, 0.2) },
  { name: "elu", operands: [x([5])], op: ([a]) => elu(a!, 1) },
  { name: "clip", operands: [x([5])], op: ([a]) => clip(a!, -0.5, 0.5) },
  { name: "matmul (batched, transposed)", operands: [x([2, 3, 4]), x([5, 4])], op: ([a, b]) => matmul(a!, b!, { transposeB: true }) },
  { name: "softmax", operands: [x([3, 5])], op: ([a]) => softmax(a!, 1) },
  { name: "max", operands: [x([3, 4])], op: ([a]) => max(a!, 1) },
  { name: "sum", operands: [x([3, 4])], op: ([a]) => sum(a!, 0) },
  { name: "mean", operands: [x([3, 4])], op: ([a]) => mean(a!, 1) },
  {
    name: "conv2d with bias, stride 2",
    operands: [x([1, 2, 5, 6]), x([3, 2, 3, 3]), x([3])],
    op: ([a, w, b]) => conv2d(a!, w!, { stride: 2, padding: "same" }, b!),
  },
  { name: "conv2d, reflect padding", operands: [x([1, 2, 5, 5]), x([3, 2, 3, 3])], op: ([a, w]) => conv2d(a!, w!, { padding: 1, padMode: "reflect" }) },
  {
    name: "conv2dBackwardInput",
    operands: [x([1, 3, 5, 5]), x([3, 2, 3, 3])],
    op: ([gy, w]) => conv2dBackwardInput(gy!, w!, [1, 2, 5, 5], { padding: 1 }),
  },
  {
    name: "conv2dBackwardFilter",
    operands: [x([1, 2, 5, 5]), x([1, 3, 5, 5])],
    op: ([a, gy]) => conv2dBackwardFilter(a!, gy!, [3, 2, 3, 3], { padding: 1 }),
  },
  { name: "attentionSoftmax", operands: [x([1, 3, 4]), constant([1, 4], [0, 1])], op: ([s, v]) => attentionSoftmax(s!, v!, 2) },
  { name: "gradientPenalty", operands: [x([2, 2, 3, 3]), constant([2, 1, 3, 3], [0, 1])], op: ([g, m]) => gradientPenalty(g!, m!) },
  { name: "pad (reflect)", operands: [x([1, 1, 3, 4])], op: ([a]) => pad(a!, [[0, 0], [0, 0], [1, 1], [2, 0]], "reflect") },
  { name: "slice and concat", operands: [x([2, 4]), x([2, 2])], op: ([a, b]) => concat([slice(a!, [0, 1], [2, 3]), b!], 1) },
  { name: "resizeNearest", operands: [x([1, 1, 2, 3])], op: ([a]) => resizeNearest(a!, [4, 5]) },
];

/**
 * The gradients of sum(op(xs) * weights) with respect to the leaves behind the operands.
 * With `early`, every operand and the op's result are disposed as soon as the forward pass
 * no longer needs them, before grad() runs.
 */
function gradients(c: Case, leaves: Tensor[], early: boolean): Tensor[] {
  return tidy(() => {
    // Each operand is a fresh tensor made from its leaf (a recorded one unless constant), so it can be released.
    const xs = leaves.map((leaf) => affine(leaf, 1));
    const y = c.op(xs);
    const weights = device.tensor(randomValues(y.size, 99), y.shape);
    const loss = sum(mul(y, weights));
    if (early) [...xs, y].forEach((t) => t.dispose());
    return grad(loss, leaves.filter((_, i) => !c.operands[i]!.constant));
  });
}

for (const c of CASES) {
  leakCheckedTest(device, `${c.name}: disposing operands and result after the forward pass changes no gradient`, async (t) => {
    const leaves = c.operands.map((o, i) => {
      const [low, high] = o.range ?? [-1, 1];
      const leaf = device.tensor(randomValues(o.shape.reduce((a, b) => a * b, 1), 10 + i, low, high), o.shape);
      return o.constant ? leaf : requireGrad(leaf);
    });
    const made = [...leaves];
    try {
      const expected = gradients(c, leaves, false);
      made.push(...expected);
      const actual = gradients(c, leaves, true);
      made.push(...actual);
      for (let i = 0; i < expected.length; i++) {
        assertClose(t, await actual[i]!.read(), await expected[i]!.read(), FORWARD, `gradient ${i}`);
      }
    } finally {
      made.forEach((v) => v.dispose());
    }
  });
}

const test = (name: string, body: (t: Test) => Promise<void>) => leakCheckedTest(device, name, body);

test("a vjp that reads a tensor it did not save fails naming its op", async (t) => {
  // cube(x) = x^3 with a vjp that closes over x instead of saving it.
  const undeclaredCube = (v: Tensor) => record("undeclaredCube", powScalar(v, 3), [v], (g) => [mul(g, affine(square(v), 3))]);
  const p = requireGrad(device.tensor([0.5, -1, 2], [3]));
  tidy(() => {
    const v = affine(p, 1);
    const loss = sum(undeclaredCube(v));
    v.dispose();
    t.throws(() => grad(loss, [p]), /the vjp of undeclaredCube read a tensor that was released .*record\(\.\.\., \{ saved \}\)/, "the error names the op and the fix");
  });
  p.dispose();
});

test("a user-defined op that declares its saved tensor survives the early release", async (t) => {
  const cube = (v: Tensor) => record("cube", powScalar(v, 3), [v], (g, _, [v]) => [mul(g, affine(square(v), 3))], { saved: [v] });
  const p = requireGrad(device.tensor([0.5, -1, 2], [3]));
  const [g] = tidy(() => {
    const v = affine(p, 1);
    const loss = sum(cube(v));
    v.dispose();
    return grad(loss, [p]);
  });
  assertClose(t, await g!.read(), [0.75, 3, 12], FORWARD, "3 x^2");
  [p, g!].forEach((v) => v.dispose());
});

test("the graph holds a saved tensor's buffer until the graph is released", async (t) => {
  const p = requireGrad(device.tensor(randomValues(4096, 5), [4096]));
  const base = device.memory();
  const v = affine(p, 2);
  const y = exp(v);
  const afterForward = device.memory().bytesInUse;
  v.dispose();
  t.equal(device.memory().bytesInUse, afterForward, "exp saved its input: disposing it frees no buffer");
  const loss = sum(y);
  y.dispose();
  t.ok(device.memory().bytesInUse > base.bytesInUse, "the graph behind the loss still holds the input");
  // No tidy() scope anywhere: releasing the last result releases the graph and its holds.
  loss.dispose();
  t.equal(device.memory().bytesInUse, base.bytesInUse, "releasing the loss releases every buffer the graph held");
  t.equal(device.memory().liveTensors, base.liveTensors, "and every tensor");
  p.dispose();
});

test("gradients of gradients flow through a saved tensor the caller released", async (t) => {
  // d/dp sum(exp(2p)) = 2 exp(2p); its sum's derivative is 4 exp(2p). The second derivative
  // flows through exp's saved input back to p.
  const values = [0.1, -0.3, 0.7];
  const p = requireGrad(device.tensor(values, [3]));
  const [gg] = tidy(() => {
    const v = affine(p, 2);
    const loss = sum(exp(v));
    v.dispose();
    const [g] = grad(loss, [p], { createGraph: true });
    return grad(sum(g!), [p]);
  });
  assertClose(t, await gg!.read(), values.map((u) => 4 * Math.exp(2 * u)), FORWARD, "4 exp(2p)");
  [p, gg!].forEach((v) => v.dispose());
});

test("grad() of a released output is refused", async (t) => {
  const p = requireGrad(device.tensor([1, 2], [2]));
  const squares = square(p);
  const loss = sum(squares);
  loss.dispose();
  t.throws(() => grad(loss, [p]), /grad: output 0 Tensor\[\] \(released\) was released before grad\(\) ran/, "names the output");
  [p, squares].forEach((v) => v.dispose());
});

test("grad() with createGraph releases its intermediate gradients too", async (t) => {
  // loss = sum(p + 2p + ... + 8p): eight gradients reach p and are summed one by one. No vjp
  // on the way saves any of them, so all but the result go as soon as they are passed on.
  const n = 16384;
  const p = requireGrad(device.tensor(randomValues(n, 7), [n]));
  const [g] = tidy(() => {
    let total = affine(p, 1);
    for (let k = 2; k <= 8; k++) total = add(total, affine(p, k));
    const loss = sum(total);
    const before = device.memory().bytesInUse;
    const grads = grad(loss, [p], { createGraph: true });
    const grown = device.memory().bytesInUse - before;
    t.ok(grown < 2 * 4 * n, `grad() kept ${grown} bytes: the result (${4 * n} bytes) and no more than scalars besides`);
    return grads;
  });
  assertClose(t, await g!.read(), new Array(n).fill(36), FORWARD, "the gradient is 1 + 2 + ... + 8");
  [p, g!].forEach((v) => v.dispose());
});
