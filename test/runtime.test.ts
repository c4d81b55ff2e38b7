// The runtime under the ops: size classes, deferred buffer reuse, uniform packing, batches
// split by submitEvery, and debug mode.
import t from "tap";
import { affine, exp, type Tensor } from "../src/index.js";
import { openDevice } from "../src/open-device.js";
import { sizeClass } from "../src/tensor/pool.js";
import { packParams } from "../src/tensor/uniforms.js";
import { assertClose, FORWARD, randomValues, testDevice } from "./helpers.js";

const device = await testDevice();

t.test("size classes", async (t) => {
  let previous = 0;
  let broken: string | null = null;
  for (let bytes = 1; bytes < 1 << 20 && !broken; bytes = Math.ceil(bytes * 1.07) + 3) {
    const size = sizeClass(bytes);
    if (size < bytes || size < 256 || size % 16 !== 0 || sizeClass(size) !== size || size < previous || (bytes > 256 && size > 1.25 * bytes)) {
      broken = `sizeClass(${bytes}) = ${size}`;
    }
    previous = size;
  }
  t.equal(broken, null, "each class holds its bytes, is >= 256, a multiple of 16 (vec4 kernels), a fixed point, monotone, with <= 25% waste");
  t.equal(sizeClass(256), 256, "256 is the smallest class");
  t.equal(sizeClass(257), 320, "the next class is a quarter octave up");
  t.equal(sizeClass(1024), 1024, "powers of two are classes");
  t.equal(sizeClass(1025), 1280);
});

t.test("a released buffer is reused only after the batch was submitted", async (t) => {
  device.flush();
  const first = device.pool.acquire(1000);
  device.pool.release(first);
  const second = device.pool.acquire(1000);
  t.not(second, first, "within the batch, a released buffer is not handed out again");
  device.pool.release(second);
  device.flush();
  const third = device.pool.acquire(1000);
  t.ok(third === first || third === second, "after a submit it is");
  device.pool.release(third);

  // Why it matters: the upload into a reused buffer would run before the recorded kernel.
  const values = randomValues(300, 1);
  const x = device.tensor(values, [300]);
  const y = exp(x);
  x.dispose();
  const z = device.tensor(new Float32Array(300).fill(100), [300]);
  assertClose(t, await y.read(), Array.from(values, Math.exp), FORWARD, "exp(x) computed from x, not from the later upload");
  y.dispose();
  z.dispose();
});

t.test("uniform packing follows the WGSL layout", async (t) => {
  const layout = { a: "u32", b: "f32", block: "array<vec4<i32>, 1>", c: "i32" } as const;
  const buffer = packParams(layout, { a: 7, b: 1.5, block: [-1, 2, -3], c: 9 });
  const words = new Int32Array(buffer);
  t.equal(buffer.byteLength, 48, "rounded up to 16 bytes");
  t.equal(words[0], 7);
  t.equal(new Float32Array(buffer)[1], 1.5);
  t.same(Array.from(words.slice(2, 4)), [0, 0], "padding up to the vec4 boundary");
  t.same(Array.from(words.slice(4, 8)), [-1, 2, -3, 0], "the block starts at byte 16, zero-filled to its length");
  t.equal(words[8], 9, "scalars continue after the block");
  t.equal(packParams({ a: "u32" }, { a: 1 }).byteLength, 16, "a single scalar takes a whole 16-byte struct");
  const alignedLayout = { a: "u32", b: "u32", c: "u32", d: "u32", block: "array<vec4<i32>, 2>" } as const;
  const aligned = new Int32Array(packParams(alignedLayout, { a: 1, b: 2, c: 3, d: 4, block: [5] }));
  t.same(Array.from(aligned), [1, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0], "no padding when already aligned");
  t.throws(() => packParams(layout, { a: 7, b: 1.5, block: [1, 2, 3, 4, 5], c: 9 }), /block holds 4 entries, got 5/);
  t.throws(() => packParams(layout, { a: 7, b: 1.5, block: [] } as never), /missing field/, "a missing field is refused");
  t.throws(() => packParams(layout, { a: 7, b: 1.5, block: [], c: 9, d: 1 } as never), /unknown field\(s\) d/, "an unknown field is refused");
  t.throws(() => packParams(layout, { a: 7, b: 1.5, block: [], d: 1 } as never), /field c is missing/, "a misspelt field is refused");
});

/** A chain of `steps` dependent dispatches and what it should give. */
function chain(x: Tensor, steps: number, values: Float32Array): [Tensor, number[]] {
  let y = x;
  let expected = Array.from(values);
  for (let i = 0; i < steps; i++) {
    const next = affine(y, 1.1, i * 0.01);
    if (y !== x) y.dispose();
    y = next;
    expected = expected.map((v) => 1.1 * v + i * 0.01);
  }
  return [y, expected];
}

t.test("work longer than submitEvery dispatches is split into batches and stays correct", async (t) => {
  const small = await openDevice(undefined, { submitEvery: 3 });
  t.teardown(() => small.destroy());
  const values = randomValues(67, 2);
  const x = small.tensor(values, [67]);
  const before = small.batcher.submits;
  const [y, expected] = chain(x, 20, values);
  t.ok(small.batcher.submits - before >= 6, "20 dispatches went out in batches of at most 3");
  assertClose(t, await y.read(), expected, FORWARD, "the chain's result");
  x.dispose();
  y.dispose();
});

t.test("debug mode computes the same and reports validation errors with the kernel's name", async (t) => {
  const debug = await openDevice(undefined, { debug: true });
  t.teardown(() => debug.destroy());
  t.ok(debug.debug, "the device is in debug mode");
  const values = randomValues(67, 3);
  const x = debug.tensor(values, [67]);
  const before = debug.batcher.submits;
  const [y, expected] = chain(x, 5, values);
  t.equal(debug.batcher.submits - before, 5, "every dispatch is submitted on its own");
  assertClose(t, await y.read(), expected, FORWARD, "the chain's result");
  await debug.sync();

  // A buffer the kernel cannot bind as storage: Dawn's validation error must reach the user.
  const unusable = debug.gpu.createBuffer({ size: 256, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const unary = { name: "unary", inputs: ["x"], outputs: ["y"], params: { vec_count: "u32", p0: "f32", p1: "f32" } } as const;
  debug.run(unary, {
    inputs: [x.buffer()], outputs: [unusable], params: { vec_count: 1, p0: 0, p1: 0 },
    workgroups: [1, 1, 1], overrides: { OP: 0, WG: 64 },
  });
  await t.rejects(debug.sync(), /^WebGPU reported (an error|\d+ errors; the first):\nkernel unary: /);
  unusable.destroy();
  x.dispose();
  y.dispose();
});

t.test("a device created without profiling says how to turn it on", async (t) => {
  await t.rejects(device.profile(), /created without profiling/);
});

// Without timestamp queries nothing can be timed: the test is reported as skipped, with the
// reason, rather than passing without having run.
const noTimestamps = device.features.has("timestamp-query") ? false : "this adapter has no timestamp queries";

t.test("profiling times every dispatch by kernel name and resets after each report", { skip: noTimestamps }, async (t) => {
  const profiled = await openDevice(undefined, { profile: true, submitEvery: 4 });
  try {
    const x = profiled.tensor(randomValues(1000, 3), [1000]);
    // 7 dispatches across two batches of 4.
    let y = x;
    for (let i = 0; i < 6; i++) y = affine(y, 1.5, 0.25);
    const z = exp(y);
    const report = await profiled.profile();
    const byKernel = new Map(report.map((r) => [r.kernel, r]));
    t.equal(byKernel.get("unary")?.dispatches ?? 0, 7, "all 7 elementwise dispatches counted under their kernel");
    t.ok(report.every((r) => r.ms >= 0), "durations are not negative");
    t.same(await profiled.profile(), [], "the next report starts from zero");
    for (const v of [x, z]) v.dispose();
  } finally {
    profiled.destroy();
  }
});

t.test("write replaces a tensor's values after the dispatches recorded before it", async (t) => {
  const x = device.tensor([1, 2, 3, 4], [4]);
  const y = affine(x, 2, 0); // recorded, not yet submitted
  device.write(x, [10, 20, 30, 40]);
  t.same([...(await y.read())], [2, 4, 6, 8], "the earlier dispatch read the old values");
  t.same([...(await x.read())], [10, 20, 30, 40], "the tensor holds the new ones");
  t.throws(() => device.write(x, [1, 2, 3]), /write: 3 values do not fill the tensor \[4\]/, "a wrong count is named");
  for (const v of [x, y]) v.dispose();
});
