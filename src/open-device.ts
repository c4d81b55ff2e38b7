/**
 * Opens the GPU for the command-line programs, the benchmarks and the tests: the adapter that
 * --adapter names, else DEEPFILL_ADAPTER, on the backend DEEPFILL_BACKEND names, with
 * DEEPFILL_DEBUG=1, DEEPFILL_SUBMIT_EVERY and DEEPFILL_PROFILE=1 as defaults for the options
 * not given. The one place that reads the device's settings from the environment; the
 * library's createDevice takes them as options only. Importing it installs the Node platform.
 */
import { installNodePlatform } from "./platform/node.js";
import { createDevice, type Device, type DeviceOptions } from "./tensor/device.js";

installNodePlatform();

export function openDevice(adapter?: string, options: Omit<DeviceOptions, "adapter" | "backend"> = {}): Promise<Device> {
  const env = process.env;
  return createDevice({
    debug: env.DEEPFILL_DEBUG === "1",
    submitEvery: Number(env.DEEPFILL_SUBMIT_EVERY) || undefined,
    profile: env.DEEPFILL_PROFILE === "1",
    ...options,
    adapter: adapter ?? (env.DEEPFILL_ADAPTER || undefined),
    backend: env.DEEPFILL_BACKEND || undefined,
  });
}
