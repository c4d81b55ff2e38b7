// diagonalSum (fuse propagation's kernel) against a loop over its definition on odd
// shapes, with halo offsets of either sign and radii 0-2, then first and second derivatives.
import t from "tap";
import { diagonalSum, gradcheck, gradgradcheck, square, type Tensor } from "../src/index.js";
import { assertClose, FORWARD, leakCheckedTest, randomValues, testDevice } from "./helpers.js";
import { diagonalSumRef } from "./reference/attention.js";

const device = await testDevice();

leakCheckedTest(device, "matches the reference: chunks with halos, no halo, radii 0 to 2", async (t) => {
  const cases: [number[], number, number, number][] = [
    [[2, 5, 3, 4, 3], 3, 1, 1], // a middle chunk: 1 halo row each side
    [[1, 4, 5, 5, 5], 3, 0, 1], // the first chunk: halo only below
    [[2, 3, 4, 3, 5], 3, 0, 2],
    [[1, 6, 3, 6, 3], 6, 0, 0],
    [[1, 3, 4, 3, 4], 5, -1, 1], // the adjoint's shape: more rows out than in
  ];
  for (const [shape, rowsOut, offset, r] of cases) {
    const values = randomValues(shape.reduce((p, d) => p * d, 1), shape[1]! + 10 * r, -1, 1);
    const x = device.tensor(values, shape);
    const y = diagonalSum(x, rowsOut, offset, r);
    assertClose(t, await y.read(), diagonalSumRef(values, shape, rowsOut, offset, r), FORWARD, `[${shape}] rows ${rowsOut} offset ${offset} radius ${r}`);
    x.dispose();
    y.dispose();
  }
});

leakCheckedTest(device, "first and second derivatives (its vjp is itself, adjoint)", async (t) => {
  const x = device.tensor(randomValues(2 * 4 * 3 * 3 * 2, 5), [2, 4, 3, 3, 2]);
  const f = (a: Tensor) => diagonalSum(a, 2, 1, 1);
  const first = await gradcheck(f, [x]);
  t.ok(first.ok, `gradcheck (worst excess ${first.worstExcess})`);
  // The op is linear, so its own second derivative is zero on both sides; squaring the output
  // makes the first derivative depend on x through the vjp, which must then be differentiable.
  const second = await gradgradcheck((a) => square(f(a)), [x]);
  t.ok(second.ok, `gradgradcheck of the square (worst excess ${second.worstExcess})`);
  x.dispose();
});
