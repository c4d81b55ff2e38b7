/**
 * The Node platform: the one place that touches the `webgpu` package (Dawn's Node bindings),
 * reads the kernels from the package's kernels/ folder and keeps the tuning cache in a JSON
 * file (defaultTuneCache). The Node entry points install it (installNodePlatform).
 *
 * Two quirks of the binding are handled here:
 * - The object returned by `create()` must not live on `globalThis`, or the process never
 *   exits; we keep it in this module.
 * - While a `mapAsync` or `onSubmittedWorkDone` promise is pending, the binding re-posts its
 *   event processing with `setImmediate`, which keeps a whole core busy. On a software
 *   adapter that core is one the driver needs (lavapipe ran kernels 1.3-2x faster without
 *   it). `quietly()` swaps `setImmediate` for a 1 ms timer while one of our waits is pending.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { create, globals } from "webgpu";
import { installPlatform, NoSuchAdapterError, type AdapterChoice, type AdapterRequest, type ListedAdapter, type Platform } from "./platform.js";

Object.assign(globalThis, globals);
// Mesa prints an error at start-up without a runtime folder; any writable folder will do.
process.env.XDG_RUNTIME_DIR ??= "/tmp";

function createGpu(options: { adapter?: string; backend?: string }): GPU {
  const flags: string[] = [];
  if (options.adapter) flags.push(`adapter=${options.adapter}`);
  if (options.backend) flags.push(`backend=${options.backend}`);
  return create(flags);
}

/**
 * Asks Dawn for an adapter, the one whose name contains `options.adapter` when it is given.
 * Dawn's own filter compares names case-sensitively ("llvmpipe (LLVM 15.0.6, 256 bits)",
 * "SwiftShader Device (Subzero)"); when it finds nothing, its rejection lists every adapter,
 * and the name is looked up there again ignoring case, so "swiftshader" works too. With no
 * match, the error is one line listing the available names.
 */
async function requestAdapter(options: AdapterChoice): Promise<AdapterRequest> {
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
async function quietly<T>(promise: Promise<T>): Promise<T> {
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

/** Finds the package's kernels/ folder, wherever the compiled code lives below the root. */
function findKernelDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "kernels");
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error("deepfill-webgpu: cannot find the kernels/ folder above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

let kernelDir: string | null = null;
const sources = new Map<string, string>();

function kernelSource(name: string): string {
  let source = sources.get(name);
  if (source === undefined) {
    kernelDir ??= findKernelDir();
    source = readFileSync(join(kernelDir, `${name}.wgsl`), "utf8");
    sources.set(name, source);
  }
  return source;
}

/** The tuning cache as a JSON file (DEEPFILL_TUNE_CACHE), replaced atomically on every save. */
function tuneFile(file: string): NonNullable<Platform["tuneStore"]> {
  return {
    load() {
      if (!existsSync(file)) return {};
      try {
        return JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
      } catch (error) {
        throw new Error(`autotune: cannot read the tuning cache ${file} (${(error as Error).message}); delete it or fix DEEPFILL_TUNE_CACHE`);
      }
    },
    save(entries) {
      const temporary = `${file}.${process.pid}.tmp`;
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(temporary, JSON.stringify(entries, null, 1));
        renameSync(temporary, file);
      } catch (error) {
        throw new Error(`autotune: cannot write the tuning cache ${file} (${(error as Error).message}); set DEEPFILL_TUNE_CACHE to a writable file, or to off`);
      }
    },
  };
}

/**
 * The tuning cache file: DEEPFILL_TUNE_CACHE, or "off" for none (choices last one process);
 * unset: deepfill-webgpu/tune.json in $XDG_CACHE_HOME (~/.cache when that is unset), so that
 * every run on this machine after the first finds its adapter's winners.
 */
export function defaultTuneCache(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const named = env.DEEPFILL_TUNE_CACHE;
  if (named === "off") return undefined;
  if (named) return named;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "deepfill-webgpu", "tune.json");
}

/** The Node platform; `tuneCache` names the tuning cache file (default: defaultTuneCache(), none when undefined). */
export function nodePlatform(tuneCache = defaultTuneCache()): Platform {
  return { requestAdapter, waitForGpu: quietly, kernelSource, tuneStore: tuneCache ? tuneFile(tuneCache) : undefined };
}

/** Installs the Node platform (the Node entry points call this on import). */
export function installNodePlatform(): void {
  installPlatform(nodePlatform());
}
