/**
 * Opens the GPU for the command-line programs, the benchmarks and the tests: the adapter that
 * --adapter names, else DEEPFILL_ADAPTER, on the backend DEEPFILL_BACKEND names. The one place
 * that reads the adapter's choice from the environment; the library's createDevice takes it
 * as options only.
 */
import { createDevice, type Device, type DeviceOptions } from "./tensor/device.js";

export function openDevice(adapter?: string, options: Omit<DeviceOptions, "adapter" | "backend"> = {}): Promise<Device> {
  const env = process.env;
  return createDevice({ ...options, adapter: adapter ?? (env.DEEPFILL_ADAPTER || undefined), backend: env.DEEPFILL_BACKEND || undefined });
}
