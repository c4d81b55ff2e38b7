/**
 * "conv layers PRESET": every convolution one training iteration of the preset runs (the
 * generator, both critics, the gradient penalty), found by the same recorder that tells
 * train.js what to tune (train/kernel-choices.ts), at the preset's batch (the paper's 16 at
 * 1, so that it runs on a CPU adapter). A timed run repeats the convolution until it holds
 * about REPEAT_FLOPS of work, as an iteration's stream of dispatches does: one small layer
 * per submit would time the submit's round trip, not the kernel. One row per distinct shape
 * and direction, after tuneConv has picked the kernel of its class; the note names the winner
 * (with each candidate's time when this row timed the class) and the model's shape. The
 * paper's list (256x256) is slow on a CPU adapter, so it runs with --all or a filter.
 */
import { tuneShape, type Device, type TunableShape } from "../../src/index.js";
import { makeConfig, type PresetName } from "../../src/train/config.js";
import { loadImageFolder } from "../../src/data/image-folder.js";
import { trainingShapes } from "../../src/train/kernel-choices.js";
import { reachingTaps } from "../../src/autograd/ops/conv-lanes.js";
import { register, type ListCase, type Prepared } from "../harness.js";
import { convOperands } from "./conv.js";

type ConvShape = Extract<TunableShape, { op: "conv" }>;

/** Work per timed run: about 15 ms at 30 GFLOP/s, ten times a submit's round trip on lavapipe. */
const REPEAT_FLOPS = 0.5e9;
/**
 * At most this many convolutions per timed run: the attention's 3x3 1 -> 1 layer would need
 * 10^5 of them, and lavapipe crashed on a submit that long. 200 small dispatches already
 * cost several times a submit's round trip.
 */
const MAX_REPEATS = 200;

const SHORT = { conv2d: "fwd", conv2dBackwardInput: "bwd-input", conv2dBackwardFilter: "bwd-filter" } as const;

function label(s: ConvShape): string {
  const [b, cin, h, w] = s.input;
  const [cout, , kh, kw] = s.weight;
  const { stride, dilation } = s.params;
  const extra = `${stride[0] > 1 ? ` s${stride[0]}` : ""}${dilation[0] > 1 ? ` d${dilation[0]}` : ""}`;
  return `${kh}x${kw}${extra} ${cin}->${cout} ${h}x${w} b${b}`;
}

async function prepare(device: Device, s: ConvShape): Promise<Prepared> {
  const { winner, ms } = await tuneShape(device, s);
  const times = Object.entries(ms).map(([name, t]) => `${name} ${t.toFixed(1)} ms`).join(", ");
  const { flops, runs, dispose } = convOperands(device, s.input, s.weight, s.params);
  const repeats = Math.min(MAX_REPEATS, Math.max(1, Math.round(REPEAT_FLOPS / flops)));
  const run = runs[s.direction];
  return {
    run: () => {
      for (let i = 0; i < repeats; i++) run().dispose();
    },
    flops: repeats * flops,
    note: `won ${winner}${times ? ` (${times})` : " (class tuned earlier)"}${repeats > 1 ? `; ${repeats} per timed run` : ""}${reachNote(s)}`,
    dispose,
  };
}

/**
 * "; 1 of 9 taps reach the map (nominal FLOPs)" for a forward or input-gradient row whose
 * taps partly read only padding for every output (a rate-16 layer on a 16 x 16 map): those
 * kernels skip such taps, so the rate, which counts every tap, then overstates the work done.
 * (The filter gradient still computes the skipped taps' zero gradients.)
 */
function reachNote(s: ConvShape): string {
  if (s.direction === "conv2dBackwardFilter") return "";
  const [, , h, w] = s.input;
  const { kernel, stride, dilation, padding } = s.params;
  const taps = reachingTaps(h, kernel[0], stride[0], dilation[0], padding[0], padding[1]) * reachingTaps(w, kernel[1], stride[1], dilation[1], padding[2], padding[3]);
  const all = kernel[0] * kernel[1];
  return taps < all ? `; ${taps} of ${all} taps reach the map (nominal FLOPs)` : "";
}

function layersCase(preset: PresetName, slow: boolean): ListCase {
  const name = `conv layers ${preset}`;
  return {
    name,
    slow,
    expand: async (device) => {
      const config = preset === "paper" ? makeConfig(preset, { batch: 1 }) : makeConfig(preset);
      const shapes = await trainingShapes(device, config, loadImageFolder({ height: config.height, width: config.width }));
      const convs = shapes.filter((s): s is ConvShape => s.op === "conv");
      return convs.map((s) => ({ name: `${name} ${SHORT[s.direction]} ${label(s)}`, prepare: (d: Device) => prepare(d, s) }));
    },
  };
}

register(layersCase("tiny", false), layersCase("paper", true));
