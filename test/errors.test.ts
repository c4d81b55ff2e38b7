// Misuse is reported with the op, the shapes and what to do, not with a WebGPU crash or a
// silently wrong result.
import t from "tap";
import {
  add, concat, createDevice, exp, mul, pad, permute, reshape, slice, tidy, type Tensor,
} from "../src/index.js";
import { NoSuchAdapterError } from "../src/platform/platform.js";
import { openDevice } from "../src/open-device.js";
import { testDevice } from "./helpers.js";

const device = await testDevice();

t.test("a binary op on shapes that do not broadcast names the op and both shapes", async (t) => {
  const a = device.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = device.tensor([1, 2, 3, 4], [4]);
  t.throws(() => add(a, b), /^add: shapes \[2, 3\] and \[4\] cannot be broadcast together \(axis 1 has sizes 3 and 4/);
  t.throws(() => mul(b, a), /mul: shapes \[4\] and \[2, 3\]/);
  a.dispose();
  b.dispose();
});

t.test("using a released tensor says it was released", async (t) => {
  const x = device.tensor([1, 2, 3], [3]);
  x.dispose();
  t.throws(() => exp(x), /exp: the tensor \[3\] was already released \(by dispose\(\) or the end of a tidy\(\) scope\)/);
  await t.rejects(x.read(), /read: the tensor \[3\] was already released/);

  let escaped: Tensor | null = null;
  const kept = tidy(() => {
    escaped = device.tensor([4, 5], [2]);
    return device.tensor([6], [1]);
  });
  t.ok(escaped!.isReleased, "a tensor tidy() did not return is released at its end");
  t.throws(() => add(escaped!, escaped!), /add: the tensor \[2\] was already released/);
  t.equal(await kept.item(), 6, "the returned one survives");
  kept.dispose();
  t.equal(device.memory().liveTensors, 0);
});

t.test("tidy() refuses an async function", async (t) => {
  t.throws(() => tidy(async () => device.tensor([1], [1])), /tidy\(\) takes a synchronous function/);
  t.equal(device.memory().liveTensors, 0, "what it made before refusing is released");
});

t.test("shape errors of the layout ops", async (t) => {
  const x = device.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
  t.throws(() => reshape(x, [4]), /reshape: cannot view \[2, 3\] \(6 elements\) as \[4\] \(4 elements\)/);
  t.throws(() => reshape(x, [-1, 4]), /reshape: cannot view \[2, 3\] \(6 elements\) as \[-1, 4\]: 6 is not a multiple of 4/);
  t.throws(() => pad(x, [[0, 0], [3, 0]], "reflect"), /pad: reflect padding of \[3, 0\] on axis 1 of \[2, 3\] needs each amount <= 2/);
  t.throws(() => pad(x, [[3, 0]], "symmetric"), /pad: symmetric padding of \[3, 0\] on axis 0 of \[2, 3\] needs each amount <= 2/);
  t.throws(() => pad(x, [[-1, 0]]), /pad: amounts \[-1, 0\] of axis 0 must be non-negative integers/);
  t.throws(() => slice(x, [0, 2], [2, 4]), /slice: range \[2, 4\) of axis 1 does not fit \[2, 3\]/);
  t.throws(() => permute(x, [0, 0]), /permute: \[0, 0\] is not a permutation of the 2 axes of \[2, 3\]/);
  const y = device.tensor([1, 2, 3, 4], [2, 2]);
  t.throws(() => concat([x, y], 0), /concat: shapes \[2, 3\], \[2, 2\] differ outside axis 0/);
  t.throws(() => device.tensor([1, 2, 3], [2, 2]), /tensor: 3 values do not fill the shape \[2, 2\] \(4 elements\)/);
  await t.rejects(x.item(), /item\(\): the tensor \[2, 3\] has 6 elements, not 1/);
  x.dispose();
  y.dispose();
});

t.test("an adapter name that matches nothing is one line listing the available adapters", async (t) => {
  const error = await createDevice({ adapter: "no-such-adapter-xyz" }).then(() => null, (e: unknown) => e);
  t.ok(error instanceof NoSuchAdapterError, `refused with the list (${String(error)})`);
  if (!(error instanceof NoSuchAdapterError)) return;
  t.match(error.message, /^no WebGPU adapter's name contains "no-such-adapter-xyz"; available: "[^"]+" \(\w+\)/);
  t.notOk(error.message.includes("\n"), "one line");
  t.ok(error.available.length >= 1, `Dawn listed ${error.available.map((a) => a.name).join(", ")}`);
});

t.test("every listed adapter opens by a part of its name in any case", async (t) => {
  const listed = await createDevice({ adapter: "no-such-adapter-xyz" }).then(() => [], (e: unknown) => (e instanceof NoSuchAdapterError ? e.available : []));
  t.ok(listed.length >= 1, "some adapter is listed");
  for (const { name } of listed) {
    // The first word upper-cased: Dawn's own filter is case-sensitive, so this needs our lookup.
    const part = name.split(" ")[0]!.toUpperCase();
    const opened = await createDevice({ adapter: part });
    t.ok(opened.adapter.description.toLowerCase().includes(part.toLowerCase()), `"${part}" opened ${opened.adapter.description}`);
    opened.destroy();
  }
});

t.test("a destroyed device refuses further work", async (t) => {
  const other = await openDevice();
  const x = other.tensor([1, 2], [2]);
  other.destroy();
  await t.rejects(x.read(), /read: the device was destroyed; create a new one with createDevice\(\)/);
  t.throws(() => exp(x), /the device was destroyed/);
  t.throws(() => other.tensor([1], [1]), /tensor: the device was destroyed/);
  await t.rejects(other.sync(), /sync: the device was destroyed/);
  x.dispose();
});
