/**
 * Kernel loading and the pipeline cache.
 *
 * Every kernel is a static WGSL file `kernels/<name>.wgsl` with entry point `main` and one
 * binding convention: binding 0 is the uniform struct (shapes and op parameters, bound at a
 * dynamic offset into the batch's arena), then the inputs as read-only storage, then the
 * outputs as read-write storage. Tile and workgroup sizes are WGSL `override` constants, so
 * a pipeline is keyed by (kernel, override values) and never by concrete shapes.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface KernelSpec {
  /** File name in kernels/ without `.wgsl`. */
  name: string;
  /** Number of read-only storage inputs (bindings 1..inputs). */
  inputs: number;
  /** Number of read-write storage outputs (the bindings after the inputs). */
  outputs: number;
}

export type Overrides = Readonly<Record<string, number>>;

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

const kernelDir = findKernelDir();
const sources = new Map<string, string>();

export function kernelSource(name: string): string {
  let source = sources.get(name);
  if (source === undefined) {
    source = readFileSync(join(kernelDir, `${name}.wgsl`), "utf8");
    sources.set(name, source);
  }
  return source;
}

export interface CompiledKernel {
  spec: KernelSpec;
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
}

export class PipelineCache {
  private readonly pipelines = new Map<string, CompiledKernel>();
  private readonly layouts = new Map<string, GPUBindGroupLayout>();
  private readonly modules = new Map<string, GPUShaderModule>();

  constructor(
    private readonly device: GPUDevice,
    private readonly debug: boolean,
  ) {}

  get size(): number {
    return this.pipelines.size;
  }

  get(spec: KernelSpec, overrides: Overrides = {}): CompiledKernel {
    const key = `${spec.name}|${Object.entries(overrides).sort().map(([k, v]) => `${k}=${v}`).join(",")}`;
    let compiled = this.pipelines.get(key);
    if (!compiled) {
      const layout = this.layout(spec);
      const pipeline = this.device.createComputePipeline({
        label: key,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module: this.module(spec.name), entryPoint: "main", constants: { ...overrides } },
      });
      compiled = { spec, pipeline, layout };
      this.pipelines.set(key, compiled);
    }
    return compiled;
  }

  private module(name: string): GPUShaderModule {
    let module = this.modules.get(name);
    if (!module) {
      const code = kernelSource(name);
      module = this.device.createShaderModule({ label: name, code });
      if (this.debug) reportCompileErrors(module, name, code);
      this.modules.set(name, module);
    }
    return module;
  }

  private layout(spec: KernelSpec): GPUBindGroupLayout {
    const key = `${spec.inputs}:${spec.outputs}`;
    let layout = this.layouts.get(key);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform", hasDynamicOffset: true } },
      ];
      for (let i = 0; i < spec.inputs + spec.outputs; i++) {
        const type = i < spec.inputs ? "read-only-storage" : "storage";
        entries.push({ binding: i + 1, visibility: GPUShaderStage.COMPUTE, buffer: { type } });
      }
      layout = this.device.createBindGroupLayout({ entries });
      this.layouts.set(key, layout);
    }
    return layout;
  }
}

function reportCompileErrors(module: GPUShaderModule, name: string, code: string): void {
  void module.getCompilationInfo().then((info) => {
    for (const message of info.messages) {
      if (message.type !== "error") continue;
      const line = code.split("\n")[message.lineNum - 1] ?? "";
      console.error(`kernels/${name}.wgsl:${message.lineNum}:${message.linePos}: ${message.message}\n  ${line}`);
    }
  });
}
