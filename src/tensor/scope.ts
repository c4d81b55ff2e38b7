/**
 * Memory scopes. `tidy(fn)` releases every tensor created while `fn` runs, except the ones
 * it returns (which move to the enclosing scope) and the ones marked with `keep()`
 * (parameters, optimizer state: their owner releases them). Scopes nest; tensors created
 * outside any scope are the caller's to release.
 */
import type { Tensor } from "./tensor.js";

const scopes: Set<Tensor>[] = [];

/** Records a new tensor in the innermost scope. */
export function track(tensor: Tensor): void {
  scopes[scopes.length - 1]?.add(tensor);
}

/** Takes a tensor out of every scope, so no scope releases it. */
export function keep<T extends Tensor>(tensor: T): T {
  tensor.kept = true;
  for (const scope of scopes) scope.delete(tensor);
  return tensor;
}

/** Runs `fn` and releases the tensors it created but did not return or keep. */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Tensor>();
  scopes.push(scope);
  const survivors = new Set<Tensor>();
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new Error("tidy() takes a synchronous function: an async one would release tensors it still uses");
    }
    collectTensors(result, survivors);
    return result;
  } finally {
    // On an exception nothing survives: the tensors made so far are released all the same.
    scopes.pop();
    for (const tensor of scope) {
      if (survivors.has(tensor) || tensor.kept) track(tensor);
      else tensor.dispose();
    }
  }
}

function collectTensors(value: unknown, into: Set<Tensor>): void {
  if (value === null || typeof value !== "object") return;
  if (isTensor(value)) {
    into.add(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectTensors(item, into);
  } else if (value instanceof Map) {
    for (const item of value.values()) collectTensors(item, into);
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, into);
  }
}

function isTensor(value: object): value is Tensor {
  return (value as { isTensor?: unknown }).isTensor === true;
}
