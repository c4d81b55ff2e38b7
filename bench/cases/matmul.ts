/**
 * matmul cases: each kernel, the adapter's default and the tuned choice, at 1024^3 and 2048^3.
 * The default and tuned cases carry the tfjs peer (tf.matMul on the same row-major data).
 */
import { defaultMatmulKernel, MATMUL_KERNELS, matmul, tuneMatmul, type Device, type MatmulKernel } from "../../src/index.js";
import { register, sineValues, type Prepared } from "../harness.js";
import type { TfjsPeerCase } from "../tfjs-peer.js";

function prepare(device: Device, size: number, choose: (device: Device) => Promise<MatmulKernel | undefined>, withPeer = false) {
  return async (): Promise<Prepared> => {
    const kernel = await choose(device);
    const values = [sineValues(size * size, 1), sineValues(size * size, 2)] as const;
    const a = device.tensor(values[0], [size, size]);
    const b = device.tensor(values[1], [size, size]);
    const tfjs: TfjsPeerCase = {
      layout: "row-major as ours",
      ours: () => matmul(a, b, { kernel }),
      prepare: (tf) => {
        const pa = tf.tensor(values[0], [size, size]);
        const pb = tf.tensor(values[1], [size, size]);
        return { run: () => tf.matMul(pa, pb), toOurs: (y) => y, dispose: () => { pa.dispose(); pb.dispose(); } };
      },
    };
    return {
      tfjs: withPeer ? tfjs : undefined,
      run: () => matmul(a, b, { kernel }).dispose(),
      flops: 2 * size ** 3,
      note: `kernel ${kernel ?? defaultMatmulKernel(device, size, size, size)}`,
      dispose: () => { a.dispose(); b.dispose(); },
    };
  };
}

for (const size of [1024, 2048]) {
  for (const kernel of MATMUL_KERNELS) {
    register({
      name: `matmul ${size}^3 ${kernel}`,
      // The one-output-per-invocation baseline takes seconds per run on a CPU adapter.
      slow: kernel === "naive" && size > 1024,
      repeats: kernel === "naive" ? 3 : undefined,
      prepare: (device) => prepare(device, size, async () => kernel)(),
    });
  }
  register({
    name: `matmul ${size}^3 default`,
    prepare: (device) => prepare(device, size, async () => undefined, true)(),
  });
  register({
    name: `matmul ${size}^3 tuned`,
    prepare: (device) => prepare(device, size, async (d) => {
      await tuneMatmul(d, size, size, size);
      return undefined;
    }, true)(),
  });
}
