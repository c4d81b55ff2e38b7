/**
 * Opens the GPU for the command-line programs, the benchmarks and the tests: the adapter that
 * --adapter names, else DEEPFILL_ADAPTER, on the backend DEEPFILL_BACKEND names. The one place
 * that reads the adapter's choice from the environment; the library's createDevice takes it
 * as options only.
 */
import { createDevice, type Device, type DeviceOptions } from "./tensor/device.js";

/** What --adapter does, for the commands' help (train's flag table, below this layer, says it in its own line). */
export const ADAPTER_HELP =
  "the adapter whose name contains NAME, ignoring case, e.g. llvmpipe or swiftshader (default: DEEPFILL_ADAPTER, else the first); " +
  "a name that matches none lists the available ones";

export function openDevice(adapter?: string, options: Omit<DeviceOptions, "adapter" | "backend"> = {}): Promise<Device> {
  const env = process.env;
  return createDevice({ ...options, adapter: adapter ?? (env.DEEPFILL_ADAPTER || undefined), backend: env.DEEPFILL_BACKEND || undefined });
}
