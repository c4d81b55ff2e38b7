/**
 * The dynamic graph. An op applied to a tensor that requires a gradient records a node for
 * its output: the inputs, a vjp that maps the output's gradient to the inputs', and the
 * tensors that vjp reads (its saved tensors). Nodes live in a WeakMap beside the tensors,
 * so the runtime below knows nothing of gradients.
 *
 * Saved tensors are declared, never assumed. The node takes its own handle on each saved
 * tensor's storage and gives those handles to the vjp, so a caller may dispose() any
 * tensor as soon as it has no more use for it: what a vjp reads stays alive, and nothing
 * else does. A node is released once its output has been released and no live node lists
 * the output among its inputs; releasing it releases its handles and, in turn, the nodes
 * that only it kept.
 *
 * Every vjp is written with the same public ops as the forward pass; under
 * `grad(..., { createGraph: true })` those ops record nodes too, which is what makes
 * gradients of gradients work.
 */
import { formatShape } from "../tensor/shape.js";
import type { Tensor } from "../tensor/tensor.js";

/**
 * Maps the output's gradient to one gradient per input (null where there is none).
 * `needed[i]` tells whether input i wants one, so a vjp can skip work. `saved` holds the
 * tensors the op declared in record(), in the same order: a vjp reads tensor values only
 * from there (shapes and numbers it may close over).
 */
export type Vjp = (gradOutput: Tensor, needed: readonly boolean[], saved: readonly Tensor[]) => (Tensor | null)[];

export interface RecordOptions {
  /** Every tensor whose values the vjp reads: inputs, the output, constants such as masks. */
  saved?: readonly Tensor[];
  /** A fused op whose vjp is not built from differentiable ops: no second-order gradients. */
  firstOrderOnly?: boolean;
}

export interface GraphNode {
  op: string;
  inputs: readonly Tensor[];
  vjp: Vjp;
  /** The tensors declared as saved (a second-order pass follows their gradients). */
  savedFrom: readonly Tensor[];
  /** The node's own handles on their storage, in the same order; what the vjp receives. */
  saved: readonly Tensor[];
  firstOrderOnly: boolean;
}

interface Liveness {
  /** Inputs and saved tensors whose nodes this node keeps alive. */
  links: readonly Tensor[];
  /** Live nodes that link to this node's output. */
  consumers: number;
}

const nodes = new WeakMap<Tensor, GraphNode & Liveness>();
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
 * Records `output = op(inputs)` when gradients are being recorded and an input needs one,
 * holding `options.saved` for the vjp until the node is released. Returns `output`, so
 * ops can end with `return record(...)`.
 */
export function record(op: string, output: Tensor, inputs: readonly Tensor[], vjp: Vjp, options: RecordOptions = {}): Tensor {
  if (noGradDepth > 0 || !inputs.some(requiresGrad)) return output;
  const savedFrom = options.saved ?? [];
  // A node never links to its own output: that would keep it alive for ever.
  const links = [...new Set([...inputs, ...savedFrom])].filter((t) => t !== output && nodes.has(t));
  const node = {
    op, inputs, vjp, savedFrom,
    saved: savedFrom.map((t) => holdFor(op, t)),
    firstOrderOnly: options.firstOrderOnly ?? false,
    links, consumers: 0,
  };
  for (const t of links) nodes.get(t)!.consumers++;
  const replaced = nodes.get(output);
  nodes.set(output, node);
  if (replaced) {
    // A user-defined op that gives a recorded op's output its own vjp replaces that node.
    node.consumers = replaced.consumers;
    releaseUnused(unlink(replaced));
  } else {
    output.whenReleased(() => releaseUnused([output]));
  }
  return output;
}

/** A handle on the storage of `tensor` that no memory scope releases (the node does). */
function holdFor(op: string, tensor: Tensor): Tensor {
  if (tensor.isReleased) {
    throw new Error(`${op}: the tensor ${formatShape(tensor.shape)} to save for the gradient was already released; save it before disposing of it`);
  }
  return tensor.view(tensor.shape).keep();
}

/** Releases a node's holds and its links; returns the linked tensors, whose nodes may now be unused. */
function unlink(node: GraphNode & Liveness): Tensor[] {
  for (const hold of node.saved) hold.dispose();
  for (const link of node.links) nodes.get(link)!.consumers--;
  return [...node.links];
}

/** Releases the nodes of released tensors that no live node links to, then the nodes only they kept. */
function releaseUnused(tensors: Tensor[]): void {
  // A worklist rather than recursion: a chain of released nodes can be thousands long.
  const pending = tensors;
  while (pending.length > 0) {
    const tensor = pending.pop()!;
    const node = nodes.get(tensor);
    if (!node || !tensor.isReleased || node.consumers > 0) continue;
    nodes.delete(tensor);
    pending.push(...unlink(node));
  }
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
  const depth = noGradDepth;
  noGradDepth = 0;
  try {
    return fn();
  } finally {
    noGradDepth = depth;
  }
}
