// Seeded random fills: bit-for-bit agreement with the CPU twin, reproducibility, and
// statistics on 100k samples that a wrong distribution or a weak hash would fail.
import t from "tap";
import { glorotUniform, randomNormal, randomUniform, type Tensor } from "../src/index.js";
import { testDevice } from "./helpers.js";
import { boxMullerInputs, normalReference, PI_DOWN, uniformReference } from "./reference/random.js";

const device = await testDevice();

async function take(tensor: Tensor): Promise<Float32Array> {
  const values = await tensor.read();
  tensor.dispose();
  return values;
}

/** Distance in float32 units in the last place (values of one sign). */
function ulps(a: number, b: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat32(0, a);
  view.setFloat32(4, b);
  const ia = view.getInt32(0);
  const ib = view.getInt32(4);
  return Math.sign(a) === Math.sign(b) || a === 0 || b === 0 ? Math.abs(ia - ib) : Infinity;
}

const SEEDS = [0, 1, 12345, 2 ** 40 + 7];

t.test("uniform values equal the CPU twin's", async (t) => {
  for (const seed of SEEDS) {
    for (const shape of [[1], [1237], [3, 5, 7]]) {
      const count = shape.reduce((p, d) => p * d, 1);
      const unit = await take(randomUniform(device, shape, { seed }));
      const expected = uniformReference(seed, count, 0, 1);
      t.ok(unit.every((v, i) => v === expected[i]), `[0, 1), seed ${seed}, shape [${shape}]: bit-identical`);
      const wide = await take(randomUniform(device, shape, { seed, low: -2.5, high: 7 }));
      const wideExpected = uniformReference(seed, count, -2.5, 7);
      // The GPU may fuse the multiply-add: one rounding instead of two.
      const worst = wide.reduce((m, v, i) => Math.max(m, ulps(v, wideExpected[i]!)), 0);
      t.ok(worst <= 1, `[-2.5, 7), seed ${seed}, shape [${shape}]: within 1 ulp (worst ${worst})`);
    }
  }
});

/** One unit in the last place of a normal f32 of magnitude |x|. */
function ulpF32(x: number): number {
  return 2 ** (Math.floor(Math.log2(Math.abs(x))) - 23);
}

/**
 * How far WGSL lets the kernel's normal value for element `index` stray from the exact one,
 * from the accuracy the WGSL spec promises for each f32 builtin (its "Floating Point
 * Accuracy" table). The kernel computes y = mean + std r c with r = sqrt(-2 log u1) and
 * c = cos(PI_DOWN (2 u2 - 1)); u1, u2 and 2 u2 - 1 are exact in f32.
 * - log(u1): absolute error 2^-21 for u1 in [0.5, 2], 3 ULP elsewhere. s = -2 log(u1) is
 *   then off by e_s = 2 e_log (the product by -2 is exact).
 * - sqrt: inherited from 1 / inverseSqrt (2 ULP, then a division of 2.5 ULP), so within a
 *   relative 5 * 2^-23 of the root of its perturbed argument. Perturbing s by e_s moves the
 *   root by at most min(sqrt(e_s), e_s / sqrt(s)); the first bound holds near s = 0
 *   (u1 near 1), where log's absolute error of 2^-21 alone allows up to 2^-10.
 * - cos: absolute error 2^-11 inside [-pi, pi], where the kernel keeps the angle. The
 *   angle's product is correctly rounded (2^-24 relative, at most 2^-24 pi), and cos moves
 *   no more than its argument.
 * - r c, std z and mean + std z: correctly rounded, half an ULP (2^-24 relative) each; a
 *   fused multiply-add only drops a rounding.
 * So |r'c' - r c| <= dr (|c| + dc) + r dc, plus the roundings. cos's 2^-11 dominates: up to
 * 5.8 * 2^-11 = 2.8e-3 per unit of std at the largest r, about 6e-4 at a typical one.
 */
function boxMullerBound(seed: number, index: number, mean: number, std: number): number {
  const { u1, u2 } = boxMullerInputs(seed, index);
  const s = -2 * Math.log(u1);
  const eS = 2 * (u1 >= 0.5 ? 2 ** -21 : 3 * ulpF32(Math.log(u1)));
  const r = Math.sqrt(s);
  const dRoot = Math.min(Math.sqrt(eS), eS / r);
  const dr = dRoot + 5 * 2 ** -23 * (r + dRoot);
  const c = Math.abs(Math.cos(PI_DOWN * (2 * u2 - 1)));
  const dc = 2 ** -11 + 2 ** -24 * Math.PI;
  const zMax = (r + dr) * (c + dc);
  const dz = dr * (c + dc) + r * dc + 2 ** -24 * zMax;
  return std * dz + 2 ** -24 * std * zMax + 2 ** -24 * (Math.abs(mean) + std * zMax);
}

t.test("normal values match the CPU twin within what WGSL promises for log, sqrt and cos", async (t) => {
  const [mean, std, count] = [0.5, 2, 2311];
  for (const seed of SEEDS) {
    const values = await take(randomNormal(device, [count], { seed, mean, std }));
    const expected = normalReference(seed, count, mean, std);
    let worst = { index: 0, ratio: 0 };
    values.forEach((v, i) => {
      const ratio = Math.abs(v - expected[i]!) / boxMullerBound(seed, i, mean, std);
      if (!(ratio <= worst.ratio)) worst = { index: i, ratio };
    });
    const i = worst.index;
    t.ok(worst.ratio <= 1, `seed ${seed}: worst element ${i} is ${values[i]} for ${expected[i]}, ${worst.ratio.toFixed(3)} of its bound ${boxMullerBound(seed, i, mean, std).toExponential(2)}`);
  }
});

t.test("a seed reproduces its tensor; other seeds do not", async (t) => {
  const a = await take(randomUniform(device, [4096], { seed: 77 }));
  const again = await take(randomUniform(device, [4096], { seed: 77 }));
  t.ok(a.every((v, i) => v === again[i]), "same seed, same values");
  const prefix = await take(randomUniform(device, [100], { seed: 77 }));
  t.ok(prefix.every((v, i) => v === a[i]), "a smaller fill is the prefix of a larger one (values do not depend on the dispatch)");
  for (const other of [78, 77 + 2 ** 32]) {
    const b = await take(randomUniform(device, [4096], { seed: other }));
    const same = a.filter((v, i) => v === b[i]).length;
    t.ok(same <= 2, `seed ${other} shares ${same} of 4096 values with seed 77`);
  }
  const n1 = await take(randomNormal(device, [4096], { seed: 5 }));
  const n2 = await take(randomNormal(device, [4096], { seed: 5 }));
  t.ok(n1.every((v, i) => v === n2[i]), "normal: same seed, same values");
});

function moments(values: ArrayLike<number>): { mean: number; variance: number; kurtosis: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i]! - mean) ** 2;
    m2 += d;
    m4 += d * d;
  }
  return { mean, variance: m2 / n, kurtosis: m4 / n / (m2 / n) ** 2 };
}

/** Pearson correlation of a and b. */
function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const ma = moments(a);
  const mb = moments(b);
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i]! - ma.mean) * (b[i]! - mb.mean);
  return c / a.length / Math.sqrt(ma.variance * mb.variance);
}

// Bounds are about 5 standard errors of each statistic for N samples: a correct generator
// fails them with odds below 1e-6; a wrong distribution misses by far more.
const N = 100_000;
const SIGMAS = 5;

t.test("uniform statistics on 100k samples", async (t) => {
  const x = await take(randomUniform(device, [N], { seed: 2024 }));
  t.ok(x.every((v) => v >= 0 && v < 1), "every value in [0, 1)");
  const { mean, variance } = moments(x);
  t.ok(Math.abs(mean - 0.5) < SIGMAS * Math.sqrt(1 / 12 / N), `mean ${mean} ~ 1/2`);
  // The variance of (u - 1/2)^2 is 1/80 - 1/144.
  t.ok(Math.abs(variance - 1 / 12) < SIGMAS * Math.sqrt((1 / 80 - 1 / 144) / N), `variance ${variance} ~ 1/12`);
  // Chi-square over 100 equal bins: 99 degrees of freedom, mean 99, sd 14.
  const bins = new Array<number>(100).fill(0);
  for (const v of x) bins[Math.floor(v * 100)]!++;
  const expected = N / 100;
  const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  t.ok(chi2 < 99 + SIGMAS * 14, `chi-square ${chi2.toFixed(1)} over 100 bins (99 expected)`);
  const limit = SIGMAS / Math.sqrt(N);
  const lag1 = correlation(x.subarray(0, N - 1), x.subarray(1));
  t.ok(Math.abs(lag1) < limit, `neighbouring elements uncorrelated (${lag1})`);
  const other = await take(randomUniform(device, [N], { seed: 2025 }));
  const cross = correlation(x, other);
  t.ok(Math.abs(cross) < limit, `neighbouring seeds uncorrelated (${cross})`);
  const shifted = await take(randomUniform(device, [N], { seed: 1_000_000, low: -3, high: 5 }));
  const s = moments(shifted);
  t.ok(Math.abs(s.mean - 1) < SIGMAS * Math.sqrt(64 / 12 / N), `[-3, 5): mean ${s.mean} ~ 1`);
  t.ok(Math.abs(s.variance - 64 / 12) < SIGMAS * 64 * Math.sqrt((1 / 80 - 1 / 144) / N), `[-3, 5): variance ${s.variance} ~ 16/3`);
});

t.test("normal statistics on 100k samples", async (t) => {
  const z = await take(randomNormal(device, [N], { seed: 99 }));
  t.ok(z.every(Number.isFinite), "every value finite");
  const { mean, variance, kurtosis } = moments(z);
  t.ok(Math.abs(mean) < SIGMAS / Math.sqrt(N), `mean ${mean} ~ 0`);
  t.ok(Math.abs(variance - 1) < SIGMAS * Math.sqrt(2 / N), `variance ${variance} ~ 1`);
  // A uniform or two-point distribution scaled to variance 1 has kurtosis 1.8 or 1.
  t.ok(Math.abs(kurtosis - 3) < SIGMAS * Math.sqrt(96 / N), `kurtosis ${kurtosis} ~ 3`);
  const inside = z.filter((v) => Math.abs(v) < 1).length / N;
  t.ok(Math.abs(inside - 0.682689) < SIGMAS * Math.sqrt(0.6827 * 0.3173 / N), `${inside} of values within one sigma ~ 0.6827`);
  const lag1 = correlation(z.subarray(0, N - 1), z.subarray(1));
  t.ok(Math.abs(lag1) < SIGMAS / Math.sqrt(N), `neighbouring elements uncorrelated (${lag1})`);
  const scaled = moments(await take(randomNormal(device, [N], { seed: 100, mean: 3, std: 2 })));
  t.ok(Math.abs(scaled.mean - 3) < SIGMAS * 2 / Math.sqrt(N), `mean 3, std 2: mean ${scaled.mean}`);
  t.ok(Math.abs(scaled.variance - 4) < SIGMAS * 4 * Math.sqrt(2 / N), `mean 3, std 2: variance ${scaled.variance}`);
});

t.test("glorotUniform fills +-sqrt(6 / (fanIn + fanOut))", async (t) => {
  // Dense [in, out]; conv [Cout, Cin, kh, kw] counts kernel taps in both fans.
  const cases: [number[], number][] = [[[30, 50], Math.sqrt(6 / 80)], [[16, 8, 3, 3], Math.sqrt(6 / (8 * 9 + 16 * 9))], [[8, 6, 5], Math.sqrt(6 / (6 * 5 + 8 * 5))]];
  for (const [shape, limit] of cases) {
    const w = await take(glorotUniform(device, shape, { seed: 3 }));
    const low = Math.min(...w);
    const high = Math.max(...w);
    t.ok(low >= -limit && high <= limit, `[${shape}]: values within +-${limit.toFixed(4)} (seen ${low.toFixed(4)}, ${high.toFixed(4)})`);
    // With 240+ values both extremes land within 10% of the bounds (odds of a miss < 1e-5) unless the range is wrong.
    t.ok(low < -0.9 * limit && high > 0.9 * limit, `[${shape}]: values reach both ends`);
  }
  t.throws(() => glorotUniform(device, [5], { seed: 1 }), /glorotUniform: a weight needs rank 2/);
});

t.test("bad arguments are named", async (t) => {
  t.throws(() => randomUniform(device, [3], { seed: -1 }), /randomUniform: the seed must be a non-negative safe integer, got -1/);
  t.throws(() => randomNormal(device, [3], { seed: 0.5 }), /randomNormal: the seed must be/);
  t.throws(() => randomUniform(device, [3], { seed: 1, low: 2, high: 1 }), /randomUniform: low \(2\) must not exceed high \(1\)/);
  t.throws(() => randomNormal(device, [3], { seed: 1, std: -1 }), /randomNormal: std must be non-negative/);
  t.equal(device.memory().liveTensors, 0, "nothing leaks");
});
