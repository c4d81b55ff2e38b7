// matmul against the float64 triple loop for every kernel this adapter runs (the lanes
// kernel at the adapter's subgroup width; the other widths are reported skipped), on shapes that are not tile
// multiples, every transpose combination and shared batches; gradients of both inputs
// checked once and twice; and the error for mismatched shapes.
import t from "tap";
import { gradcheck, gradgradcheck, matmul, MATMUL_KERNELS, type Tensor } from "../src/index.js";
import { referenceMatmul } from "./reference/matmul.js";
import { lanesMissing } from "../src/autograd/ops/lanes.js";
import { assertClose, FORWARD, randomValues, runnableWithLanes, testDevice } from "./helpers.js";

const device = await testDevice();
const KERNELS = runnableWithLanes(device, "matmul", MATMUL_KERNELS);
// Sums of up to 1024 products of values in [-1, 1): absolute error grows with K.
const MATMUL_TOL = { atol: 1e-4, rtol: 1e-4 };

// [batchA, batchB, m, n, k]; batch 0 means a rank-2 operand.
const SHAPES: [number, number, number, number, number][] = [
  [0, 0, 1, 1, 1],
  [0, 0, 7, 13, 5],
  [0, 0, 33, 65, 17],
  [0, 0, 129, 70, 131],
  [3, 3, 9, 17, 33],
  [3, 1, 35, 10, 6],
  [1, 3, 6, 41, 19],
  [0, 2, 5, 33, 12],
  [2, 0, 40, 3, 8],
  // Rows 1024 floats apart: where the lanes kernel reads such an A from a k-major copy.
  [0, 0, 37, 70, 1024],
];
const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

function stored(batch: number, rows: number, cols: number, transposed: boolean): number[] {
  const matrix = transposed ? [cols, rows] : [rows, cols];
  return batch === 0 ? matrix : [batch, ...matrix];
}

for (const kernel of KERNELS) {
  t.test(`${kernel} kernel matches the reference`, async (t) => {
    let seed = 10;
    for (const [ba, bb, m, n, k] of SHAPES) {
      for (const [tA, tB] of TRANSPOSES) {
        const aShape = stored(ba, m, k, tA);
        const bShape = stored(bb, k, n, tB);
        const av = randomValues(aShape.reduce((p, d) => p * d, 1), seed++);
        const bv = randomValues(bShape.reduce((p, d) => p * d, 1), seed++);
        const expected = referenceMatmul({ data: av, shape: aShape, transposed: tA }, { data: bv, shape: bShape, transposed: tB });
        const a = device.tensor(av, aShape);
        const b = device.tensor(bv, bShape);
        const c = matmul(a, b, { transposeA: tA, transposeB: tB, kernel });
        t.same(c.shape, expected.shape, `shape of [${aShape}]${tA ? "T" : ""} x [${bShape}]${tB ? "T" : ""}`);
        assertClose(t, await c.read(), expected.data, MATMUL_TOL, `values of [${aShape}]${tA ? "T" : ""} x [${bShape}]${tB ? "T" : ""}`);
        for (const x of [a, b, c]) x.dispose();
      }
    }
  });
}

t.test("an empty inner dimension gives zeros", async (t) => {
  for (const kernel of KERNELS) {
    const a = device.tensor([], [3, 0]);
    const b = device.tensor([], [0, 5]);
    const c = matmul(a, b, { kernel });
    assertClose(t, await c.read(), new Float32Array(15), FORWARD, `${kernel}: [3, 0] x [0, 5]`);
    for (const x of [a, b, c]) x.dispose();
  }
});

t.test("forcing the lanes kernel where it cannot run is refused with the reason", { skip: lanesMissing(device) === null && "this adapter runs the lanes kernels" }, async (t) => {
  const a = device.tensor(randomValues(6), [2, 3]);
  const b = device.tensor(randomValues(12), [3, 4]);
  t.throws(() => matmul(a, b, { kernel: "lanes" }), /^matmul: the lanes kernel cannot run here: .+; use kernel "tiled"$/);
  t.equal(device.memory().liveTensors, 2, "the refused product left no tensor behind");
  [a, b].forEach((x) => x.dispose());
});

t.test("gradients of both inputs, once and twice", async (t) => {
  // [shape of a, shape of b, transposeA, transposeB]
  const cases: [number[], number[], boolean, boolean][] = [
    [[2, 3], [3, 4], false, false],
    [[3, 2], [3, 4], true, false],
    [[2, 3], [4, 3], false, true],
    [[3, 2], [4, 3], true, true],
    [[2, 2, 3], [1, 3, 2], false, false],
    [[1, 3, 2], [2, 2, 3], true, true],
    [[2, 3], [2, 3, 2], false, false],
  ];
  let seed = 100;
  for (const [aShape, bShape, tA, tB] of cases) {
    const a = device.tensor(randomValues(aShape.reduce((p, d) => p * d, 1), seed++), aShape);
    const b = device.tensor(randomValues(bShape.reduce((p, d) => p * d, 1), seed++), bShape);
    const f = (x: Tensor, y: Tensor) => matmul(x, y, { transposeA: tA, transposeB: tB });
    const label = `[${aShape}]${tA ? "T" : ""} x [${bShape}]${tB ? "T" : ""}`;
    const first = await gradcheck(f, [a, b]);
    t.ok(first.ok, `gradcheck ${label} (worst excess ${first.worstExcess})`);
    const second = await gradgradcheck(f, [a, b]);
    t.ok(second.ok, `gradgradcheck ${label} (worst excess ${second.worstExcess})`);
    a.dispose();
    b.dispose();
  }
  t.equal(device.memory().liveTensors, 0, "nothing leaks");
});

t.test("mismatched shapes name the op and both shapes", async (t) => {
  const a = device.tensor(randomValues(6), [2, 3]);
  const b = device.tensor(randomValues(8), [4, 2]);
  t.throws(() => matmul(a, b), /matmul: inner dimensions differ.*\[2, 3\].*\[4, 2\].*K = 3.*K = 4/);
  t.throws(() => matmul(a, b, { transposeA: true }), /K = 2.*K = 4/);
  t.doesNotThrow(() => matmul(a, b, { transposeA: true, transposeB: true }).dispose(), "[2,3]T x [4,2]T is [3, 4]");
  const c = device.tensor(randomValues(24), [2, 3, 4]);
  const d = device.tensor(randomValues(36), [3, 4, 3]);
  t.throws(() => matmul(c, d), /matmul: batch sizes 2 and 3 differ/);
  const vector = device.tensor([1], [1]);
  t.throws(() => matmul(vector, b), /rank 2 or 3/);
  for (const x of [a, b, c, d, vector]) x.dispose();
});
