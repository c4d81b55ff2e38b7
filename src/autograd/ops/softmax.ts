/**
 * softmax along one axis, numerically stable (see kernels/softmax.wgsl).
 *
 * The tensor is viewed as [outer, length, inner] around the axis, as the reductions do.
 * Rows of the last axis (inner == 1) that are long get one workgroup each, whose lanes
 * share the row; every other case gets one invocation per row.
 */
import { gridFor } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import { normalizeAxis, sizeOf } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { record } from "../graph.js";
import { deviceOf, LINEAR_WG } from "./common.js";
import { mul, sub } from "./elementwise.js";
import { sum } from "./reduce.js";

const SOFTMAX = defineKernel({ name: "softmax", inputs: ["x"], outputs: ["y"], params: { outer: "u32", length: "u32", inner: "u32" } });

/** Lanes sharing one row in the cooperative layout. */
const ROW_WG = 64;
/**
 * Rows of the last axis at least this long are shared by a workgroup. Shorter ones leave
 * most of its lanes idle, and one invocation per row reads them as fast.
 */
const COOPERATIVE_MIN_LENGTH = 128;

/** exp(x - max) / sum(exp(x - max)) along `axis` (negative counts from the end). */
export function softmax(x: Tensor, axis = -1): Tensor {
  const device = deviceOf("softmax", x);
  const a = normalizeAxis(axis, x.rank, "softmax");
  const outer = sizeOf(x.shape.slice(0, a));
  const length = x.shape[a]!;
  const inner = sizeOf(x.shape.slice(a + 1));
  const y = device.empty(x.shape);
  if (y.size > 0) {
    const cooperative = inner === 1 && length >= COOPERATIVE_MIN_LENGTH;
    const wg = cooperative ? ROW_WG : LINEAR_WG;
    device.run(SOFTMAX, {
      inputs: [x.buffer("softmax")],
      outputs: [y.buffer("softmax")],
      params: { outer, length, inner },
      workgroups: cooperative ? gridFor(outer, 1) : gridFor(outer * inner, wg),
      overrides: { COOPERATIVE: cooperative ? 1 : 0, WG: wg },
    });
  }
  // dx = y (g - sum(g y)); y is recomputed from x so that the graph of the vjp reaches x.
  return record("softmax", y, [x], (g, _, [x]) => {
    const s = softmax(x, a);
    return [mul(s, sub(g, sum(mul(g, s), a, true)))];
  }, { saved: [x] });
}
