/**
 * Device: owns the GPUDevice, the buffer pool, the pipeline cache and the batcher.
 *
 * Its surface is small on purpose: create tensors from data, run a kernel, read back,
 * wait, report memory, destroy. Everything else (ops, gradients) is built above it.
 */
import { Batcher } from "./batcher.js";
import { Profiler, type KernelTime } from "./profiler.js";
import { currentPlatform, NoAdapterError, NoSuchAdapterError, type AdapterRequest } from "../platform/platform.js";
import { PipelineCache, type KernelSpec, type Overrides } from "./kernels.js";
import { BufferPool, sizeClass } from "./pool.js";
import { checkShape, formatShape, sizeOf, type Shape } from "./shape.js";
import { Storage, Tensor } from "./tensor.js";
import { WebGpuError } from "./gpu-error.js";
import { packParams, type ParamsLayout, type ParamValues } from "./uniforms.js";

export interface DeviceOptions {
  /**
   * Pick the adapter whose name contains this text, ignoring case (e.g. "llvmpipe",
   * "swiftshader"); when none does, the error lists the available names.
   */
  adapter?: string;
  /** Dawn backend, e.g. "vulkan" (Node only). */
  backend?: string;
  powerPreference?: GPUPowerPreference;
  /** Submit after every dispatch and report validation errors with the kernel's name (openDevice: env DEEPFILL_DEBUG=1). */
  debug?: boolean;
  /** Dispatches per submitted batch (openDevice: env DEEPFILL_SUBMIT_EVERY; default 64). */
  submitEvery?: number;
  /**
   * Time every kernel with timestamp queries (openDevice: env DEEPFILL_PROFILE=1); device.profile()
   * reports the totals. Needs the adapter's "timestamp-query" feature.
   */
  profile?: boolean;
}

export interface MemoryStats {
  liveTensors: number;
  bytesInUse: number;
  bytesPooled: number;
  buffersAllocated: number;
  pipelines: number;
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for CPU implementations such as lavapipe or SwiftShader. */
  isSoftware: boolean;
  /** Subgroup sizes the adapter may use (0 when it does not say). */
  subgroupMinSize: number;
  subgroupMaxSize: number;
}

export interface KernelRun<L extends ParamsLayout = ParamsLayout> {
  inputs: readonly GPUBuffer[];
  outputs: readonly GPUBuffer[];
  /** The uniform struct's fields by name (the kernel's declaration gives their order and types). */
  params: ParamValues<L>;
  workgroups: readonly [number, number, number];
  overrides?: Overrides;
}

export const SETUP_HINT =
  "No WebGPU adapter was found. On a machine without a GPU, install Mesa's software Vulkan driver (lavapipe): " +
  "run `npm run setup` (as root on Debian 12 it installs mesa-vulkan-drivers from bookworm-backports). " +
  "With a GPU, install its Vulkan driver. The adapter and backend options (DEEPFILL_ADAPTER, DEEPFILL_BACKEND, --adapter in the commands) select another one.";

/** The kinds of error the device catches in scopes of its own (see Device.collectErrors). */
const ERROR_SCOPES: GPUErrorFilter[] = ["validation", "out-of-memory", "internal"];

const WANTED_FEATURES: GPUFeatureName[] = ["shader-f16", "subgroups", "timestamp-query"];

export async function createDevice(options: DeviceOptions = {}): Promise<Device> {
  const { adapter: adapterName, backend, powerPreference } = options;
  const wanted = adapterName || backend ? ` matching ${JSON.stringify({ adapter: adapterName, backend })}` : "";
  const noAdapter = (detail: string) => new Error(SETUP_HINT.replace("was found", `was found${wanted}`) + detail);
  let request: AdapterRequest;
  try {
    request = await currentPlatform().requestAdapter({ adapter: adapterName, backend, powerPreference });
  } catch (error) {
    // A name that matches none of the listed adapters is answered with the list, a host that
    // has none (a browser without WebGPU) with its own fix; the setup hint is for machines
    // where Dawn refuses for other reasons.
    if (error instanceof NoSuchAdapterError || error instanceof NoAdapterError) throw error;
    throw noAdapter(` Dawn said: ${(error as Error).message}`);
  }
  const { gpu, adapter } = request;
  if (!adapter) throw noAdapter("");
  const limits = adapter.limits;
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const gpuDevice = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
      maxBufferSize: limits.maxBufferSize,
      maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: limits.maxComputeWorkgroupSizeY,
      maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
    },
  });
  const debug = options.debug ?? false;
  const submitEvery = debug ? 1 : options.submitEvery ?? 64;
  const info = adapter.info;
  const summary: AdapterSummary = {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isSoftware: /llvmpipe|lavapipe|swiftshader|software/i.test(`${info.architecture} ${info.device} ${info.description}`),
    subgroupMinSize: (info as { subgroupMinSize?: number }).subgroupMinSize ?? 0,
    subgroupMaxSize: (info as { subgroupMaxSize?: number }).subgroupMaxSize ?? 0,
  };
  const profile = options.profile ?? false;
  if (profile && !gpuDevice.features.has("timestamp-query")) {
    gpuDevice.destroy();
    throw new Error(`profiling needs the "timestamp-query" feature, which ${summary.description || "this adapter"} does not offer; run without profile / DEEPFILL_PROFILE`);
  }
  return new Device(gpu, gpuDevice, summary, debug, submitEvery, profile);
}

export class Device {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly batcher: Batcher;
  readonly features: ReadonlySet<string>;
  private liveTensors = 0;
  private destroyed = false;
  private readonly errors: string[] = [];
  private readonly staging = new Map<number, GPUBuffer[]>();
  private lastKernel = "";
  private readonly profiler: Profiler | null;

  constructor(
    /**
     * The binding's entry object: it runs the event loop that resolves GPU promises, so it must
     * stay referenced. Public so that other WebGPU code can ask it for this device's adapter.
     */
    readonly entry: GPU,
    readonly gpu: GPUDevice,
    readonly adapter: AdapterSummary,
    readonly debug: boolean,
    submitEvery: number,
    profile = false,
  ) {
    this.pool = new BufferPool(gpu);
    this.pipelines = new PipelineCache(gpu, debug);
    this.profiler = profile ? new Profiler(gpu, submitEvery) : null;
    this.batcher = new Batcher(gpu, this.pool, submitEvery, this.profiler);
    this.features = new Set(gpu.features);
    // Errors are caught by scopes that stay open between checks: an error no scope catches is
    // printed by Dawn on stdout, in the middle of the program's own output. The handler is the
    // fallback for any that escapes.
    for (const filter of ERROR_SCOPES) gpu.pushErrorScope(filter);
    gpu.onuncapturederror = (event) => {
      this.errors.push(`${event.error.message} (last kernel recorded: ${this.lastKernel || "none"})`);
    };
  }

  get limits(): GPUSupportedLimits {
    return this.gpu.limits;
  }

  /** A new tensor holding `data` (row-major). */
  tensor(data: ArrayLike<number>, shape: Shape): Tensor {
    this.checkAlive("tensor");
    checkShape(shape, "tensor");
    if (data.length !== sizeOf(shape)) {
      throw new Error(`tensor: ${data.length} values do not fill the shape ${formatShape(shape)} (${sizeOf(shape)} elements)`);
    }
    const tensor = this.empty(shape);
    // A fresh buffer: no recorded dispatch can still read it (the pool hands buffers out only
    // after the batch that used them was submitted), so no flush is needed.
    this.upload(tensor, data);
    return tensor;
  }

  /**
   * Replaces the values of an existing tensor in place (a checkpoint loader, a test setting
   * parameters). Dispatches recorded before the call see the old values: the open batch is
   * submitted first, so the queue runs them before the write lands.
   */
  write(tensor: Tensor, data: ArrayLike<number>): void {
    this.checkAlive("write");
    if (data.length !== tensor.size) {
      throw new Error(`write: ${data.length} values do not fill the tensor ${formatShape(tensor.shape)} (${tensor.size} elements)`);
    }
    this.flush();
    this.upload(tensor, data);
  }

  private upload(tensor: Tensor, data: ArrayLike<number>): void {
    const values = data instanceof Float32Array ? data : Float32Array.from(data);
    if (values.length > 0) this.gpu.queue.writeBuffer(tensor.buffer("write"), 0, values.buffer, values.byteOffset, values.byteLength);
  }

  /** A new tensor with unspecified contents, for kernels to write into. */
  empty(shape: Shape): Tensor {
    this.checkAlive("empty");
    return new Tensor(this, shape, new Storage(this.pool.acquire(sizeOf(shape) * 4)));
  }

  /** Records one kernel dispatch into the open batch. */
  run<L extends ParamsLayout>(spec: KernelSpec<L>, run: KernelRun<L>): void {
    this.checkAlive(spec.name);
    if (run.inputs.length !== spec.inputs.length || run.outputs.length !== spec.outputs.length) {
      throw new Error(`kernel ${spec.name}: expects ${spec.inputs.length} inputs and ${spec.outputs.length} outputs, got ${run.inputs.length} and ${run.outputs.length}`);
    }
    this.lastKernel = spec.name;
    const { pipeline, layout } = this.pipelines.get(spec, run.overrides);
    const uniforms = packParams(spec.params, run.params);
    const slot = this.batcher.uniformSlot(uniforms);
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: slot.buffer, size: uniforms.byteLength } }];
    [...run.inputs, ...run.outputs].forEach((buffer, i) => entries.push({ binding: i + 1, resource: { buffer } }));
    if (this.debug) this.gpu.pushErrorScope("validation");
    const bindGroup = this.gpu.createBindGroup({ layout, entries });
    this.batcher.dispatch(pipeline, bindGroup, slot.offset, run.workgroups, spec.name);
    if (this.debug) {
      const name = spec.name;
      void this.gpu.popErrorScope().then((error) => {
        if (error) this.errors.push(`kernel ${name}: ${error.message}`);
      });
    }
  }

  /** Submits everything recorded so far without waiting. */
  flush(): void {
    this.batcher.submit();
  }

  /** Submits and waits until the GPU finished all of it. */
  async sync(): Promise<void> {
    this.checkAlive("sync");
    this.batcher.submit();
    await this.wait(this.gpu.queue.onSubmittedWorkDone());
    if (this.profiler) await this.wait(this.profiler.collect());
    await this.collectErrors();
    this.throwRecordedErrors();
  }

  /**
   * GPU time per kernel since the last call (or since creation), longest first; waits for
   * the work submitted so far. Only on a device created with `profile`.
   */
  async profile(): Promise<KernelTime[]> {
    if (!this.profiler) throw new Error("profile: this device was created without profiling; pass createDevice({ profile: true }) or set DEEPFILL_PROFILE=1");
    await this.sync();
    const report = this.profiler.report();
    this.profiler.reset();
    return report;
  }

  async read(tensor: Tensor): Promise<Float32Array> {
    this.checkAlive("read");
    const source = tensor.buffer("read");
    const bytes = tensor.size * 4;
    if (bytes === 0) return new Float32Array(0);
    const size = sizeClass(bytes);
    const staging =
      this.staging.get(size)?.pop() ??
      this.gpu.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.batcher.copyEncoder().copyBufferToBuffer(source, 0, staging, 0, bytes);
    this.batcher.submit();
    try {
      await this.wait(staging.mapAsync(GPUMapMode.READ, 0, bytes));
    } catch (error) {
      await this.collectErrors();
      this.throwRecordedErrors();
      throw error;
    }
    const values = new Float32Array(staging.getMappedRange(0, bytes).slice(0));
    staging.unmap();
    let list = this.staging.get(size);
    if (!list) this.staging.set(size, (list = []));
    list.push(staging);
    await this.collectErrors();
    this.throwRecordedErrors();
    return values;
  }

  memory(): MemoryStats {
    return { liveTensors: this.liveTensors, ...this.pool.stats(), pipelines: this.pipelines.size };
  }

  /** Frees pooled buffers that no tensor uses. */
  trim(): void {
    this.pool.trim();
  }

  /** Releases the GPU device; the process can exit once every device is destroyed. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.batcher.destroy();
    this.gpu.destroy();
  }

  /** @internal bookkeeping called by Tensor. */
  onTensorCreated(): void {
    this.liveTensors++;
  }

  /** @internal bookkeeping called by Tensor. */
  onTensorReleased(storage: Storage): void {
    this.liveTensors--;
    if (--storage.refs === 0 && !this.destroyed) this.pool.release(storage.buffer);
  }

  /** Awaits a GPU promise the platform's way (Node: without spinning a core). */
  private wait<T>(promise: Promise<T>): Promise<T> {
    return currentPlatform().waitForGpu(promise);
  }

  private checkAlive(what: string): void {
    if (this.destroyed) throw new Error(`${what}: the device was destroyed; create a new one with createDevice()`);
  }

  /** Closes the error scopes (each holds the first error of its kind since the last check) and opens new ones. */
  private async collectErrors(): Promise<void> {
    const kernel = this.lastKernel || "none";
    const closed = ERROR_SCOPES.map(() => this.gpu.popErrorScope());
    for (const filter of ERROR_SCOPES) this.gpu.pushErrorScope(filter);
    for (const error of await this.wait(Promise.all(closed))) {
      if (error) this.errors.push(`${error.message} (last kernel recorded: ${kernel})`);
    }
  }

  private throwRecordedErrors(): void {
    if (this.errors.length === 0) return;
    throw new WebGpuError(this.errors.splice(0));
  }
}

/** Workgroup counts covering `count` invocations with `workgroupSize` lanes, within the 65535 limit per axis. */
export function gridFor(count: number, workgroupSize: number): [number, number, number] {
  const groups = Math.max(1, Math.ceil(count / workgroupSize));
  if (groups <= 65535) return [groups, 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}
