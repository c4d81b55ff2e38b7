/** matmul cases: each kernel, the adapter's default and the tuned choice, at 1024^3 and 2048^3. */
import { defaultMatmulKernel, MATMUL_KERNELS, matmul, tuneMatmul, type Device, type MatmulKernel } from "../../src/index.js";
import { register, sineValues, type Prepared } from "../harness.js";

function prepare(device: Device, size: number, choose: (device: Device) => Promise<MatmulKernel | undefined>) {
  return async (): Promise<Prepared> => {
    const kernel = await choose(device);
    const a = device.tensor(sineValues(size * size, 1), [size, size]);
    const b = device.tensor(sineValues(size * size, 2), [size, size]);
    return {
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
    prepare: (device) => prepare(device, size, async () => undefined)(),
  });
  register({
    name: `matmul ${size}^3 tuned`,
    prepare: (device) => prepare(device, size, async (d) => {
      await tuneMatmul(d, size, size, size);
      return undefined;
    })(),
  });
}
