/**
 * Whether this browser can run the engine, and if not, a message that says what to turn on,
 * so a browser without WebGPU shows instructions instead of a blank page.
 */
export type GpuCheck = { ok: true; adapter: GPUAdapter } | { ok: false; message: string };

export const ENABLE_WEBGPU =
  "Use Chrome or Edge 113 or later (on Linux start Chromium with --enable-unsafe-webgpu --enable-features=Vulkan), " +
  "Safari 26 or later, or Firefox 141 or later on Windows (elsewhere set dom.webgpu.enabled in about:config).";

export async function checkWebGpu(): Promise<GpuCheck> {
  if (!window.isSecureContext) {
    return { ok: false, message: `WebGPU needs a secure page: open it as http://localhost:PORT or over https, not ${location.origin}.` };
  }
  if (!("gpu" in navigator) || !navigator.gpu) return { ok: false, message: `This browser has no WebGPU. ${ENABLE_WEBGPU}` };
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch (error) {
    return { ok: false, message: `WebGPU refused an adapter (${(error as Error).message}). ${ENABLE_WEBGPU}` };
  }
  if (!adapter) {
    return { ok: false, message: "WebGPU is present but offers no adapter: turn on hardware acceleration in the browser's settings, or check chrome://gpu for a blocked GPU (--enable-unsafe-webgpu overrides the block list)." };
  }
  return { ok: true, adapter };
}
