// attentionSoftmax: the fused masked, scaled softmax against the row-by-row reference on
// long rows (1024 and 4096 patches) with masked entries, per-image and shared masks; its
// cut of negligible weights; its backward kernel against the reference's derivative;
// gradcheck; the named error when a second-order gradient is asked for.
import t from "tap";
import {
  attentionSoftmax, grad, gradcheck, mul, NEGLIGIBLE_ATTENTION, requireGrad, SecondOrderNotSupportedError, sum, tidy, type Tensor,
} from "../src/index.js";
import { assertClose, FORWARD, leakCheckedTest, randomValues, readAll, testDevice } from "./helpers.js";
import { maskedSoftmaxRow } from "./reference/attention.js";

const device = await testDevice();

/** 0/1 validity with roughly `holeFraction` zeros. */
function validityValues(count: number, seed: number, holeFraction: number): Float32Array {
  return randomValues(count, seed, 0, 1).map((v) => (v < holeFraction ? 0 : 1));
}

/** The reference over [B, P, L] scores and [B or 1, L] validity. */
function reference(s: Float32Array, m: Float32Array, [batch, positions, length]: number[], scale: number): Float64Array {
  const out = new Float64Array(s.length);
  const shared = m.length === length;
  for (let r = 0; r < batch * positions; r++) {
    const image = shared ? 0 : Math.floor(r / positions);
    out.set(maskedSoftmaxRow(s.subarray(r * length, (r + 1) * length), m.subarray(image * length, (image + 1) * length), scale), r * length);
  }
  return out;
}

leakCheckedTest(device, "long rows with masked entries, a mask per image and a shared one", async (t) => {
  for (const [batch, positions, length] of [[2, 3, 1024], [1, 2, 4096], [2, 5, 37]]) {
    const shape = [batch, positions, length];
    const s = randomValues(batch * positions * length, length, -1, 1);
    for (const shared of [false, true]) {
      const m = validityValues((shared ? 1 : batch) * length, length + 1, 0.3);
      const [a] = await readAll(() => [attentionSoftmax(device.tensor(s, shape), device.tensor(m, [shared ? 1 : batch, length]), 10)]);
      assertClose(t, a!, reference(s, m, shape, 10), FORWARD, `[${shape}] ${shared ? "shared" : "per-image"} mask`);
    }
  }
});

leakCheckedTest(device, "a row with no valid patch is all zeros; huge scores stay finite", async (t) => {
  const length = 300;
  const s = randomValues(2 * length, 5, 400, 500);
  const m = new Float32Array(2 * length).fill(1);
  m.fill(0, 0, length);
  const [a] = await readAll(() => [attentionSoftmax(device.tensor(s, [2, 1, length]), device.tensor(m, [2, length]), 10)]);
  t.ok(a!.subarray(0, length).every((v) => v === 0), "all-invalid row is zero");
  assertClose(t, a!.subarray(length), reference(s.subarray(length), m.subarray(length), [1, 1, length], 10), FORWARD, "scores around 4500 after scaling");
});

leakCheckedTest(device, "weights below NEGLIGIBLE_ATTENTION are written as 0, those above as they are", async (t) => {
  // Logits 0, -1, ..., -59 at scale 1: weight k is about 0.63 e^-k, from 0.63 down to 1.6e-26,
  // crossing the cut between k = 45 (1.8e-20) and 46 (6.6e-21), all above float32's subnormals.
  const length = 60;
  const s = Float32Array.from({ length }, (_, k) => -k);
  const m = new Float32Array(length).fill(1);
  const [a] = await readAll(() => [attentionSoftmax(device.tensor(s, [1, 1, length]), device.tensor(m, [1, length]), 1)]);
  const exact = Array.from({ length }, (_, k) => Math.exp(-k) * (1 - Math.exp(-1)) / (1 - Math.exp(-length)));
  const cut = exact.findIndex((w) => w < NEGLIGIBLE_ATTENTION);
  t.ok(cut > 40 && cut < length - 5, `the cut falls inside the row (weight ${cut})`);
  t.ok(a!.subarray(cut).every((v) => v === 0), `weights ${cut}..${length - 1} are 0`);
  assertClose(t, a!.subarray(0, cut), Float64Array.from(exact.slice(0, cut)), FORWARD, "the weights above the cut");
  t.ok(a![cut - 1]! > 0, "the smallest kept weight is not 0");
});

leakCheckedTest(device, "backward kernel against finite differences of the reference", async (t) => {
  const [batch, positions, length] = [2, 3, 1024];
  const s = randomValues(batch * positions * length, 7, -0.3, 0.3);
  const m = validityValues(batch * length, 8, 0.3);
  const v = randomValues(s.length, 9, -1, 1);
  const scale = 10;
  const [gx] = await readAll(() => {
    const x = requireGrad(device.tensor(s, [batch, positions, length]));
    return grad(sum(mul(attentionSoftmax(x, device.tensor(m, [batch, length]), scale), device.tensor(v, x.shape))), [x]);
  });
  // d/ds of sum(v * a) by float64 central differences of the reference, row by row.
  const expected = new Float64Array(s.length);
  for (let r = 0; r < batch * positions; r++) {
    const row = Float64Array.from(s.subarray(r * length, (r + 1) * length));
    const mask = m.subarray(Math.floor(r / positions) * length, (Math.floor(r / positions) + 1) * length);
    const loss = () => maskedSoftmaxRow(row, mask, scale).reduce((acc, a, q) => acc + a * v[r * length + q]!, 0);
    for (let q = 0; q < length; q++) {
      const keep = row[q]!;
      row[q] = keep + 1e-6;
      const up = loss();
      row[q] = keep - 1e-6;
      const down = loss();
      row[q] = keep;
      expected[r * length + q] = (up - down) / 2e-6;
    }
  }
  assertClose(t, gx!, expected, { atol: 1e-5, rtol: 1e-3 }, "gradient of a [2, 3, 1024] block");
});

leakCheckedTest(device, "gradcheck on short rows", async (t) => {
  const x = device.tensor(randomValues(2 * 3 * 7, 11, -0.2, 0.2), [2, 3, 7]);
  const m = device.tensor(Float32Array.from({ length: 14 }, (_, i) => (i % 5 === 2 ? 0 : 1)), [2, 7]);
  const result = await gradcheck((s: Tensor) => attentionSoftmax(s, m, 3), [x], { atol: 2e-3, rtol: 1e-2 });
  t.ok(result.ok, `gradcheck (worst excess ${result.worstExcess})`);
  x.dispose();
  m.dispose();
});

leakCheckedTest(device, "second-order gradients are refused with a named error", async (t) => {
  tidy(() => {
    const x = requireGrad(device.tensor(randomValues(8, 12), [1, 2, 4]));
    const m = device.tensor([1, 1, 0, 1], [1, 4]);
    const y = sum(mul(attentionSoftmax(x, m, 10), x));
    t.throws(() => grad(y, [x], { createGraph: true }), SecondOrderNotSupportedError);
  });
});

leakCheckedTest(device, "shapes are checked", async (t) => {
  tidy(() => {
    const s = device.tensor(new Float32Array(12), [2, 2, 3]);
    t.throws(() => attentionSoftmax(s, device.tensor(new Float32Array(4), [1, 4]), 10), /validity \[1, 4\] must be \[2, 3\] or \[1, 3\]/);
    t.throws(() => attentionSoftmax(device.tensor(new Float32Array(6), [2, 3]), device.tensor(new Float32Array(3), [1, 3]), 10), /rank 3/);
  });
});
