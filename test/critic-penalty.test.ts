// The float64 reference critic against the engine's: the scores, the gradient penalty, and the
// penalty's gradient w.r.t. every critic parameter against float64 finite differences, at a size
// where the critic's input-gradient norms are near 1 (so the penalty's weight gradients are
// large); and proof that the comparison catches a zeroed, sign-flipped or 1.5x gradient.
import { grad, gradientPenaltyLoss, localCritic, tidy } from "../src/index.js";
import { assertClose, firstMismatch, FORWARD, leakCheckedTest, randomValues, testDevice, type Tolerance } from "./helpers.js";
import {
  criticInputGradientReference, criticParameterArrays, criticPenaltyReference, criticScoresReference, criticPenaltyWeightGradientsReference,
  interpolatesReference, smallestPreActivation, type CriticWeights,
} from "./reference/critic.js";
import { penaltyNormsReference } from "./reference/gradient-penalty.js";
import type { NdArray } from "./reference/layout.js";
import { uniformReference } from "./reference/random.js";

const device = await testDevice();

// Width 1 (channels 1, 2, 4, 8) on 20x12 images: maps 10x6, 5x3, 3x2, 2x1, so every layer pads
// unevenly and the dense layer reads a 2x1x8 map in NHWC order. Two images, random holes.
const [B, H, W] = [2, 20, 12];
const CNUM = 1;
const WIDTHS = [1, 2, 4, 8];
const GP_SEED = 99;
const FD_STEP = 1e-6;

/** Glorot-uniform values (as float32, so both sides see the same numbers), biases within +-0.1. */
function criticWeights(): CriticWeights {
  let cin = 3;
  const convs = WIDTHS.map((m, i) => {
    const cout = CNUM * m;
    const limit = Math.sqrt(6 / (25 * (cin + cout)));
    const weight = { data: Float64Array.from(randomValues(cout * cin * 25, 40 + i, -limit, limit)), shape: [cout, cin, 5, 5] };
    const bias = { data: Float64Array.from(randomValues(cout, 50 + i, -0.1, 0.1)), shape: [cout] };
    cin = cout;
    return { weight, bias };
  });
  const features = 2 * 1 * cin;
  const limit = Math.sqrt(6 / (features + 1));
  const dense = {
    weight: { data: Float64Array.from(randomValues(features, 60, -limit, limit)), shape: [features, 1] },
    bias: { data: Float64Array.from([0.05]), shape: [1] },
  };
  return { convs, dense };
}

const weights = criticWeights();
const real: NdArray = { data: Float64Array.from(randomValues(B * 3 * H * W, 21)), shape: [B, 3, H, W] };
const fake: NdArray = { data: Float64Array.from(randomValues(B * 3 * H * W, 22)), shape: [B, 3, H, W] };
const mask = Float64Array.from(randomValues(B * H * W, 23, 0, 1), (v) => (v < 0.5 ? 1 : 0));
const alpha = uniformReference(GP_SEED, B, 0, 1);

// Glorot weights at width 1 give input-gradient norms near 0.02. g is linear in each weight
// tensor (for fixed slopes), so scaling all five by one factor, then the dense layer alone for
// the last correction, brings the norms' mean to 1.5, where the penalty's gradient is of order 1.
const normsAt = () => {
  const g = criticInputGradientReference(weights, interpolatesReference(real, fake, alpha));
  return penaltyNormsReference(g.data, g.shape, mask);
};
const meanNorm = () => normsAt().reduce((s, n) => s + n, 0) / B;
const scaleWeights = (factor: number, tensors: NdArray[]) =>
  tensors.forEach(({ data }) => (data as Float64Array).forEach((v, i, a) => (a[i] = Math.fround(v * factor))));
const allWeights = [...weights.convs.map((conv) => conv.weight), weights.dense.weight];
scaleWeights((1.5 / meanNorm()) ** (1 / allWeights.length), allWeights);
scaleWeights(1.5 / meanNorm(), [weights.dense.weight]);
const norms = normsAt();

const names = [...WIDTHS.flatMap((_, i) => [`conv${i + 1}.weight`, `conv${i + 1}.bias`]), "dense.weight", "dense.bias"];
const referenceValue = criticPenaltyReference(weights, real, fake, alpha, mask);
const referenceGradients = criticPenaltyWeightGradientsReference(weights, real, fake, alpha, mask, FD_STEP);

/** The engine's scores of the real images, penalty and its gradient w.r.t. each parameter, with the same weights and data. */
async function enginePenalty(): Promise<{ scores: Float32Array; value: number; gradients: Float32Array[] }> {
  const critic = localCritic(device, { cnum: CNUM, size: [H, W], seed: 0 });
  const parameters = names.map((name) => critic.parameters.get(`localCritic.${name}`)!);
  criticParameterArrays(weights).forEach((array, i) => device.write(parameters[i]!, array.data));
  const outputs = tidy(() => {
    const penalty = gradientPenaltyLoss((x) => critic.forward(x), device.tensor(real.data, real.shape), device.tensor(fake.data, fake.shape),
      device.tensor(mask, [B, 1, H, W]), GP_SEED);
    return [critic.forward(device.tensor(real.data, real.shape)), penalty, ...grad(penalty, parameters, { allowUnused: true })];
  });
  const [scores, value, ...gradients] = await Promise.all(outputs.map((x) => x.read()));
  outputs.forEach((x) => x.dispose());
  critic.dispose();
  return { scores: scores!, value: value![0]!, gradients };
}

/**
 * Float32 tolerance of one parameter's gradient: 1e-4 of its largest reference entry plus
 * 1e-3 relative. Every entry is a sum over a few hundred float32 products taken three times
 * (forward, input gradient, its derivative); on lavapipe the engine stays within 3e-7 of the
 * largest entry, so the bound leaves room for other drivers' summation orders, while a wrong
 * gradient is off by a sizeable fraction of the entry itself.
 */
function tolerance(expected: ArrayLike<number>): Tolerance {
  return { atol: 1e-4 * Math.max(...Array.from(expected, Math.abs)) + 1e-7, rtol: 1e-3 };
}

function gradientMismatch(actual: ArrayLike<number>, expected: ArrayLike<number>): string | null {
  return firstMismatch(actual, expected, tolerance(expected));
}

const engine = await enginePenalty();

leakCheckedTest(device, "the setting is healthy: norms near 1, weight gradients of order 1, finite differences clear of every kink", async (t) => {
  t.ok(norms.every((n) => n > 0.5 && n < 3), `masked input-gradient norms ${norms.map((n) => n.toFixed(3)).join(", ")} `);
  const margin = smallestPreActivation(weights, real, fake, alpha);
  // A step of eps in one weight moves a pre-activation by eps times one activation (all below 10
  // here), so a margin of 100 steps keeps every slope fixed.
  t.ok(margin > 100 * FD_STEP, `smallest |pre-activation| ${margin.toExponential(2)} is far above the step ${FD_STEP}`);
  names.forEach((name, i) => {
    const largest = Math.max(...Array.from(referenceGradients[i]!, Math.abs));
    if (name.endsWith(".weight")) t.ok(largest > 0.05, `${name}: largest reference gradient ${largest.toExponential(2)}`);
    else t.equal(largest, 0, `${name}: the penalty does not depend on biases (only through the slopes), gradient 0`);
  });
});

leakCheckedTest(device, "the scores, the penalty and its gradient w.r.t. every critic parameter match the float64 reference", async (t) => {
  assertClose(t, engine.scores, criticScoresReference(weights, real), FORWARD, "scores of the real images");
  t.ok(Math.abs(engine.value - referenceValue) <= 1e-4 * Math.abs(referenceValue), `penalty ${engine.value} vs reference ${referenceValue}`);
  names.forEach((name, i) => {
    t.equal(gradientMismatch(engine.gradients[i]!, referenceGradients[i]!), null, `${name} (${referenceGradients[i]!.length} values)`);
  });
});

leakCheckedTest(device, "the comparison fails for a zeroed, sign-flipped or 1.5x gradient of each weight tensor", async (t) => {
  const mutations: Record<string, (v: number) => number> = { zeroed: () => 0, "sign-flipped": (v) => -v, "1.5x": (v) => 1.5 * v };
  names.forEach((name, i) => {
    if (!name.endsWith(".weight")) return;
    for (const [kind, mutate] of Object.entries(mutations)) {
      const mutated = engine.gradients[i]!.map(mutate);
      t.not(gradientMismatch(mutated, referenceGradients[i]!), null, `${kind} ${name} is reported`);
    }
  });
});
