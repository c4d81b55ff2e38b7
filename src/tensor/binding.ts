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

/** An adapter as Dawn lists it: its backend and its name (Vulkan's device name). */
export interface ListedAdapter {
  backend: string;
  name: string;
}

/** No adapter's name contains the one asked for; the message (one line) lists those there are. */
export class NoSuchAdapterError extends Error {
  constructor(readonly wanted: string, readonly available: readonly ListedAdapter[]) {
    const names = available.map((a) => `${JSON.stringify(a.name)} (${a.backend})`).join(", ");
    super(`no WebGPU adapter's name contains ${JSON.stringify(wanted)}; available: ${names}`);
  }
}

/** The result of asking for an adapter: the binding's entry object (keep it referenced) and the adapter. */
export interface AdapterRequest {
  gpu: GPU;
  adapter: GPUAdapter | null;
}

/**
 * Asks Dawn for an adapter, the one whose name contains `options.adapter` when it is given.
 * Dawn's own filter compares names case-sensitively ("llvmpipe (LLVM 15.0.6, 256 bits)",
 * "SwiftShader Device (Subzero)"); when it finds nothing, its rejection lists every adapter,
 * and the name is looked up there again ignoring case, so "swiftshader" works too. With no
 * match, the error is one line listing the available names.
 */
export async function requestAdapter(options: BindingOptions & { powerPreference?: GPUPowerPreference }): Promise<AdapterRequest> {
  const ask = async (adapter?: string): Promise<AdapterRequest> => {
    const gpu = createGpu({ adapter, backend: options.backend });
    return { gpu, adapter: await gpu.requestAdapter({ powerPreference: options.powerPreference }) };
  };
  const wanted = options.adapter;
  try {
    return await ask(wanted);
  } catch (error) {
    const listed = listedAdapters((error as Error).message);
    if (!wanted || listed.length === 0) throw error;
    const match = listed.find((a) => a.name.toLowerCase().includes(wanted.toLowerCase()));
    if (match) return ask(match.name);
    throw new NoSuchAdapterError(wanted, listed);
  }
}

/** The adapters in Dawn's "Available adapters:" list, lines like ` * backend: 'vulkan', name: 'NAME'`. */
function listedAdapters(message: string): ListedAdapter[] {
  return [...message.matchAll(/^ \* backend: '([^']*)', name: '(.*)'$/gm)].map((m) => ({ backend: m[1]!, name: m[2]! }));
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
