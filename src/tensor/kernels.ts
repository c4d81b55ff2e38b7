/**
 * Kernel declarations, kernel loading and the pipeline cache.
 *
 * Every kernel is a static WGSL file `kernels/<name>.wgsl` (its text comes from the platform) with entry point `main` and one
 * binding convention: binding 0 is the uniform struct `Params` (shapes and op parameters,
 * bound at a dynamic offset into the batch's arena), then the inputs as read-only storage,
 * then the outputs as read-write storage. Tile and workgroup sizes are WGSL `override`
 * constants, so a pipeline is keyed by (kernel, override values) and never by concrete shapes.
 *
 * The contract between a kernel and its launcher (binding names and the `Params` fields) is
 * declared once, with `defineKernel` beside the launcher; test/kernel-contract.test.ts reads
 * every declaration and checks it against the WGSL text.
 */
import { currentPlatform } from "../platform/platform.js";
import type { ParamsLayout } from "./uniforms.js";

export interface KernelSpec<L extends ParamsLayout = ParamsLayout> {
  /** File name in kernels/ without `.wgsl`. */
  name: string;
  /** WGSL names of the read-only storage bindings 1..n, in order. */
  inputs: readonly string[];
  /** WGSL names of the read-write storage bindings after the inputs, in order. */
  outputs: readonly string[];
  /** The fields of `struct Params`, in order, with their WGSL types. */
  params: L;
}

const declared = new Map<string, KernelSpec>();

/** Declares a kernel's contract (once per kernel file) and returns it for the launcher. */
export function defineKernel<const L extends ParamsLayout>(spec: KernelSpec<L>): KernelSpec<L> {
  if (declared.has(spec.name)) throw new Error(`kernel ${spec.name} is declared twice`);
  declared.set(spec.name, spec);
  return spec;
}

/** Every kernel declared by the modules loaded so far. */
export function declaredKernels(): readonly KernelSpec[] {
  return [...declared.values()];
}

export type Overrides = Readonly<Record<string, number>>;

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
      const code = currentPlatform().kernelSource(name);
      module = this.device.createShaderModule({ label: name, code });
      if (this.debug) reportCompileErrors(module, name, code);
      this.modules.set(name, module);
    }
    return module;
  }

  private layout(spec: KernelSpec): GPUBindGroupLayout {
    const key = `${spec.inputs.length}:${spec.outputs.length}`;
    let layout = this.layouts.get(key);
    if (!layout) {
      const entries: GPUBindGroupLayoutEntry[] = [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform", hasDynamicOffset: true } },
      ];
      for (let i = 0; i < spec.inputs.length + spec.outputs.length; i++) {
        const type = i < spec.inputs.length ? "read-only-storage" : "storage";
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
