// Semantics of grad() and backward(): accumulation, seeds, unused inputs, noGrad,
// higher orders, and that a first-order grad() leaves nothing behind but its results.
import type { Test } from "tap";
import {
  add, backward, div, exp, grad, max, mul, noGrad, powScalar, record, requireGrad, requiresGrad, square, sum, tidy, type Tensor,
} from "../src/index.js";
import { assertClose, FORWARD, testDevice, leakCheckedTest } from "./helpers.js";

const device = await testDevice();

/** A tap test that must release every tensor it made. */
const test = (name: string, body: (t: Test) => Promise<void>) => leakCheckedTest(device, name, body);

test("a tensor used twice gets both contributions", async (t) => {
  const x = requireGrad(device.tensor([1.5, -2, 0.25], [3]));
  const [g] = tidy(() => grad(sum(mul(x, x)), [x]));
  assertClose(t, await g!.read(), [3, -4, 0.5], FORWARD, "d/dx sum(x * x) = 2x");
  const [h] = tidy(() => grad(sum(add(mul(x, x), mul(x, exp(x)))), [x]));
  const expected = [1.5, -2, 0.25].map((v) => 2 * v + Math.exp(v) * (1 + v));
  assertClose(t, await h!.read(), expected, FORWARD, "d/dx sum(x^2 + x e^x) = 2x + e^x (1 + x)");
  [x, g!, h!].forEach((v) => v.dispose());
});

test("gradOutputs seeds a non-scalar output; without it grad refuses", async (t) => {
  const x = requireGrad(device.tensor([1, 2, 3, 4], [2, 2]));
  const c = device.tensor([0.5, -1], [2]);
  const seed = device.tensor([1, 10, 100, 1000], [2, 2]);
  const y = mul(x, c);
  const [g] = grad(y, [x], { gradOutputs: [seed] });
  assertClose(t, await g!.read(), [0.5, -10, 50, -1000], FORWARD, "the seed times c");
  t.throws(() => grad(y, [x]), /output 0 has shape \[2, 2\]; pass gradOutputs/, "a non-scalar output needs gradOutputs");
  const wrong = device.tensor([1, 2], [2]);
  t.throws(() => grad(y, [x], { gradOutputs: [wrong] }), /gradOutputs\[0\] has shape \[2\] but the output has \[2, 2\]/, "a seed of the wrong shape is refused");
  [x, c, seed, y, g!, wrong].forEach((v) => v.dispose());
});

test("allowUnused gives zeros; without it an unused input is an error", async (t) => {
  const x = requireGrad(device.tensor([1, 2], [2]));
  const z = requireGrad(device.tensor([7, 8, 9], [3]));
  const squares = square(x);
  const loss = sum(squares);
  const [gx, gz] = grad(loss, [x, z], { allowUnused: true });
  assertClose(t, await gx!.read(), [2, 4], FORWARD, "the used input's gradient");
  assertClose(t, await gz!.read(), [0, 0, 0], FORWARD, "zeros for the unused one");
  t.throws(() => grad(loss, [x, z]), /input \[3\] is not used by the outputs; pass allowUnused/, "unused input named");
  [x, z, squares, loss, gx!, gz!].forEach((v) => v.dispose());
});

test("noGrad records nothing", async (t) => {
  const x = requireGrad(device.tensor([1, 2], [2]));
  const y = noGrad(() => exp(x));
  t.notOk(requiresGrad(y), "an op under noGrad makes no node");
  const recorded = exp(x);
  t.ok(requiresGrad(recorded), "the same op outside noGrad does");
  const loss = sum(y);
  t.throws(() => grad(loss, [x]), /not used by the outputs/, "no path leads back to x");
  t.throws(() => grad(loss, [y]), /does not require a gradient; mark it with requireGrad/, "y is not differentiable");
  [x, y, recorded, loss].forEach((v) => v.dispose());
});

test("backward returns a gradient for every parameter", async (t) => {
  const w = requireGrad(device.tensor([0.5, -1, 2], [3]));
  const b = requireGrad(device.tensor([0.1], [1]));
  const unrelated = requireGrad(device.tensor([3], [1]));
  const x = device.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const { loss, grads } = tidy(() => {
    const loss = add(sum(add(mul(x, w), b)), sum(square(w)));
    return { loss, grads: backward(loss) };
  });
  t.same([...grads.keys()].sort((p, q) => p.size - q.size), [b, w], "exactly the parameters the loss depends on");
  // d/dw = column sums of x + 2w; d/db = number of elements b was added to.
  assertClose(t, await grads.get(w)!.read(), [5 + 1, 7 - 2, 9 + 4], FORWARD, "d loss / dw");
  assertClose(t, await grads.get(b)!.read(), [6], FORWARD, "d loss / db");
  [w, b, unrelated, x, loss, ...grads.values()].forEach((v) => v.dispose());
});

test("a vjp is asked only for the gradients that lead to a wanted input", async (t) => {
  const x = requireGrad(device.tensor([1, 2], [2]));
  const w = requireGrad(device.tensor([3, 4], [2]));
  const asked: boolean[][] = [];
  // mul(a, b) as an op of its own that notes which gradients grad() wants from it.
  const probe = (a: Tensor, b: Tensor) =>
    record("probe", noGrad(() => mul(a, b)), [a, b], (g, needed, [sa, sb]) => {
      asked.push([...needed]);
      return [needed[0] ? mul(g, sb!) : null, needed[1] ? mul(g, sa!) : null];
    }, { saved: [a, b] });
  const [gx] = tidy(() => grad(sum(probe(exp(x), w)), [x]));
  t.same(asked, [[true, false]], "only the input x lies behind is wanted, not w");
  assertClose(t, await gx!.read(), [3 * Math.exp(1), 4 * Math.exp(2)], FORWARD, "d/dx sum(e^x w)");
  asked.length = 0;
  const [gw] = tidy(() => grad(sum(probe(exp(x), w)), [w]));
  t.same(asked, [[false, true]], "with w wanted, nothing is asked of the branch to x");
  assertClose(t, await gw!.read(), [Math.exp(1), Math.exp(2)], FORWARD, "d/dw sum(e^x w)");
  [x, w, gx!, gw!].forEach((v) => v.dispose());
});

test("third derivative of x^4 is 24x", async (t) => {
  const points = [0.5, -1.3, 2];
  const x = requireGrad(device.tensor(points, [3]));
  for (const [name, f] of [["powScalar", () => powScalar(x, 4)], ["products", () => mul(square(x), mul(x, x))]] as const) {
    const third = tidy(() => {
      const [first] = grad(sum(f()), [x], { createGraph: true });
      const [second] = grad(sum(first!), [x], { createGraph: true });
      return grad(sum(second!), [x])[0]!;
    });
    assertClose(t, await third.read(), points.map((v) => 24 * v), { atol: 1e-4, rtol: 1e-4 }, `d^3/dx^3 x^4 via ${name}`);
    third.dispose();
  }
  x.dispose();
});

test("grad without createGraph leaves no live tensors beyond its results", async (t) => {
  const x = requireGrad(device.tensor([0.3, -0.7, 1.2, 0.9, -0.4, 2.1], [2, 3]));
  const w = requireGrad(device.tensor([1.5, -0.5, 0.8], [3]));
  // Broadcasting, reuse of x, a max, a division: many vjps and accumulations. The
  // intermediates stay alive, as the vjps read them.
  const h = mul(x, w);
  const hx = add(h, x);
  const top = max(hx, 0, true);
  const ew = exp(w);
  const ratio = div(top, ew);
  const hh = square(h);
  const total = add(ratio, hh);
  const loss = sum(total);
  const before = device.memory().liveTensors;
  const grads = grad(loss, [x, w]);
  t.equal(device.memory().liveTensors, before + grads.length, "only the two gradients were added");
  const gradsAgain = grad(loss, [x, w]);
  assertClose(t, await gradsAgain[0]!.read(), await grads[0]!.read(), FORWARD, "a second grad() over the kept graph agrees");
  [x, w, h, hx, top, ew, ratio, hh, total, loss, ...grads, ...gradsAgain].forEach((v) => v.dispose());
});
