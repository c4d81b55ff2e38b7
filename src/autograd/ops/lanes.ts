/**
 * Whether the "lanes" kernels (matmul_lanes, conv2d_lanes) may run: they are written for
 * CPU adapters whose subgroups are exactly 8 lanes (one AVX2 vector); an AVX-512 build of
 * llvmpipe would have 16 and get wrong results, and on a GPU a workgroup of 8 wastes most
 * of a SIMD unit.
 */
import type { Device } from "../../tensor/device.js";

export function lanesFits(device: Device): boolean {
  const { isSoftware, subgroupMinSize, subgroupMaxSize } = device.adapter;
  return isSoftware && device.features.has("subgroups") && subgroupMinSize === 8 && subgroupMaxSize === 8;
}

export function lanesUnavailable(op: string, device: Device, instead: string): Error {
  return new Error(`${op}: the lanes kernel needs the "subgroups" feature with subgroups of exactly 8 lanes, which ${device.adapter.description || "this adapter"} does not promise; use ${instead}`);
}
