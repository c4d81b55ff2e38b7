/**
 * Reverse-mode differentiation over the recorded graph.
 *
 * `grad` sorts the nodes reachable from the outputs topologically, walks them in reverse,
 * calls each vjp and sums the gradients that reach the same tensor. Each vjp's temporaries
 * are released as soon as it returns, and each intermediate gradient as soon as it has been
 * passed on. Without `createGraph` the vjps run with recording off. With it they are
 * recorded like any other ops, so the returned gradients can be differentiated again; the
 * nodes they record hold what they saved, so the releases are just as safe.
 */
import { tidy } from "../tensor/scope.js";
import { ReleasedTensorError, type Tensor } from "../tensor/tensor.js";
import { formatShape, sameShape } from "../tensor/shape.js";
import { isLeaf, noGrad, nodeOf, record, requiresGrad, withGrad, type GraphNode } from "./graph.js";
import { add, zerosLike } from "./ops/elementwise.js";

export interface GradOptions {
  /** Record the gradient computation, so its results can be differentiated again. */
  createGraph?: boolean;
  /** Gradients of the outputs (default: ones; then every output must have one element). */
  gradOutputs?: readonly Tensor[];
  /** Return zeros for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

export class SecondOrderNotSupportedError extends Error {
  constructor(op: string) {
    super(`${op} is first-order only (a fused kernel without a differentiable vjp); it cannot be used under grad(..., { createGraph: true })`);
    this.name = "SecondOrderNotSupportedError";
  }
}

/** Nodes reachable from `outputs`, each after every node that consumes its output. */
function reverseTopologicalOrder(outputs: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative depth-first search: deep networks would overflow a recursive one.
  const stack: [Tensor, boolean][] = outputs.filter((t) => nodeOf(t)).map((t) => [t, false]);
  while (stack.length > 0) {
    const [tensor, expanded] = stack.pop()!;
    if (expanded) {
      order.push(tensor);
      continue;
    }
    if (visited.has(tensor)) continue;
    visited.add(tensor);
    stack.push([tensor, true]);
    for (const input of nodeOf(tensor)?.inputs ?? []) {
      if (!visited.has(input) && nodeOf(input)) stack.push([input, false]);
    }
  }
  return order.reverse();
}

/**
 * The tensors of `order` (a reverseTopologicalOrder) through which a gradient can reach one of
 * `inputs`: the inputs and every tensor whose node reads one of them. Only these get
 * gradients, so a vjp skips what leads nowhere wanted: the critic's weight and bias gradients
 * while the gradient penalty takes dD/dx alone, for example.
 */
function leadingTo(order: readonly Tensor[], inputs: readonly Tensor[]): Set<Tensor> {
  const leading = new Set(inputs);
  // Producers come after their consumers in the order, so walk it from the end.
  for (let i = order.length - 1; i >= 0; i--) {
    const tensor = order[i]!;
    if (nodeOf(tensor)!.inputs.some((input) => leading.has(input))) leading.add(tensor);
  }
  return leading;
}

export function grad(outputs: Tensor | readonly Tensor[], inputs: readonly Tensor[], options: GradOptions = {}): Tensor[] {
  const outs = Array.isArray(outputs) ? (outputs as readonly Tensor[]) : [outputs as Tensor];
  const createGraph = options.createGraph ?? false;
  outs.forEach((output, i) => {
    if (output.isReleased) throw new Error(`grad: output ${i} ${output.toString()} was released before grad() ran; release it after taking its gradients`);
  });
  for (const input of inputs) {
    if (!requiresGrad(input)) {
      throw new Error(`grad: an input ${formatShape(input.shape)} does not require a gradient; mark it with requireGrad()`);
    }
  }
  const run = () => backpropagate(outs, inputs, options, createGraph);
  return createGraph ? withGrad(run) : noGrad(run);
}

/**
 * Runs a vjp; a released tensor it touches can only be one its op did not declare as saved,
 * so the error names that op rather than the op inside the vjp that tripped over it.
 */
function callVjp(node: GraphNode, g: Tensor, needed: readonly boolean[], saved: readonly Tensor[]): (Tensor | null)[] {
  try {
    return node.vjp(g, needed, saved);
  } catch (error) {
    if (!(error instanceof ReleasedTensorError)) throw error;
    throw new Error(
      `grad: the vjp of ${node.op} read a tensor that was released after the forward pass (${error.message}); ` +
        `${node.op} must list every tensor its vjp reads in record(..., { saved }) and read it from the vjp's saved argument`,
      { cause: error },
    );
  }
}

/**
 * A vjp under createGraph. The node's saved handles are not in the graph, so the vjp gets a
 * fresh alias of each, recorded as the identity of the tensor it was saved from: gradients
 * of the returned gradients then flow back through the saved tensors too. The aliases are
 * released at once; the nodes the vjp recorded hold what they read.
 */
function recordedVjp(node: GraphNode, g: Tensor, needed: readonly boolean[]): (Tensor | null)[] {
  const aliases = node.saved.map((hold, i) => {
    const from = node.savedFrom[i]!;
    return requiresGrad(from) ? record("saved", hold.view(hold.shape), [from], (gy) => [gy]) : hold;
  });
  let grads: (Tensor | null)[] = [];
  try {
    grads = callVjp(node, g, needed, aliases);
    return grads;
  } finally {
    aliases.forEach((alias, i) => {
      if (alias !== node.saved[i] && !grads.includes(alias)) alias.dispose();
    });
  }
}

function backpropagate(outputs: readonly Tensor[], inputs: readonly Tensor[], options: GradOptions, createGraph: boolean): Tensor[] {
  const wanted = new Set(inputs);
  const grads = new Map<Tensor, Tensor>();
  // How many map slots hold each gradient we made: a vjp may pass its argument through.
  const holders = new Map<Tensor, number>();
  const ours = new Set<Tensor>();
  const hold = (tensor: Tensor, g: Tensor, made: boolean) => {
    grads.set(tensor, g);
    // A gradient seen for the first time here was made by a vjp (or is the seed we made).
    if (made && !holders.has(g)) ours.add(g);
    holders.set(g, (holders.get(g) ?? 0) + 1);
  };
  const drop = (g: Tensor) => {
    const count = (holders.get(g) ?? 0) - 1;
    holders.set(g, count);
    if (count === 0 && ours.has(g)) g.dispose();
  };
  const accumulate = (tensor: Tensor, g: Tensor) => {
    if (!sameShape(g.shape, tensor.shape)) {
      throw new Error(`grad: a vjp returned a gradient of shape ${formatShape(g.shape)} for a tensor of shape ${formatShape(tensor.shape)}`);
    }
    const previous = grads.get(tensor);
    if (!previous) return hold(tensor, g, true);
    const sum = add(previous, g);
    grads.delete(tensor);
    drop(previous);
    // Release g unless it is held elsewhere or is a tensor the caller gave us.
    if (!holders.get(g) && (ours.has(g) || !holders.has(g))) g.dispose();
    hold(tensor, sum, true);
  };

  try {
    outputs.forEach((output, i) => {
      const seed = options.gradOutputs?.[i];
      if (seed) {
        if (!sameShape(seed.shape, output.shape)) {
          throw new Error(`grad: gradOutputs[${i}] has shape ${formatShape(seed.shape)} but the output has ${formatShape(output.shape)}`);
        }
        hold(output, seed, false);
      } else {
        if (output.size !== 1) {
          throw new Error(`grad: output ${i} has shape ${formatShape(output.shape)}; pass gradOutputs for outputs with more than one element`);
        }
        // Uploaded rather than filled: a seed is one value, not worth a dispatch.
        accumulate(output, output.device.tensor([1], output.shape));
      }
    });

    const order = reverseTopologicalOrder(outputs);
    const leading = leadingTo(order, inputs);
    for (const tensor of order) {
      const node = nodeOf(tensor) as GraphNode;
      const g = grads.get(tensor);
      if (!g) continue;
      const needed = node.inputs.map((input) => leading.has(input));
      // Only a wanted tensor that no other wanted one lies behind gets here with nothing to pass on.
      if (needed.some(Boolean)) {
        if (createGraph && node.firstOrderOnly) throw new SecondOrderNotSupportedError(node.op);
        const inputGrads = tidy(() => (createGraph ? recordedVjp(node, g, needed) : callVjp(node, g, needed, node.saved)));
        node.inputs.forEach((input, i) => {
          const inputGrad = inputGrads[i];
          if (inputGrad && needed[i]) accumulate(input, inputGrad);
        });
      }
      if (!wanted.has(tensor)) {
        grads.delete(tensor);
        drop(g);
      }
    }

    const results = inputs.map((input) => {
      const g = grads.get(input);
      if (g) return g;
      if (!options.allowUnused) {
        throw new Error(`grad: an input ${formatShape(input.shape)} is not used by the outputs; pass allowUnused to get zeros`);
      }
      return zerosLike(input);
    });
    for (const [tensor, g] of grads) {
      if (!wanted.has(tensor)) drop(g);
    }
    return results;
  } catch (error) {
    // A grad() that fails part way (an unused input, a first-order-only op) releases the
    // gradients it made, so a caller outside any tidy() scope leaks nothing.
    for (const g of ours) g.dispose();
    throw error;
  }
}

/**
 * Gradients of a scalar loss with respect to every parameter (leaf marked with
 * requireGrad) it depends on.
 */
export function backward(loss: Tensor, options: Omit<GradOptions, "gradOutputs"> = {}): Map<Tensor, Tensor> {
  const params = reverseTopologicalOrder([loss]).flatMap((t) => nodeOf(t)!.inputs.filter(isLeaf));
  const unique = [...new Set(params)];
  const grads = grad(loss, unique, options);
  return new Map(unique.map((p, i) => [p, grads[i]!]));
}
