// The tuning-class recorder: while active, every "auto" convolution direction and every
// product notes its class once, under the key the ops look up, so timing the recorded shapes
// settles exactly the choices the recorded work then uses (mirror padding included); a
// device with pinned choices uses those and the ops' defaults, never the tune cache.
import t from "tap";
import { conv2d, grad, matmul, recordTunables, requireGrad, sum, tidy, tuneShapes } from "../src/index.js";
import { pinChoices, tunedChoice } from "../src/tensor/autotune.js";
import { installNodePlatform, nodePlatform } from "../src/platform/node.js";
import { installPlatform } from "../src/platform/platform.js";
import { openDevice } from "../src/open-device.js";
import { randomValues } from "./helpers.js";

t.teardown(() => installNodePlatform());

t.test("recorded classes are the ones the work looks up, and tuning them settles its choices", async (t) => {
  installPlatform({ ...nodePlatform(), tuneStore: undefined });
  const device = await openDevice();
  t.teardown(() => device.destroy());
  const x = device.tensor(randomValues(2 * 3 * 9 * 7, 1), [2, 3, 9, 7]);
  const w = device.tensor(randomValues(5 * 3 * 3 * 3, 2), [5, 3, 3, 3]);
  const a = device.tensor(randomValues(6 * 4, 3), [6, 4]);
  const b = device.tensor(randomValues(4 * 5, 4), [4, 5]);
  const work = () => tidy(() => {
    const [xg, wg] = [requireGrad(x), requireGrad(w)];
    const y = conv2d(xg, wg, { padding: 1, padMode: "reflect" });
    grad(sum(y), [xg, wg]);
    conv2d(x, w, { stride: 2, padding: "same" });
    conv2d(x, w, { padding: "same", variant: "gemm" });
    matmul(a, b);
  });
  const shapes = recordTunables(work);
  const keys = shapes.map((s) => s.key);
  t.equal(new Set(keys).size, keys.length, "each class once (these shapes are in different classes)");
  t.same(recordTunables(() => { work(); work(); }), shapes, "each shape once");
  t.same(keys.map((k) => k.split(":")[0]).sort(), ["conv2d", "conv2d", "conv2dBackwardFilter", "conv2dBackwardInput", "matmul"].sort(),
    "the auto forwards (the reflect-padded one and the strided one), both gradients of the padded one, the product; not the forced gemm");
  t.same(recordTunables(() => {}), [], "nothing outside the work");

  const summary = await tuneShapes(device, shapes, { warmup: 0, repeats: 1 });
  t.equal(summary.timed, shapes.length, "no store: every class timed");
  for (const key of keys) t.equal(tunedChoice(device, key), summary.choices[key], `${key}: the op looks up what was tuned`);
  t.same(recordTunables(work).map((s) => s.key), keys, "the same work after tuning records the same classes");
  [x, w, a, b].forEach((v) => v.dispose());
});

t.test("a pinned device uses its pinned choices and nothing from the store", async (t) => {
  const device = await openDevice();
  t.teardown(() => device.destroy());
  const adapter = device.adapter.description || device.adapter.device;
  installPlatform({ ...nodePlatform(), tuneStore: { load: () => ({ [`${adapter}|one`]: "lanes", [`${adapter}|two`]: "lanes" }), save: () => {} } });
  t.equal(tunedChoice(device, "two"), "lanes", "unpinned: the store answers");
  pinChoices(device, { one: "gemm" });
  t.equal(tunedChoice(device, "one"), "gemm", "pinned: the pinned winner");
  t.equal(tunedChoice(device, "two"), undefined, "pinned: no store, so the op's default");
});
