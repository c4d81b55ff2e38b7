/**
 * Elementwise ops: unary functions, binary arithmetic with NumPy broadcasting, and fills.
 * Each differentiable op's vjp is written with these same ops, so it can be differentiated
 * again. Masks such as step(x) are constants to the gradient (their derivative is zero
 * almost everywhere), so they record no node.
 */
import type { Device } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import { broadcastShapes, broadcastStrides, formatShape, mergeAxes, sameShape, sizeOf, type Shape } from "../../tensor/shape.js";
import { record } from "../graph.js";
import { AXES, deviceOf, expectMaxRank, launchLinear } from "./common.js";
import { sumToShape } from "./reduce.js";

const UNARY = defineKernel({ name: "unary", inputs: ["x"], outputs: ["y"], params: { vec_count: "u32", p0: "f32", p1: "f32" } });
const BINARY = defineKernel({
  name: "binary", inputs: ["a", "b"], outputs: ["out"],
  params: { count: "u32", rank: "u32", out_shape: AXES, a_strides: AXES, b_strides: AXES },
});
const FILL = defineKernel({ name: "fill", inputs: [], outputs: ["y"], params: { vec_count: "u32", value: "f32" } });
const ACTIVATION_BACKWARD = defineKernel({
  name: "activation_backward", inputs: ["g", "y"], outputs: ["dx"], params: { vec_count: "u32", p0: "f32" },
});
const TERNARY = defineKernel({
  name: "ternary", inputs: ["x", "y", "z"], outputs: ["out"],
  params: { count: "u32", rank: "u32", out_shape: AXES, x_strides: AXES, y_strides: AXES, z_strides: AXES },
});

/** Op codes of kernels/unary.wgsl. */
export const UnaryOp = {
  neg: 0, exp: 1, log: 2, sqrt: 3, square: 4, abs: 5, relu: 6, elu: 7, leakyRelu: 8,
  clip: 9, affine: 10, pow: 11, sign: 12, step: 13, inside: 14,
} as const;

/** Op codes of kernels/ternary.wgsl. */
const TernaryOp = { where: 0, lerp: 1 } as const;

/** Op codes of kernels/binary.wgsl. */
export const BinaryOp = {
  add: 0, sub: 1, mul: 2, div: 3, pow: 4, maximum: 5, minimum: 6, greater: 7, greaterEqual: 8, equal: 9,
} as const;

/** Op codes of kernels/activation_backward.wgsl. */
export const ActivationSlope = { relu: 0, elu: 1, leakyRelu: 2, eluCurve: 3 } as const;

/** vec4s each lane of the unary, activation-backward and same-shape binary kernels handles (see unary.wgsl). */
const VEC4S_PER_LANE = 4;

function unaryKernel(op: string, x: Tensor, code: number, p0 = 0, p1 = 0): Tensor {
  const vecCount = Math.ceil(x.size / 4);
  return launchLinear(op, UNARY, [x], x.shape, { vec_count: vecCount, p0, p1 }, {
    overrides: { OP: code, PER_LANE: VEC4S_PER_LANE },
    invocations: Math.ceil(vecCount / VEC4S_PER_LANE),
  });
}

/** Layouts of kernels/binary.wgsl. */
const BinaryLayout = { sameShape: 0, broadcast: 1, broadcastVec4: 2 } as const;

/**
 * The operands' strides over the broadcast `shape` with contiguous axes merged, whether the
 * kernels' vec4 layout applies (the last merged axis a multiple of 4 long that every operand
 * walks with stride 0 or 1), and how many invocations they run. In the vec4 layout each
 * invocation takes a run of up to VEC4S_PER_LANE vec4s within one row of the last axis, so
 * it finds its offsets once per run: those take an integer division per axis, which lavapipe
 * computes one lane at a time (one offset per vec4 ran a broadcast 2.4x slower).
 */
function broadcastLayout(shape: Shape, operands: readonly Tensor[]): { shape: number[]; strides: number[][]; vec4: boolean; invocations: number } {
  const merged = mergeAxes(shape, operands.map((t) => broadcastStrides(t.shape, shape)));
  const last = merged.shape.length - 1;
  const rowLength = merged.shape[last]!;
  const vec4 = rowLength % 4 === 0 && merged.strides.every((strides) => strides[last]! <= 1);
  const rows = rowLength === 0 ? 0 : sizeOf(shape) / rowLength;
  const invocations = vec4 ? rows * Math.ceil(rowLength / 4 / VEC4S_PER_LANE) : Math.ceil(sizeOf(shape) / 4);
  return { ...merged, vec4, invocations };
}

function binaryKernel(op: string, a: Tensor, b: Tensor, code: number): Tensor {
  deviceOf(op, a, b);
  const shape = broadcastShapes(a.shape, b.shape, op);
  expectMaxRank(op, shape);
  const vecCount = Math.ceil(sizeOf(shape) / 4);
  if (sameShape(a.shape, shape) && sameShape(b.shape, shape)) {
    const params = { count: sizeOf(shape), rank: 1, out_shape: [sizeOf(shape)], a_strides: [1], b_strides: [1] };
    return launchLinear(op, BINARY, [a, b], shape, params, {
      overrides: { OP: code, LAYOUT: BinaryLayout.sameShape, PER_LANE: VEC4S_PER_LANE },
      invocations: Math.ceil(vecCount / VEC4S_PER_LANE),
    });
  }
  const merged = broadcastLayout(shape, [a, b]);
  const [aStrides, bStrides] = merged.strides as [number[], number[]];
  const params = { count: sizeOf(shape), rank: merged.shape.length, out_shape: merged.shape, a_strides: aStrides, b_strides: bStrides };
  return launchLinear(op, BINARY, [a, b], shape, params, {
    overrides: { OP: code, LAYOUT: merged.vec4 ? BinaryLayout.broadcastVec4 : BinaryLayout.broadcast, PER_LANE: VEC4S_PER_LANE },
    invocations: merged.invocations,
  });
}

// ---- fills -------------------------------------------------------------------------------

export function full(device: Device, shape: Shape, value: number): Tensor {
  const vecCount = Math.ceil(sizeOf(shape) / 4);
  return launchLinear("full", FILL, [], shape, { vec_count: vecCount, value }, { device, invocations: vecCount });
}

export const zeros = (device: Device, shape: Shape) => full(device, shape, 0);
export const ones = (device: Device, shape: Shape) => full(device, shape, 1);
export const zerosLike = (x: Tensor) => full(x.device, x.shape, 0);
export const onesLike = (x: Tensor) => full(x.device, x.shape, 1);

// ---- binary ------------------------------------------------------------------------------

export function add(a: Tensor, b: Tensor): Tensor {
  return record("add", binaryKernel("add", a, b, BinaryOp.add), [a, b], (g, needed) => [
    needed[0] ? sumToShape(g, a.shape) : null,
    needed[1] ? sumToShape(g, b.shape) : null,
  ]);
}

export function sub(a: Tensor, b: Tensor): Tensor {
  return record("sub", binaryKernel("sub", a, b, BinaryOp.sub), [a, b], (g, needed) => [
    needed[0] ? sumToShape(g, a.shape) : null,
    needed[1] ? sumToShape(neg(g), b.shape) : null,
  ]);
}

export function mul(a: Tensor, b: Tensor): Tensor {
  return record("mul", binaryKernel("mul", a, b, BinaryOp.mul), [a, b], (g, needed, [a, b]) => [
    needed[0] ? sumToShape(mul(g, b), a.shape) : null,
    needed[1] ? sumToShape(mul(g, a), b.shape) : null,
  ], { saved: [a, b] });
}

export function div(a: Tensor, b: Tensor): Tensor {
  const y = binaryKernel("div", a, b, BinaryOp.div);
  // d(a/b)/da = 1/b; d(a/b)/db = -a/b^2 = -y/b (y recomputed from the inputs, so only they are saved).
  return record("div", y, [a, b], (g, needed, [a, b]) => [
    needed[0] ? sumToShape(div(g, b), a.shape) : null,
    needed[1] ? sumToShape(neg(div(mul(g, div(a, b)), b)), b.shape) : null,
  ], { saved: [a, b] });
}

/** a^b elementwise (a > 0 where b is not an integer). */
export function pow(a: Tensor, b: Tensor): Tensor {
  const y = binaryKernel("pow", a, b, BinaryOp.pow);
  return record("pow", y, [a, b], (g, needed, [a, b]) => [
    needed[0] ? sumToShape(mul(g, mul(b, pow(a, affine(b, 1, -1)))), a.shape) : null,
    needed[1] ? sumToShape(mul(g, mul(pow(a, b), log(a))), b.shape) : null,
  ], { saved: [a, b] });
}

/** Elementwise max; the gradient goes to a where a >= b, else to b. */
export function maximum(a: Tensor, b: Tensor): Tensor {
  const y = binaryKernel("maximum", a, b, BinaryOp.maximum);
  return record("maximum", y, [a, b], (g, needed, [a, b]) => {
    const takeA = greaterEqual(a, b);
    return [
      needed[0] ? sumToShape(mul(g, takeA), a.shape) : null,
      needed[1] ? sumToShape(mul(g, affine(takeA, -1, 1)), b.shape) : null,
    ];
  }, { saved: [a, b] });
}

/** Elementwise min; the gradient goes to a where a <= b, else to b. */
export function minimum(a: Tensor, b: Tensor): Tensor {
  const y = binaryKernel("minimum", a, b, BinaryOp.minimum);
  return record("minimum", y, [a, b], (g, needed, [a, b]) => {
    const takeA = greaterEqual(b, a);
    return [
      needed[0] ? sumToShape(mul(g, takeA), a.shape) : null,
      needed[1] ? sumToShape(mul(g, affine(takeA, -1, 1)), b.shape) : null,
    ];
  }, { saved: [a, b] });
}

/** 1 where a > b, else 0 (a constant: no gradient). */
export const greater = (a: Tensor, b: Tensor) => binaryKernel("greater", a, b, BinaryOp.greater);
/** 1 where a >= b, else 0 (a constant: no gradient). */
export const greaterEqual = (a: Tensor, b: Tensor) => binaryKernel("greaterEqual", a, b, BinaryOp.greaterEqual);
/** 1 where a == b, else 0 (a constant: no gradient). */
export const equal = (a: Tensor, b: Tensor) => binaryKernel("equal", a, b, BinaryOp.equal);

/** One pass of kernels/ternary.wgsl over x, y and z broadcast together (vec4 where broadcastLayout allows). */
function ternaryKernel(op: keyof typeof TernaryOp, x: Tensor, y: Tensor, z: Tensor): Tensor {
  deviceOf(op, x, y, z);
  const shape = broadcastShapes(broadcastShapes(x.shape, y.shape, op), z.shape, op);
  expectMaxRank(op, shape);
  const merged = broadcastLayout(shape, [x, y, z]);
  const [xStrides, yStrides, zStrides] = merged.strides;
  const params = {
    count: sizeOf(shape), rank: merged.shape.length, out_shape: merged.shape, x_strides: xStrides!, y_strides: yStrides!, z_strides: zStrides!,
  };
  return launchLinear(op, TERNARY, [x, y, z], shape, params, {
    invocations: merged.invocations, overrides: { OP: TernaryOp[op], VEC4: merged.vec4 ? 1 : 0, PER_LANE: VEC4S_PER_LANE },
  });
}

/**
 * cond != 0 ? a : b elementwise, all three broadcast together. cond is a constant to the
 * gradient; the unselected side never reaches the result, even when it is inf or NaN.
 */
export function where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
  const y = ternaryKernel("where", cond, a, b);
  return record("where", y, [a, b], (g, needed, [cond]) => {
    // The gradient goes where each side was chosen: a select again, one pass per side.
    const zero = g.device.tensor([0], [1]);
    return [
      needed[0] ? sumToShape(where(cond!, g, zero), a.shape) : null,
      needed[1] ? sumToShape(where(cond!, zero, g), b.shape) : null,
    ];
  }, { saved: [cond] });
}

/** a + t (b - a) elementwise with NumPy broadcasting of all three: a blend in one pass. */
export function lerp(a: Tensor, b: Tensor, t: Tensor): Tensor {
  const y = ternaryKernel("lerp", a, b, t);
  return record("lerp", y, [a, b, t], (g, needed, [a, b, t]) => [
    needed[0] ? sumToShape(mul(g, affine(t!, -1, 1)), a!.shape) : null,
    needed[1] ? sumToShape(mul(g, t!), b!.shape) : null,
    needed[2] ? sumToShape(mul(g, sub(b!, a!)), t!.shape) : null,
  ], { saved: [a, b, t] });
}

// ---- unary -------------------------------------------------------------------------------

export function neg(x: Tensor): Tensor {
  return record("neg", unaryKernel("neg", x, UnaryOp.neg), [x], (g) => [neg(g)]);
}

/** scale * x + shift, the scalar form of mul and add. */
export function affine(x: Tensor, scale: number, shift = 0): Tensor {
  return record("affine", unaryKernel("affine", x, UnaryOp.affine, scale, shift), [x], (g) => [affine(g, scale)]);
}

export const addScalar = (x: Tensor, value: number) => affine(x, 1, value);
export const mulScalar = (x: Tensor, value: number) => affine(x, value, 0);

export function exp(x: Tensor): Tensor {
  return record("exp", unaryKernel("exp", x, UnaryOp.exp), [x], (g, _, [x]) => [mul(g, exp(x))], { saved: [x] });
}

export function log(x: Tensor): Tensor {
  return record("log", unaryKernel("log", x, UnaryOp.log), [x], (g, _, [x]) => [div(g, x)], { saved: [x] });
}

export function sqrt(x: Tensor): Tensor {
  return record("sqrt", unaryKernel("sqrt", x, UnaryOp.sqrt), [x], (g, _, [x]) => [div(g, affine(sqrt(x), 2))], { saved: [x] });
}

export function square(x: Tensor): Tensor {
  return record("square", unaryKernel("square", x, UnaryOp.square), [x], (g, _, [x]) => [mul(g, affine(x, 2))], { saved: [x] });
}

/** |x|; its derivative sign(x) is taken as 0 at x = 0. */
export function abs(x: Tensor): Tensor {
  return record("abs", unaryKernel("abs", x, UnaryOp.abs), [x], (g, _, [x]) => [mul(g, sign(x))], { saved: [x] });
}

/** x^p for a number p (negative x allowed when p is an integer). */
export function powScalar(x: Tensor, p: number): Tensor {
  return record("powScalar", unaryKernel("powScalar", x, UnaryOp.pow, p), [x], (g, _, [x]) => [
    mul(g, affine(powScalar(x, p - 1), p)),
  ], { saved: [x] });
}

/** An activation and its parameter (ELU's alpha, leaky ReLU's slope; ReLU ignores it). */
export interface ActivationFunction {
  kind: "relu" | "elu" | "leakyRelu";
  parameter: number;
}

export function relu(x: Tensor): Tensor {
  return activation(x, { kind: "relu", parameter: 0 });
}

export function leakyRelu(x: Tensor, alpha = 0.2): Tensor {
  return activation(x, { kind: "leakyRelu", parameter: alpha });
}

/** ELU: x for x > 0, alpha (e^x - 1) otherwise. */
export function elu(x: Tensor, alpha = 1): Tensor {
  return activation(x, { kind: "elu", parameter: alpha });
}

/** f(x) for an activation f; its vjp reads only the output (activationBackward), so x need not be kept. */
export function activation(x: Tensor, f: ActivationFunction): Tensor {
  checkActivation(f);
  const y = unaryKernel(f.kind, x, UnaryOp[f.kind], f.parameter);
  return record(f.kind, y, [x], (g, _, [y]) => [activationBackward(f, g, y!)], { saved: [y] });
}

/**
 * g * f'(x) for an activation f (a positive parameter), read from its output y = f(x) in one
 * kernel (kernels/activation_backward.wgsl), so neither the activation nor a convolution
 * that applies f in its epilogue keeps x for the gradient. Itself differentiable, so the
 * activations keep their second derivatives (leaky ReLU is on the gradient penalty's path):
 * w.r.t. g it is the same op; w.r.t. y the slopes of ReLU and leaky ReLU are constant (no
 * gradient), and ELU's, y + alpha below 0, has slope 1 there ("eluCurve", a mask: constant).
 * The gradient w.r.t. y flows on through the op that produced y, which supplies f'(x).
 */
export function activationBackward(f: ActivationFunction, g: Tensor, y: Tensor): Tensor {
  return slopeKernel(f.kind, g, y, f.parameter);
}

/** The slope is read from the output's sign, which is x's only for a parameter >= 0. */
export function checkActivation(f: ActivationFunction): void {
  if (!(f.parameter >= 0)) throw new Error(`${f.kind}: the parameter must be >= 0 (its gradient reads the sign of x from the output), got ${f.parameter}`);
}

function slopeKernel(kind: keyof typeof ActivationSlope, g: Tensor, y: Tensor, p0: number): Tensor {
  const op = `${kind}Backward`;
  deviceOf(op, g, y);
  if (!sameShape(g.shape, y.shape)) throw new Error(`${op}: the gradient ${formatShape(g.shape)} and the output ${formatShape(y.shape)} differ in shape`);
  const vecCount = Math.ceil(y.size / 4);
  const dx = launchLinear(op, ACTIVATION_BACKWARD, [g, y], y.shape, { vec_count: vecCount, p0 }, {
    overrides: { OP: ActivationSlope[kind], PER_LANE: VEC4S_PER_LANE },
    invocations: Math.ceil(vecCount / VEC4S_PER_LANE),
  });
  return record(op, dx, [g, y], (gg, needed, [g, y]) => [
    needed[0] ? slopeKernel(kind, gg, y!, p0) : null,
    needed[1] && kind === "elu" ? slopeKernel("eluCurve", mul(gg, g!), y!, p0) : null,
  ], { saved: [g, y] });
}

export function clip(x: Tensor, low: number, high: number): Tensor {
  if (!(low <= high)) throw new Error(`clip: low (${low}) must not exceed high (${high})`);
  return record("clip", unaryKernel("clip", x, UnaryOp.clip, low, high), [x], (g, _, [x]) => [
    mul(g, unaryKernel("clip", x, UnaryOp.inside, low, high)),
  ], { saved: [x] });
}

/** -1, 0 or 1 (a constant: no gradient). */
export const sign = (x: Tensor) => unaryKernel("sign", x, UnaryOp.sign);
/** 1 where x > threshold, else 0 (a constant: no gradient). */
export const step = (x: Tensor, threshold = 0) => unaryKernel("step", x, UnaryOp.step, threshold);
