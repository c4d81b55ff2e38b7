// The fused Adam update: against the float64 reference over several steps on sizes that are
// not multiples of 4, gradients by name or by position, skipped parameters, state save and
// restore continuing bit-exactly, flat memory across steps, and named errors.
import t from "tap";
import { tidy, type Tensor } from "../src/index.js";
import { Adam } from "../src/train/adam.js";
import type { HostTensor } from "../src/checkpoint/safetensors.js";
import { assertClose, randomValues, testDevice, type Tolerance } from "./helpers.js";
import { adamReferenceInit, adamReferenceStep } from "./reference/adam.js";

const device = await testDevice();

/** float32 against float64 over a few steps: the state stays within a few float32 ulps. */
const ADAM_TOL: Tolerance = { atol: 1e-6, rtol: 1e-5 };
const SHAPES = [[5], [3, 7], [2, 3, 3, 3], [1], [4], [6, 2]];

function makeParams(seed: number): Map<string, Tensor> {
  return new Map(SHAPES.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return [`layer${i}.weight`, device.tensor(randomValues(size, seed + i), shape)];
  }));
}

function disposeAll(tensors: Iterable<Tensor>): void {
  for (const x of tensors) x.dispose();
}

for (const options of [{}, { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-6 }]) {
  t.test(`matches the reference over 6 steps (${JSON.stringify(options)})`, async (t) => {
    const params = makeParams(10);
    const adam = new Adam(params, options);
    t.same([adam.lr, adam.beta1, adam.beta2, adam.eps], [options.lr ?? 1e-4, options.beta1 ?? 0.5, options.beta2 ?? 0.9, options.eps ?? 1e-8], "hyperparameters (DeepFill's defaults)");
    const names = [...params.keys()];
    const refs = await Promise.all(names.map(async (n) => adamReferenceInit(await params.get(n)!.read())));
    for (let step = 1; step <= 6; step++) {
      const grads = names.map((n, i) => {
        const values = randomValues(params.get(n)!.size, 100 * step + i, -2, 2);
        if (step === 2) values[0] = 0; // an exact zero gradient at a nonzero moment
        adamReferenceStep(refs[i]!, values, adam.lr, adam.beta1, adam.beta2, adam.eps);
        return device.tensor(values, params.get(n)!.shape);
      });
      adam.step(grads);
      disposeAll(grads);
    }
    t.equal(adam.stepCount, 6);
    const { moments } = adam.state();
    for (const [i, name] of names.entries()) {
      assertClose(t, await params.get(name)!.read(), refs[i]!.param, ADAM_TOL, `${name} parameter`);
      assertClose(t, await moments.get(`m.${name}`)!.read(), refs[i]!.m, ADAM_TOL, `${name} first moment`);
      assertClose(t, await moments.get(`v.${name}`)!.read(), refs[i]!.v, ADAM_TOL, `${name} second moment`);
    }
    adam.dispose();
    disposeAll(params.values());
    t.equal(device.memory().liveTensors, 0, "no live tensors left");
  });
}

t.test("an odd number of tensors and one gradient tensor shared by two parameters match the reference", async (t) => {
  // The shared gradient keeps the first two apart: the first goes alone (slot 1 empty, bound
  // to scratch), then 2 + 2.
  const params = new Map([[5], [5], [7], [3], [1]].map((shape, i) => [`layer${i}.weight`, device.tensor(randomValues(shape[0]!, 70 + i), shape)]));
  const adam = new Adam(params, { lr: 0.03 });
  const names = [...params.keys()];
  const refs = await Promise.all(names.map(async (n) => adamReferenceInit(await params.get(n)!.read())));
  for (let step = 1; step <= 3; step++) {
    const grads = names.map((n, i) => device.tensor(randomValues(params.get(n)!.size, 300 + 10 * step + i, -1, 1), params.get(n)!.shape));
    grads[1]!.dispose();
    grads[1] = grads[0]!;
    for (const [i, g] of grads.entries()) adamReferenceStep(refs[i]!, await g.read(), adam.lr, adam.beta1, adam.beta2, adam.eps);
    adam.step(grads);
    disposeAll(grads.slice(1));
  }
  const { moments } = adam.state();
  for (const [i, name] of names.entries()) {
    assertClose(t, await params.get(name)!.read(), refs[i]!.param, ADAM_TOL, `${name} parameter`);
    assertClose(t, await moments.get(`v.${name}`)!.read(), refs[i]!.v, ADAM_TOL, `${name} second moment`);
  }
  adam.dispose();
  disposeAll(params.values());
  t.equal(device.memory().liveTensors, 0, "no live tensors left (the scratch of the unpaired tensor included)");
});

t.test("gradients by name equal gradients by position; missing ones leave the parameter alone", async (t) => {
  const a = makeParams(20);
  const b = makeParams(20);
  const adamA = new Adam(a, { lr: 0.01 });
  const adamB = new Adam(b, { lr: 0.01 });
  const names = [...a.keys()];
  const grads = names.map((n, i) => device.tensor(randomValues(a.get(n)!.size, 50 + i), a.get(n)!.shape));
  adamA.step(grads.map((g, i) => (i === 1 ? null : g)));
  adamB.step(new Map(names.map((n, i) => [n, grads[i]!] as const).filter(([, ], i) => i !== 1)));
  for (const n of names) t.same([...(await a.get(n)!.read())], [...(await b.get(n)!.read())], `${n}: same result`);
  t.same([...(await a.get(names[1]!)!.read())], [...randomValues(21, 21)], "the parameter without a gradient is unchanged");
  t.same([...(await adamA.state().moments.get(`m.${names[1]}`)!.read())], new Array(21).fill(0), "and so are its moments");
  disposeAll(grads);
  adamA.dispose(); adamB.dispose();
  disposeAll([...a.values(), ...b.values()]);
});

t.test("saved state restores exactly: the next steps are bit-identical", async (t) => {
  const a = makeParams(30);
  const adamA = new Adam(a, { lr: 0.01 });
  const names = [...a.keys()];
  const gradsAt = (step: number) => names.map((n, i) => device.tensor(randomValues(a.get(n)!.size, step * 7 + i), a.get(n)!.shape));
  for (let s = 0; s < 3; s++) { const g = gradsAt(s); adamA.step(g); disposeAll(g); }
  // Save: host copies of parameters and moments, as a checkpoint would.
  const saved = adamA.state();
  const moments = new Map(await Promise.all([...saved.moments].map(async ([k, v]) => [k, { shape: [...v.shape], data: await v.read() }] as [string, HostTensor])));
  const b = new Map(await Promise.all([...a].map(async ([k, v]) => [k, device.tensor(await v.read(), v.shape)] as const)));
  const adamB = new Adam(b, { lr: 0.01 });
  adamB.loadState({ step: saved.step, moments });
  t.equal(adamB.stepCount, 3);
  for (let s = 3; s < 6; s++) { const g = gradsAt(s); adamA.step(g); adamB.step(g); disposeAll(g); }
  for (const n of names) t.same([...(await b.get(n)!.read())], [...(await a.get(n)!.read())], `${n}: identical after resume`);
  adamA.dispose(); adamB.dispose();
  disposeAll([...a.values(), ...b.values()]);
});

t.test("memory stays exactly flat across steps, and moments survive tidy()", async (t) => {
  const params = makeParams(40);
  const adam = tidy(() => new Adam(params));
  const grads = [...params.values()].map((p, i) => device.tensor(randomValues(p.size, 60 + i), p.shape));
  adam.step(grads);
  await device.sync();
  const before = device.memory();
  for (let s = 0; s < 20; s++) adam.step(grads);
  await device.sync();
  t.same(device.memory(), before, "live tensors, bytes in use, bytes pooled, buffers and pipelines unchanged");
  t.ok(adam.state().moments.size === 2 * params.size && [...adam.state().moments.values()].every((m) => !m.isReleased), "moments alive after tidy");
  disposeAll(grads);
  adam.dispose();
  disposeAll(params.values());
});

t.test("bad arguments are named, and a bad state leaves the current one intact", async (t) => {
  const params = makeParams(50);
  const adam = new Adam(params);
  const names = [...params.keys()];
  t.throws(() => new Adam(new Map()), /no parameters to optimise/);
  t.throws(() => new Adam(params, { beta1: 1 }), /0 <= beta1, beta2 < 1/);
  t.throws(() => adam.step([]), /0 gradients for 6 parameters/);
  const wrong = device.tensor([1, 2, 3], [3]);
  t.throws(() => adam.step(new Map([[names[0]!, wrong]])), /gradient of "layer0.weight" has shape \[3\], the parameter \[5\]/);
  t.throws(() => adam.step(new Map([["nope", wrong]])), /gradient for "nope", which is not one of/);
  const state = adam.state();
  const host = new Map([...state.moments].map(([k, v]) => [k, { shape: [...v.shape], data: new Float32Array(v.size).fill(1) }]));
  host.delete(`v.${names[2]}`);
  t.throws(() => adam.loadState({ step: 5, moments: host }), /missing v.layer2.weight; unexpected none\); was the state saved for another model configuration/);
  host.set(`v.${names[2]}`, { shape: [54], data: new Float32Array(54) });
  t.throws(() => adam.loadState({ step: 5, moments: host }), /moment "v.layer2.weight" has shape \[54\], the parameter \[2, 3, 3, 3\]/);
  t.equal(adam.stepCount, 0, "step count unchanged");
  t.same([...(await adam.state().moments.get(`m.${names[0]}`)!.read())], [0, 0, 0, 0, 0], "moments unchanged");
  wrong.dispose();
  adam.dispose();
  disposeAll(params.values());
  t.equal(device.memory().liveTensors, 0, "no live tensors left");
});
