/**
 * Whether the "lanes" kernels (matmul_lanes, conv2d_lanes) may run: they are written for
 * CPU adapters whose subgroups are exactly 8 lanes (one AVX2 vector); an AVX-512 build of
 * llvmpipe would have 16 and SwiftShader has 4, and either would get wrong results; on a
 * GPU a workgroup of 8 wastes most of a SIMD unit.
 */
import type { Device } from "../../tensor/device.js";

/** Why the lanes kernels cannot run on `device`, or null when they can. */
export function lanesMissing(device: Device): string | null {
  const { isSoftware, subgroupMinSize, subgroupMaxSize, description } = device.adapter;
  const adapter = description || "this adapter";
  if (!isSoftware) return `${adapter} is not a CPU adapter, and the lanes kernels are built for one`;
  if (!device.features.has("subgroups")) return `${adapter} does not offer the "subgroups" feature`;
  if (subgroupMinSize !== 8 || subgroupMaxSize !== 8) {
    const width = subgroupMinSize === subgroupMaxSize ? `${subgroupMinSize}` : `${subgroupMinSize} to ${subgroupMaxSize}`;
    return `${adapter} has subgroups of ${width} lanes, and the lanes kernels need exactly 8`;
  }
  return null;
}

export function lanesFits(device: Device): boolean {
  return lanesMissing(device) === null;
}

export function lanesUnavailable(op: string, device: Device, instead: string): Error {
  return new Error(`${op}: the lanes kernel cannot run here: ${lanesMissing(device)}; use ${instead}`);
}
