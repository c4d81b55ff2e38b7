// The finite-difference checkers must catch a wrong gradient, or every gradient test is void.
import t from "tap";
import { affine, detach, gradcheck, gradgradcheck, mul, record, square, type Tensor } from "../src/index.js";
import { randomValues, testDevice } from "./helpers.js";

const device = await testDevice();
const cube = (a: Tensor) => mul(square(a), a);

t.test("gradcheck accepts a correct gradient and rejects a wrong one", async (t) => {
  const x = device.tensor(randomValues(6, 3), [2, 3]);
  t.ok((await gradcheck(cube, [x])).ok, "x^3 passes");
  // An op that claims d(x^2)/dx = x, half the truth.
  const halved = (a: Tensor) => record("halvedSquare", square(a), [a], (g, _, [a]) => [mul(g, a)], { saved: [a] });
  const result = await gradcheck(halved, [x]);
  t.notOk(result.ok, "a halved gradient fails");
  const worst = result.mismatches[0]!;
  t.ok(Math.abs(worst.analytic / worst.numeric - 0.5) < 0.05, "the report shows the halved value");
  x.dispose();
});

t.test("gradgradcheck rejects a vjp that is not differentiable", async (t) => {
  const x = device.tensor(randomValues(5, 4), [5]);
  t.ok((await gradgradcheck(cube, [x])).ok, "x^3 passes twice");
  // The right first derivative 2x, computed from a detached copy, so the graph cannot see x.
  const opaque = (a: Tensor) => record("opaqueSquare", square(a), [a], (g, _, [a]) => [mul(g, affine(detach(a), 2))], { saved: [a] });
  t.ok((await gradcheck(opaque, [x])).ok, "its first derivative is right");
  t.notOk((await gradgradcheck(opaque, [x])).ok, "its second derivative is missed and caught");
  x.dispose();
  t.equal(device.memory().liveTensors, 0, "the checkers release what they create");
});
