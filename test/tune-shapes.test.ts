// The tuning-class recorder: while active, every "auto" convolution direction and every
// product notes its class once, under the key the ops look up, so timing the recorded shapes
// settles exactly the choices the recorded work then uses (mirror padding included); a
// device with pinned choices uses those and the ops' defaults, never the tune cache.
import t from "tap";
import { conv2d, grad, matmul, recordTunables, requireGrad, sum, tidy, tuneConv, tuneShapes } from "../src/index.js";
import { lanesMissing } from "../src/autograd/ops/lanes.js";
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

t.test("a filter gradient whose output-gradient planes share cache sets also times the packed lanes kernels", async (t) => {
  installPlatform({ ...nodePlatform(), tuneStore: undefined });
  const device = await openDevice();
  t.teardown(() => device.destroy());
  const noLanes = lanesMissing(device);
  const lanes = noLanes === null ? ["lanes", "lanes-packed"] : [];
  if (noLanes !== null) t.comment(`only gemm is timed here: ${noLanes}`);
  const timed = async (input: [number, number, number, number]) =>
    Object.keys((await tuneConv(device, "conv2dBackwardFilter", input, [3, input[1], 3, 3], { padding: "same" }, { warmup: 0, repeats: 1 })).ms).sort();
  t.same(await timed([1, 2, 32, 32]), ["gemm", ...lanes].sort(), "32 x 32 planes (1024 floats): every candidate");
  t.same(await timed([1, 2, 31, 32]), ["gemm", ...lanes.slice(0, 1)].sort(), "31 x 32 planes: no packed candidate");
  const forward = await tuneConv(device, "conv2d", [1, 2, 32, 32], [3, 2, 3, 3], { padding: "same" }, { warmup: 0, repeats: 1 });
  t.same(Object.keys(forward.ms).sort(), ["gemm", ...lanes.slice(0, 1)].sort(), "the forward has no row operand to pack");
  // Such planes make a class of their own, so a winner tuned before the packed candidate existed is not reused for it.
  const x = device.tensor(randomValues(2 * 32 * 32, 5), [1, 2, 32, 32]);
  const w = device.tensor(randomValues(3 * 2 * 9, 6), [3, 2, 3, 3]);
  const keys = recordTunables(() => tidy(() => {
    const [xg, wg] = [requireGrad(x), requireGrad(w)];
    grad(sum(conv2d(xg, wg, { padding: "same" })), [xg, wg]);
  })).map((s) => s.key);
  t.same(keys.map((k) => `${k.split(":")[0]}${k.endsWith(":aliased") ? " aliased" : ""}`).sort(),
    ["conv2d", "conv2dBackwardFilter aliased", "conv2dBackwardInput"], "only the filter gradient's class is marked");
  [x, w].forEach((v) => v.dispose());
});
