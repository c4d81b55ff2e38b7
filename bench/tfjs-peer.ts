/**
 * The tfjs-backend-webgpu peer of --peers: the matmul and convolution cases run again in
 * TensorFlow.js on its WebGPU backend, on our adapter in our process, right after our run of
 * each case, so the two meet the same driver under the same load.
 *
 * Node has no navigator.gpu, so the binding's entry object that opened our device
 * (Device.entry) is lent to tfjs as navigator.gpu while the peer is open; tfjs's own
 * backend registration asks it for an adapter and opens a device of its own there, and the
 * peer refuses to run unless that adapter is ours. close() releases tfjs's backend and
 * device and takes navigator.gpu away again (an entry object left on globalThis keeps the
 * process alive).
 *
 * Timing is timeRuns's (timeEach): one warm-up run, then the median of timed runs, each ended by
 * flushing tfjs's open command encoder (endComputePassEncoder + submitQueue, as its own
 * data() does before a read) and awaiting onSubmittedWorkDone on its device: the time holds
 * all the GPU work of the op and no readback. Inputs are converted to tfjs's layouts (NHWC,
 * HWIO filters) once, outside the timed region; the peer's output is converted back and
 * compared with ours once per case, and a case whose results differ gets no ratio.
 *
 * The packages are optional dependencies, imported by name at run time; the few calls used
 * are typed here by hand so that the bench builds without them.
 */
import type { Device, Tensor } from "../src/index.js";
import { currentPlatform } from "../src/platform/platform.js";
import { median, timeEach } from "../src/tensor/autotune.js";

export interface TfjsTensor {
  readonly shape: number[];
  data(): Promise<ArrayLike<number>>;
  dispose(): void;
}

type Pad = "same" | "valid" | [[number, number], [number, number], [number, number], [number, number]];

/** The part of @tensorflow/tfjs-core the peer calls. */
export interface Tfjs {
  version_core: string;
  tensor(values: Float32Array, shape: number[]): TfjsTensor;
  transpose(x: TfjsTensor, perm: number[]): TfjsTensor;
  matMul(a: TfjsTensor, b: TfjsTensor): TfjsTensor;
  conv2d(x: TfjsTensor, filter: TfjsTensor, strides: number, pad: Pad, dataFormat: "NHWC", dilations: number): TfjsTensor;
  conv2dTranspose(x: TfjsTensor, filter: TfjsTensor, outputShape: number[], strides: number, pad: Pad): TfjsTensor;
  engine(): {
    runKernel(name: string, inputs: Record<string, TfjsTensor>, attrs: Record<string, unknown>): TfjsTensor;
    reset(): void;
  };
  setBackend(name: string): Promise<boolean>;
  backend(): TfjsWebGpuBackend;
}

interface TfjsWebGpuBackend {
  device: GPUDevice;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

/** A case's work in tfjs: `prepare` builds the peer's inputs, `ours` computes our output once for the check. */
export interface TfjsPeerCase {
  /** The layout the peer runs, for the note ("NHWC, HWIO filter"). */
  layout: string;
  prepare(tf: Tfjs): TfjsPrepared;
  ours(): Tensor;
}

export interface TfjsPrepared {
  /** Records the op once; the output is the caller's to dispose. */
  run(): TfjsTensor;
  /** The output in our layout (a new tensor, or the output itself when the layouts agree). */
  toOurs(output: TfjsTensor): TfjsTensor;
  dispose(): void;
}

/** What --json records of the tfjs peer's run. */
export interface TfjsPeerResult {
  peer: "tfjs-backend-webgpu";
  ms: number;
  /** Our ms over the peer's: below 1, we are faster. */
  ratio: number;
  times_ms: number[];
  tfjs: string;
  adapter: string;
  layout: string;
  /** The largest absolute difference between the peer's output and ours, and ours's largest magnitude. */
  max_abs_diff: number;
  max_abs_ours: number;
  note: string;
}

export interface TfjsPeer {
  tf: Tfjs;
  adapter: string;
  close(): void;
}

export const TFJS_PACKAGES = ["@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-webgpu"] as const;
const INSTALL_HINT = `npm install (they are optional dependencies: ${TFJS_PACKAGES.join(", ")})`;

/** A difference above this fraction of our output's largest magnitude is not the same math. */
export const RELATIVE_TOLERANCE = 1e-3;

/** Opens tfjs-backend-webgpu on `device`'s adapter, or says why it cannot. */
export async function openTfjsPeer(device: Device): Promise<TfjsPeer | { problem: string }> {
  let tf: Tfjs;
  try {
    tf = await import(TFJS_PACKAGES[0]) as Tfjs;
  } catch (error) {
    return { problem: `${TFJS_PACKAGES[0]} is not installed (${(error as Error).message.split("\n")[0]}); ${INSTALL_HINT}` };
  }
  const host = globalThis as { navigator?: { gpu?: GPU } };
  const ownNavigator = host.navigator === undefined;
  if (ownNavigator) host.navigator = {};
  Object.defineProperty(host.navigator, "gpu", { value: device.entry, configurable: true, writable: true });
  const release = () => {
    delete host.navigator!.gpu;
    if (ownNavigator) delete host.navigator;
  };
  try {
    // The backend registers itself on import, only when navigator.gpu is there.
    await import(TFJS_PACKAGES[1]);
  } catch (error) {
    release();
    return { problem: `${TFJS_PACKAGES[1]} is not installed (${(error as Error).message.split("\n")[0]}); ${INSTALL_HINT}` };
  }
  if (!(await tf.setBackend("webgpu"))) {
    release();
    return { problem: "tfjs could not start its webgpu backend" };
  }
  const gpu = tf.backend().device;
  const close = () => {
    tf.engine().reset();
    gpu.destroy();
    release();
  };
  const adapter = gpu.adapterInfo.description;
  if (adapter !== device.adapter.description) {
    close();
    return { problem: `tfjs got the adapter "${adapter}", not ours ("${device.adapter.description}"); name ours with --adapter` };
  }
  return { tf, adapter, close };
}

/** Ends and submits tfjs's pending commands and waits for the GPU to finish them. */
async function syncTfjs(tf: Tfjs): Promise<void> {
  const backend = tf.backend();
  backend.endComputePassEncoder();
  // submitQueue fails when nothing was recorded since the last submit (no open encoder).
  if ((backend as unknown as { commandEncoder: GPUCommandEncoder | null }).commandEncoder) backend.submitQueue();
  await currentPlatform().waitForGpu(backend.device.queue.onSubmittedWorkDone());
}

/** The largest |a - b| and the largest |a| over two arrays of one length. */
export function maxDifference(ours: ArrayLike<number>, peer: ArrayLike<number>): { diff: number; scale: number } {
  if (ours.length !== peer.length) throw new Error(`tfjs peer: its output has ${peer.length} values, ours ${ours.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    diff = Math.max(diff, Math.abs(ours[i]! - peer[i]!));
    scale = Math.max(scale, Math.abs(ours[i]!));
  }
  return { diff, scale };
}

/** Runs `peerCase` in tfjs after our run of the case and records it in `result`, or prints why not. */
export async function compareTfjs(peer: TfjsPeer, name: string, peerCase: TfjsPeerCase, repeats: number,
  result: { ms: number; peer?: unknown }): Promise<void> {
  try {
    await measureTfjs(peer, name, peerCase, repeats, result);
  } catch (error) {
    console.log(`  ${name}: the tfjs peer failed (${(error as Error).message.split("\n")[0]})`);
  }
}

async function measureTfjs(peer: TfjsPeer, name: string, peerCase: TfjsPeerCase, repeats: number,
  result: { ms: number; peer?: unknown }): Promise<void> {
  const { tf } = peer;
  const ours = peerCase.ours();
  const expected = await ours.read();
  ours.dispose();
  const prepared = peerCase.prepare(tf);
  try {
    const output = prepared.run();
    const converted = prepared.toOurs(output);
    const actual = await currentPlatform().waitForGpu(converted.data());
    if (converted !== output) converted.dispose();
    output.dispose();
    const { diff, scale } = maxDifference(expected, actual);
    const times = await timeEach(() => prepared.run().dispose(), () => syncTfjs(tf), 1, repeats);
    const ms = median(times);
    const check = `max |diff| ${diff.toExponential(1)} of max |ours| ${scale.toPrecision(3)}`;
    if (!(diff <= RELATIVE_TOLERANCE * scale)) {
      console.log(`  ${name}: tfjs ${ms.toFixed(1)} ms, but its result differs from ours (${check}), so no ratio`);
      return;
    }
    const note = `tfjs ${peerCase.layout}, ${check}`;
    const record: TfjsPeerResult = {
      peer: "tfjs-backend-webgpu", ms, ratio: result.ms / ms, times_ms: times, tfjs: tf.version_core, adapter: peer.adapter,
      layout: peerCase.layout, max_abs_diff: diff, max_abs_ours: scale, note,
    };
    result.peer = record;
    console.log(`  ${name}: tfjs-backend-webgpu ${ms.toFixed(1)} ms (${note})`);
  } finally {
    prepared.dispose();
  }
}

/** Our NCHW values as an NHWC tfjs tensor. */
export function nhwcFrom(tf: Tfjs, values: Float32Array, nchw: readonly number[]): TfjsTensor {
  return transposed(tf, values, nchw, [0, 2, 3, 1]);
}

/**
 * Our filter values as the HWIO tfjs tensor of the same convolution: [cout, cin, kh, kw] for a
 * convolution, [cin, cout, kh, kw] for a transposed one (whose tfjs filter is [kh, kw, cout, cin]),
 * both by the same permutation.
 */
export function hwioFrom(tf: Tfjs, values: Float32Array, shape: readonly number[]): TfjsTensor {
  return transposed(tf, values, shape, [2, 3, 1, 0]);
}

function transposed(tf: Tfjs, values: Float32Array, shape: readonly number[], perm: number[]): TfjsTensor {
  const plain = tf.tensor(values, [...shape]);
  const result = tf.transpose(plain, perm);
  plain.dispose();
  return result;
}
