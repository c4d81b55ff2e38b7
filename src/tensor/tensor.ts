/**
 * Tensor: a float32 array on the GPU with a shape. Storage is refcounted so that reshapes
 * share one buffer; the buffer returns to the pool when the last tensor using it is
 * released. All tensors are dense and row-major (NCHW for images).
 */
import type { Device } from "./device.js";
import { keep, track } from "./scope.js";
import { formatShape, sizeOf, type Shape } from "./shape.js";

export class Storage {
  refs = 1;
  constructor(readonly buffer: GPUBuffer) {}
}

/** Thrown when a released tensor is used; autograd names the vjp that did it. */
export class ReleasedTensorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReleasedTensorError";
  }
}

export class Tensor {
  readonly isTensor = true;
  readonly shape: Shape;
  readonly size: number;
  /** Set by `keep()`: no memory scope releases this tensor. */
  kept = false;
  private storage: Storage | null;
  private releaseListeners: (() => void)[] | null = null;

  constructor(
    readonly device: Device,
    shape: Shape,
    storage: Storage,
  ) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.storage = storage;
    device.onTensorCreated();
    track(this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isReleased(): boolean {
    return this.storage === null;
  }

  /** The GPU buffer; throws when the tensor was released. `use` names the operation. */
  buffer(use = "this operation"): GPUBuffer {
    if (!this.storage) {
      throw new ReleasedTensorError(
        `${use}: the tensor ${formatShape(this.shape)} was already released (by dispose() or the end of a tidy() scope); ` +
          `keep() it, or create it in the scope that uses it`,
      );
    }
    return this.storage.buffer;
  }

  /** A tensor of another shape over the same storage (the sizes must match). */
  view(shape: Shape): Tensor {
    this.buffer("reshape");
    this.storage!.refs++;
    return new Tensor(this.device, shape, this.storage!);
  }

  /** Releases this tensor; the buffer is recycled once no other view uses it. Idempotent. */
  dispose(): void {
    const storage = this.storage;
    if (!storage) return;
    this.storage = null;
    this.device.onTensorReleased(storage);
    const listeners = this.releaseListeners;
    this.releaseListeners = null;
    for (const listener of listeners ?? []) listener();
  }

  /** Calls `listener` once, when this tensor is released (autograd frees its node then). */
  whenReleased(listener: () => void): void {
    if (!this.storage) throw new Error(`whenReleased: ${this.toString()} is already released`);
    (this.releaseListeners ??= []).push(listener);
  }

  /** Exempts this tensor from every memory scope; its owner releases it with dispose(). */
  keep(): this {
    return keep(this);
  }

  /** Copies the values to the CPU (submits pending work and waits for it). */
  read(): Promise<Float32Array> {
    return this.device.read(this);
  }

  /** Reads a one-element tensor as a number. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item(): the tensor ${formatShape(this.shape)} has ${this.size} elements, not 1`);
    return (await this.read())[0]!;
  }

  toString(): string {
    return `Tensor${formatShape(this.shape)}${this.isReleased ? " (released)" : ""}`;
  }
}
