/**
 * What the engine needs from its host, behind one interface so that the tensor runtime, the
 * autograd and the models run unchanged in Node (Dawn's `webgpu` package, kernels read from
 * disk) and in a browser (navigator.gpu, kernel sources bundled by the page).
 *
 * The host installs its implementation once at start-up: the Node entry points install
 * node.ts's, a page calls startBrowserEngine() (src/browser.ts). The core asks for it with
 * currentPlatform() and imports nothing host-specific itself.
 */

/** The result of asking for an adapter: the entry object (keep it referenced) and the adapter. */
export interface AdapterRequest {
  gpu: GPU;
  adapter: GPUAdapter | null;
}

export interface AdapterChoice {
  /** Pick the adapter whose name contains this text, ignoring case. */
  adapter?: string;
  /** Backend to ask for (Dawn's names: "vulkan", "metal", ...); hosts without a choice ignore it. */
  backend?: string;
  powerPreference?: GPUPowerPreference;
}

export interface Platform {
  requestAdapter(options: AdapterChoice): Promise<AdapterRequest>;
  /** Awaits a GPU promise (a host may need to keep its event loop calm meanwhile). */
  waitForGpu<T>(promise: Promise<T>): Promise<T>;
  /** The WGSL text of kernels/<name>.wgsl. */
  kernelSource(name: string): string;
  /** Where measured kernel choices persist between runs (see tensor/autotune.ts); none: per run only. */
  tuneStore?: {
    load(): Record<string, string>;
    save(entries: Record<string, string>): void;
  };
}

/** An adapter as a host lists it: its backend and its name. */
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

/** The host offers no adapter at all, for a reason its message names with the fix (a browser without WebGPU). */
export class NoAdapterError extends Error {}

let installed: Platform | null = null;

/** Makes `platform` the one the engine uses from now on. */
export function installPlatform(platform: Platform): void {
  installed = platform;
}

/** The installed platform; throws a one-line error naming the fix when there is none. */
export function currentPlatform(): Platform {
  if (!installed) {
    throw new Error("deepfill-webgpu: no platform installed; import the library from its Node entry (src/index.ts) or call startBrowserEngine(kernelSources) in a page first");
  }
  return installed;
}
