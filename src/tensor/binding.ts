/**
 * The one place that touches the `webgpu` package (Dawn's Node bindings).
 *
 * Two quirks of the binding are handled here:
 * - The object returned by `create()` must not live on `globalThis`, or the process never
 *   exits; we keep it in this module.
 * - While a `mapAsync` or `onSubmittedWorkDone` promise is pending, the binding re-posts its
 *   event processing with `setImmediate`, which keeps a whole core busy. On a software
 *   adapter that core is one the driver needs (lavapipe ran kernels 1.3-2x faster without
 *   it). `quietly()` swaps `setImmediate` for a 1 ms timer while one of our waits is pending.
 */
import { create, globals } from "webgpu";

Object.assign(globalThis, globals);
// Mesa prints an error at start-up without a runtime folder; any writable folder will do.
process.env.XDG_RUNTIME_DIR ??= "/tmp";

export interface BindingOptions {
  /** Dawn adapter name filter (a substring of the adapter's name). */
  adapter?: string;
  /** Dawn backend: "vulkan", "metal", "d3d12", "opengl", "null". */
  backend?: string;
}

export function createGpu(options: BindingOptions): GPU {
  const flags: string[] = [];
  if (options.adapter) flags.push(`adapter=${options.adapter}`);
  if (options.backend) flags.push(`backend=${options.backend}`);
  return create(flags);
}

let quietWaits = 0;
let originalSetImmediate: typeof setImmediate | null = null;

function slowSetImmediate<T extends unknown[]>(callback: (...args: T) => void, ...args: T) {
  return setTimeout(callback, 1, ...args);
}

/** Awaits a GPU promise without letting the binding spin a core while it is pending. */
export async function quietly<T>(promise: Promise<T>): Promise<T> {
  if (quietWaits++ === 0) {
    originalSetImmediate = globalThis.setImmediate;
    globalThis.setImmediate = slowSetImmediate as unknown as typeof setImmediate;
  }
  try {
    return await promise;
  } finally {
    if (--quietWaits === 0 && originalSetImmediate) {
      globalThis.setImmediate = originalSetImmediate;
      originalSetImmediate = null;
    }
  }
}
