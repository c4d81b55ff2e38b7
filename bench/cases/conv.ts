/**
 * Convolution cases: the peers' reference shape (3x3, 128 -> 128, 64x64, batch 1) forward
 * and both gradients, each variant; the critic's 5x5 stride-2 layer; the peers' transposed
 * convolution (4x4 stride 2, 1024 -> 128, 32x32 -> 64x64), which still runs on the direct
 * kernel for stride 2.
 */
import {
  conv2d, conv2dBackwardFilter, conv2dBackwardInput, convTranspose2d,
  type ConvOptions, type ConvVariant, type Device, type Tensor,
} from "../../src/index.js";
import { register, type Prepared } from "../harness.js";

function values(count: number, seed: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + seed));
}

type Which = "forward" | "backwardInput" | "backwardFilter";

interface Shape {
  label: string;
  x: [number, number, number, number];
  cout: number;
  k: number;
  options: ConvOptions;
}

const SHAPES: Shape[] = [
  { label: "3x3 128->128 64x64 b1", x: [1, 128, 64, 64], cout: 128, k: 3, options: { padding: "same" } },
  { label: "5x5 s2 64->128 64x64 b4 (critic)", x: [4, 64, 64, 64], cout: 128, k: 5, options: { stride: 2, padding: "same" } },
];

function prepare(device: Device, s: Shape, which: Which, variant: ConvVariant): Prepared {
  const [b, cin, h, w] = s.x;
  const x = device.tensor(values(b * cin * h * w, 1), s.x);
  const wt = device.tensor(values(s.cout * cin * s.k * s.k, 2), [s.cout, cin, s.k, s.k]);
  const options = { ...s.options, variant };
  const y = conv2d(x, wt, options);
  const gy = device.tensor(values(y.size, 3), y.shape);
  const flops = 2 * y.size * cin * s.k * s.k;
  y.dispose();
  const runs: Record<Which, () => Tensor> = {
    forward: () => conv2d(x, wt, options),
    backwardInput: () => conv2dBackwardInput(gy, wt, x.shape, options),
    backwardFilter: () => conv2dBackwardFilter(x, gy, wt.shape, options),
  };
  return {
    run: () => runs[which]().dispose(),
    flops,
    dispose: () => [x, wt, gy].forEach((t) => t.dispose()),
  };
}

for (const s of SHAPES) {
  for (const which of ["forward", "backwardInput", "backwardFilter"] as const) {
    for (const variant of ["auto", "direct"] as const) {
      register({
        name: `conv ${s.label} ${which} ${variant}`,
        // One output per invocation takes seconds per run on a CPU adapter.
        slow: variant === "direct",
        repeats: variant === "direct" ? 3 : undefined,
        prepare: (device) => prepare(device, s, which, variant),
      });
    }
  }
}

register({
  name: "convTranspose 4x4 s2 1024->128 32x32->64x64 b1",
  slow: true,
  repeats: 3,
  prepare: (device) => {
    const x = device.tensor(values(1024 * 32 * 32, 1), [1, 1024, 32, 32]);
    const w = device.tensor(values(1024 * 128 * 16, 2), [1024, 128, 4, 4]);
    return {
      run: () => convTranspose2d(x, w, { stride: 2, padding: 1 }).dispose(),
      flops: 2 * 1024 * 128 * 16 * 32 * 32,
      dispose: () => [x, w].forEach((t) => t.dispose()),
    };
  },
});
