// A small model trained for a few hundred steps: after the first step, every memory
// counter stays exactly where it was, and the loss goes down.
import t from "tap";
import {
  add, affine, grad, leakyRelu, mean, mul, noGrad, reshape, requireGrad, square, sub, sum, tidy, type Tensor,
} from "../src/index.js";
import { randomValues, testDevice } from "./helpers.js";

const device = await testDevice();

const BATCH = 16;
const IN = 3;
const HIDDEN = 5;
const STEPS = 300;
const LR = 0.05;

/** y = sum_h w2[h] * leakyRelu(sum_i x[n, i] w1[i, h] + b1[h]) + b2, written without matmul. */
function predict(x: Tensor, [w1, b1, w2, b2]: Tensor[]): Tensor {
  const products = mul(reshape(x, [BATCH, IN, 1]), w1!); // [BATCH, IN, HIDDEN]
  const hidden = leakyRelu(add(sum(products, 1), b1!), 0.1); // [BATCH, HIDDEN]
  return add(sum(mul(hidden, w2!), 1), b2!); // [BATCH]
}

t.test("training keeps memory flat and lowers the loss", async (t) => {
  const inputs = randomValues(BATCH * IN, 1);
  // A target the model can fit: a smooth function of the inputs.
  const targets = Array.from({ length: BATCH }, (_, n) => Math.tanh(inputs[n * IN]! - 0.5 * inputs[n * IN + 1]!) + 0.3 * inputs[n * IN + 2]!);
  const x = device.tensor(inputs, [BATCH, IN]).keep();
  const y = device.tensor(targets, [BATCH]).keep();
  let params = [
    device.tensor(randomValues(IN * HIDDEN, 2, -0.8, 0.8), [IN, HIDDEN]),
    device.tensor(randomValues(HIDDEN, 3, -0.1, 0.1), [HIDDEN]),
    device.tensor(randomValues(HIDDEN, 4, -0.8, 0.8), [HIDDEN]),
    device.tensor([0], [1]),
  ].map((p) => requireGrad(p.keep()));

  const step = (): Tensor => tidy(() => {
    const loss = mean(square(sub(predict(x, params), y)));
    const grads = grad(loss, params);
    const updated = noGrad(() => params.map((p, i) => requireGrad(sub(p, affine(grads[i]!, LR)).keep())));
    params.forEach((p) => p.dispose());
    params = updated;
    return loss;
  });

  const firstLoss = step();
  const initial = await firstLoss.item();
  firstLoss.dispose();
  device.flush();
  const baseline = device.memory();
  let drift: string | null = null;
  let last = initial;
  for (let i = 1; i < STEPS; i++) {
    const loss = step();
    // Read now and then, as a training loop logs; every step ends its batch like one would.
    if (i % 100 === 0 || i === STEPS - 1) last = await loss.item();
    loss.dispose();
    device.flush();
    const now = device.memory();
    if (!drift && (["liveTensors", "bytesInUse", "bytesPooled", "buffersAllocated"] as const).some((k) => now[k] !== baseline[k])) {
      drift = `step ${i}: ${JSON.stringify(now)} differs from the first step's ${JSON.stringify(baseline)}`;
    }
  }
  t.equal(drift, null, "live tensors, bytes in use, bytes pooled and buffers allocated stay flat");
  t.ok(last < 0.5 * initial, `the loss went down (${initial.toFixed(4)} -> ${last.toFixed(4)})`);
  [x, y, ...params].forEach((p) => p.dispose());
  t.equal(device.memory().liveTensors, 0, "everything released at the end");
});
