// The tfjs-backend-webgpu peer of the bench (bench/tfjs-peer.ts) must run the same math as
// our cases: the convolution cases' tfjs descriptions are checked here on a small odd shape
// with stride 2 (where TF's SAME pads unevenly), and a peer whose output is in the wrong
// layout gets no ratio. The table shows the peer's columns and note. Its speed is the bench's
// business only. Without the optional tfjs packages the GPU tests are skipped with the reason.
import t from "tap";
import { conv2d, conv2dBackwardFilter, conv2dBackwardInput } from "../src/index.js";
import { formatTable, sineValues, type BenchResult } from "../bench/harness.js";
import { tfjsCase, type Shape, type Which } from "../bench/cases/conv.js";
import { compareTfjs, openTfjsPeer, type TfjsPeerCase, type TfjsPeerResult } from "../bench/tfjs-peer.js";
import { testDevice } from "./helpers.js";

t.test("the table puts the peer's ms and ratio in their columns and its note after ours", async (t) => {
  const peer = { peer: "tfjs-backend-webgpu", ms: 20, ratio: 0.5, note: "tfjs NHWC, max |diff| 1e-6" } as TfjsPeerResult;
  const results: BenchResult[] = [
    { name: "with peer", ms: 10, gflops: 2, ceiling_fraction: 0.25, note: "won lanes", adapter: "a", peer },
    { name: "alone", ms: 5, gbps: 1, ceiling_fraction: 0.5, adapter: "a" },
  ];
  const [header, withPeer, alone] = formatTable(results).split("\n");
  t.match(header, /ceil +peer ms ours\/peer  note$/, "peer columns in the header");
  t.match(withPeer, / 25% +20\.0 +0\.50  won lanes; tfjs NHWC, max \|diff\| 1e-6$/, "peer ms, ratio, then both notes");
  t.match(alone, / 50% {23}$/, "blank peer columns for a case without one");
  t.notMatch(formatTable([results[1]!]), /peer/, "no peer columns when no case has a peer");
});

const device = await testDevice();
const opened = await openTfjsPeer(device);
const noTfjs = "problem" in opened ? opened.problem : false;
if (!("problem" in opened)) t.teardown(() => opened.close());

const shape: Shape = { label: "test", x: [2, 5, 9, 11], cout: 6, k: 3, options: { stride: 2, padding: "same" } };

/** Our inputs for `shape` and the case's description for tfjs. */
function describe(which: Which): { peerCase: TfjsPeerCase; dispose: () => void } {
  const [b, cin, h, w] = shape.x;
  const values: { x: Float32Array; w: Float32Array; gy: Float32Array } = { x: sineValues(b * cin * h * w, 1), w: sineValues(shape.cout * cin * 9, 2), gy: new Float32Array() };
  const x = device.tensor(values.x, shape.x);
  const wt = device.tensor(values.w, [shape.cout, cin, 3, 3]);
  const y = conv2d(x, wt, shape.options);
  values.gy = sineValues(y.size, 3);
  const gy = device.tensor(values.gy, y.shape);
  const ours = {
    forward: () => conv2d(x, wt, shape.options),
    backwardInput: () => conv2dBackwardInput(gy, wt, x.shape, shape.options),
    backwardFilter: () => conv2dBackwardFilter(x, gy, wt.shape, shape.options),
  }[which];
  const peerCase = tfjsCase(shape, which, values, y.shape, ours);
  y.dispose();
  if (typeof peerCase === "string") throw new Error(peerCase);
  return { peerCase, dispose: () => [x, wt, gy].forEach((v) => v.dispose()) };
}

for (const which of ["forward", "backwardInput", "backwardFilter"] as const) {
  t.test(`tfjs computes our stride-2 convolution ${which}`, { skip: noTfjs }, async (t) => {
    const { peerCase, dispose } = describe(which);
    const result: { ms: number; peer?: TfjsPeerResult } = { ms: 1 };
    await compareTfjs(opened as Exclude<typeof opened, { problem: string }>, which, peerCase, 1, result);
    dispose();
    t.ok(result.peer, "the results agree, so the peer is recorded");
    t.ok(result.peer!.max_abs_diff <= 1e-5 * result.peer!.max_abs_ours, `max |diff| ${result.peer?.max_abs_diff} is rounding`);
    t.ok(result.peer!.max_abs_ours > 0.1, "the output is not trivially small");
  });
}

t.test("a peer whose output is in another layout gets no ratio", { skip: noTfjs }, async (t) => {
  const { peerCase, dispose } = describe("forward");
  const wrongLayout: TfjsPeerCase = {
    ...peerCase,
    prepare: (tf) => ({ ...peerCase.prepare(tf), toOurs: (y) => tf.transpose(y, [0, 3, 2, 1]) }),
  };
  const result: { ms: number; peer?: TfjsPeerResult } = { ms: 1 };
  await compareTfjs(opened as Exclude<typeof opened, { problem: string }>, "wrong layout", wrongLayout, 1, result);
  dispose();
  t.equal(result.peer, undefined, "no peer record");
});

t.test("tfjs has no gradients of dilated convolutions, and the case says so", async (t) => {
  const dilated: Shape = { ...shape, options: { padding: "same", dilation: 2 } };
  const none = () => { throw new Error("not run"); };
  const values = { x: new Float32Array(), w: new Float32Array(), gy: new Float32Array() };
  t.match(tfjsCase(dilated, "backwardInput", values, [1], none), /no gradients of dilated/);
  t.type(tfjsCase(dilated, "forward", values, [1], none), "object", "the forward direction has a peer");
});
