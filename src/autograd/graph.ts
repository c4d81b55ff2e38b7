/**
 * The dynamic graph. An op applied to a tensor that requires a gradient records a node for
 * its output: the inputs and a vjp that maps the output's gradient to the inputs'. Nodes
 * live in a WeakMap beside the tensors, so the runtime below knows nothing of gradients.
 *
 * Every vjp is written with the same public ops as the forward pass; under
 * `grad(..., { createGraph: true })` those ops record nodes too, which is what makes
 * gradients of gradients work.
 */
import type { Tensor } from "../tensor/tensor.js";

/**
 * Maps the output's gradient to one gradient per input (null where there is none).
 * `needed[i]` tells whether input i wants one, so a vjp can skip work.
 */
export type Vjp = (gradOutput: Tensor, needed: readonly boolean[]) => (Tensor | null)[];

export interface GraphNode {
  op: string;
  inputs: readonly Tensor[];
  vjp: Vjp;
  /** A fused op whose vjp is not built from differentiable ops: no second-order gradients. */
  firstOrderOnly: boolean;
}

const nodes = new WeakMap<Tensor, GraphNode>();
const leaves = new WeakSet<Tensor>();
let noGradDepth = 0;

/** Marks a tensor as a leaf whose gradient `grad()` can be asked for (a parameter). */
export function requireGrad<T extends Tensor>(tensor: T): T {
  leaves.add(tensor);
  return tensor;
}

export function requiresGrad(tensor: Tensor): boolean {
  return leaves.has(tensor) || nodes.has(tensor);
}

export function isLeaf(tensor: Tensor): boolean {
  return leaves.has(tensor);
}

export function nodeOf(tensor: Tensor): GraphNode | undefined {
  return nodes.get(tensor);
}

export function isRecording(): boolean {
  return noGradDepth === 0;
}

/**
 * Records `output = op(inputs)` when gradients are being recorded and an input needs one.
 * Returns `output`, so ops can end with `return record(...)`.
 */
export function record(op: string, output: Tensor, inputs: readonly Tensor[], vjp: Vjp, firstOrderOnly = false): Tensor {
  if (noGradDepth === 0 && inputs.some(requiresGrad)) {
    nodes.set(output, { op, inputs, vjp, firstOrderOnly });
  }
  return output;
}

/** Runs `fn` without recording any node (inference, optimizer updates). */
export function noGrad<T>(fn: () => T): T {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

/** Runs `fn` with recording on, even inside `noGrad` (used by createGraph). */
export function withGrad<T>(fn: () => T): T {
  const saved = noGradDepth;
  noGradDepth = 0;
  try {
    return fn();
  } finally {
    noGradDepth = saved;
  }
}
