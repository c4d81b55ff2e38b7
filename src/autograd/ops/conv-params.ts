/**
 * The parameter record the three convolution ops share, how options resolve into it, and
 * the size arithmetic. Sizes follow one rule everywhere: with padding [top, bottom] the
 * output height is floor((H + top + bottom - dilation * (k - 1) - 1) / stride) + 1.
 */
import { formatShape, type Shape } from "../../tensor/shape.js";
import type { PadMode } from "./layout.js";

/**
 * Which kernels run: "direct" computes one output per invocation (simple, the checking
 * variant); "gemm" is the workgroup-tiled implicit-GEMM kernel (the GPU design); "lanes" is
 * the implicit GEMM built for CPU adapters (one-subgroup workgroups, see lanes.ts), reading
 * its operands in place; "lanes-packed" is the same kernels with the filter gradient reading
 * the output gradient from a channels-last copy where its planes alias in a CPU cache
 * (lanes.ts, rowsShareCacheSets; the other directions run as "lanes"); "auto" takes the
 * variant tuneConv measured fastest for this adapter and shape class, else the adapter's
 * default.
 */
export type ConvVariant = "auto" | "direct" | "gemm" | "lanes" | "lanes-packed";

export interface ConvParams {
  kernel: readonly [number, number];
  stride: readonly [number, number];
  dilation: readonly [number, number];
  /** [top, bottom, left, right]. */
  padding: readonly [number, number, number, number];
  padMode: PadMode;
  variant: ConvVariant;
}

/** What callers pass: numbers apply to both axes; padding may be "same" (TF) or "valid". */
export interface ConvOptions {
  /** Taken from the weight's shape when absent; checked against it when given. */
  kernel?: number | readonly [number, number];
  stride?: number | readonly [number, number];
  dilation?: number | readonly [number, number];
  padding?: "same" | "valid" | number | readonly [number, number, number, number];
  padMode?: PadMode;
  variant?: ConvVariant;
}

const pair = (v: number | readonly [number, number] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === "number" ? [v, v] : [v[0], v[1]];

/**
 * TF 'SAME' padding of one axis: the output has ceil(inSize / stride) positions, and the
 * padding it needs is split with the odd pixel after (k=3, s=2 on an even size: 0 before,
 * 1 after).
 */
export function samePadding(inSize: number, kernel: number, stride: number, dilation: number): [number, number] {
  const outSize = Math.ceil(inSize / stride);
  const span = dilation * (kernel - 1) + 1;
  const total = Math.max(0, (outSize - 1) * stride + span - inSize);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Output extent of one axis. */
export function convOutSize(inSize: number, kernel: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((inSize + before + after - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Resolves options into a full record for an input of spatial size [h, w] and a kernel of
 * [kh, kw] (from the weight). `op` names the caller in errors.
 */
export function resolveConvParams(op: string, options: ConvOptions, kernel: readonly [number, number], spatial: readonly [number, number]): ConvParams {
  if (options.kernel !== undefined) {
    const given = pair(options.kernel, 1);
    if (given[0] !== kernel[0] || given[1] !== kernel[1]) {
      throw new Error(`${op}: options.kernel [${given}] disagrees with the weight's kernel [${kernel}]; drop the option or fix the weight`);
    }
  }
  const stride = pair(options.stride, 1);
  const dilation = pair(options.dilation, 1);
  for (const [name, v] of [["stride", stride], ["dilation", dilation], ["kernel", kernel]] as const) {
    if (!v.every((n) => Number.isInteger(n) && n >= 1)) throw new Error(`${op}: ${name} [${v}] must be positive integers`);
  }
  let padding: [number, number, number, number];
  const p = options.padding ?? 0;
  if (p === "same") {
    padding = [...samePadding(spatial[0], kernel[0], stride[0], dilation[0]), ...samePadding(spatial[1], kernel[1], stride[1], dilation[1])];
  } else if (p === "valid") {
    padding = [0, 0, 0, 0];
  } else if (typeof p === "number") {
    padding = [p, p, p, p];
  } else {
    padding = [p[0], p[1], p[2], p[3]];
  }
  if (!padding.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new Error(`${op}: padding [${padding}] must be non-negative integers [top, bottom, left, right]`);
  }
  return { kernel: [kernel[0], kernel[1]], stride, dilation, padding, padMode: options.padMode ?? "zero", variant: options.variant ?? "auto" };
}

/** The record with its padding dropped (after an explicit pad has applied it). */
export function withoutPadding(p: ConvParams): ConvParams {
  return { ...p, padding: [0, 0, 0, 0], padMode: "zero" };
}

export function hasPadding(p: ConvParams): boolean {
  return p.padding.some((n) => n > 0);
}

/** The output shape [B, cout, Ho, Wo] of a convolution of `input` [B, C, H, W]; throws when empty. */
export function convOutputShape(op: string, input: Shape, cout: number, p: ConvParams): [number, number, number, number] {
  const [b, , h, w] = input as [number, number, number, number];
  const ho = convOutSize(h, p.kernel[0], p.stride[0], p.dilation[0], p.padding[0], p.padding[1]);
  const wo = convOutSize(w, p.kernel[1], p.stride[1], p.dilation[1], p.padding[2], p.padding[3]);
  if (ho < 1 || wo < 1) {
    throw new Error(
      `${op}: the input ${formatShape(input)} is smaller than the dilated kernel [${p.kernel}] (dilation [${p.dilation}], padding [${p.padding}]); ` +
        `pad it or use a smaller kernel`,
    );
  }
  return [b, cout, ho, wo];
}

export function describe(p: ConvParams): string {
  return `kernel [${p.kernel}], stride [${p.stride}], dilation [${p.dilation}], padding [${p.padding}] ${p.padMode}`;
}
