/**
 * The browser platform: navigator.gpu for the adapter, the page's bundled copy of kernels/ for
 * the WGSL text, localStorage (when the page has it) for the tuning store. The page's bundler
 * reads kernels/*.wgsl at build time and passes the map; kernels/ stays the one source.
 */
import { NoAdapterError, NoSuchAdapterError, type AdapterChoice, type AdapterRequest, type Platform } from "./platform.js";

/** The localStorage key of the tuning store. */
const TUNE_KEY = "deepfill-webgpu.tune";

/** The part of the Web Storage API used here (the project compiles without the DOM's types). */
interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** A browser gives one adapter per power preference; a name filter is checked against its info. */
async function requestAdapter(options: AdapterChoice): Promise<AdapterRequest> {
  const gpu = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!gpu) throw new NoAdapterError("this browser has no WebGPU (navigator.gpu is missing); use a browser with WebGPU enabled, on a page served over https or from localhost");
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference });
  if (!adapter) throw new NoAdapterError("the browser offers no WebGPU adapter; enable hardware acceleration (or WebGPU) in its settings, or try another browser");
  const wanted = options.adapter;
  if (adapter && wanted) {
    const { vendor, architecture, device, description } = adapter.info;
    const name = [vendor, architecture, device, description].filter(Boolean).join(" ");
    if (!name.toLowerCase().includes(wanted.toLowerCase())) throw new NoSuchAdapterError(wanted, [{ backend: "browser", name }]);
  }
  return { gpu, adapter };
}

function localTuneStore(): Platform["tuneStore"] {
  const storage = (globalThis as { localStorage?: KeyValueStorage }).localStorage;
  if (!storage) return undefined;
  return {
    load() {
      try {
        return JSON.parse(storage.getItem(TUNE_KEY) ?? "{}") as Record<string, string>;
      } catch {
        return {}; // a damaged entry costs a re-measurement, nothing more
      }
    },
    save(entries) {
      storage.setItem(TUNE_KEY, JSON.stringify(entries));
    },
  };
}

/** The browser platform with `kernelSources` mapping each kernel's name (file name without .wgsl) to its WGSL text. */
export function browserPlatform(kernelSources: Readonly<Record<string, string>>): Platform {
  return {
    requestAdapter,
    waitForGpu: (promise) => promise,
    kernelSource(name) {
      const source = kernelSources[name];
      if (source === undefined) throw new Error(`kernel ${name}: not in the kernel sources given to startBrowserEngine; bundle every kernels/*.wgsl file`);
      return source;
    },
    tuneStore: localTuneStore(),
  };
}
