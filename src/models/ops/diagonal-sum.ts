/**
 * diagonalSum: contextual attention's fuse propagation as one kernel
 * (kernels/diagonal_sum.wgsl). For scores x [B, Rin, W, Hb, Wb] (foreground row, foreground
 * column, background row, background column),
 *   y[b, i, j, k, l] = sum over dy, dx in [-r, r] of x[b, i + offset + dy, j + dx, k + dy, l + dx],
 * zero outside, for output rows i in [0, rowsOut). A chunk of foreground rows passes its
 * halo rows in x and their count as offset. Linear, and its adjoint is the same sum with
 * the row counts swapped and the offset negated, so its vjp is itself: differentiable to
 * any order.
 */
import { defineKernel } from "../../tensor/kernels.js";
import { formatShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { record } from "../../autograd/graph.js";
import { expectRank, launchLinear } from "../../autograd/ops/common.js";

const DIAGONAL_SUM = defineKernel({
  name: "diagonal_sum", inputs: ["x"], outputs: ["y"],
  params: { count: "u32", rowsOut: "u32", rowsIn: "u32", width: "u32", bgHeight: "u32", bgWidth: "u32", offset: "i32", radius: "i32" },
});

export function diagonalSum(x: Tensor, rowsOut: number, offset: number, radius: number): Tensor {
  const op = "diagonalSum";
  expectRank(op, x, 5, "scores [B, rows, W, Hb, Wb]");
  if (![rowsOut, radius].every((n) => Number.isInteger(n) && n >= 0) || !Number.isInteger(offset)) {
    throw new Error(`${op}: rowsOut ${rowsOut} and radius ${radius} must be non-negative integers and offset ${offset} an integer`);
  }
  const [batch, rowsIn, width, bgHeight, bgWidth] = x.shape as [number, number, number, number, number];
  const shape = [batch, rowsOut, width, bgHeight, bgWidth];
  const count = batch * rowsOut * width * bgHeight * bgWidth;
  if (x.size >= 2 ** 32 || count >= 2 ** 32) throw new Error(`${op}: ${formatShape(x.shape)} is too large for the kernel's 32-bit indices; use smaller chunks`);
  const y = launchLinear(op, DIAGONAL_SUM, [x], shape, { count, rowsOut, rowsIn, width, bgHeight, bgWidth, offset, radius });
  return record(op, y, [x], (g) => [diagonalSum(g, rowsIn, -offset, radius)]);
}
