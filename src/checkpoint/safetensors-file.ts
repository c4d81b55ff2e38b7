/** Safetensors files (Node): safetensors.ts's bytes, written atomically and read back with its checks. */
import { readFileSync } from "node:fs";
import { atomicWrite } from "../io/atomic.js";
import { decodeSafetensors, encodeSafetensors, type HostTensor, type SafetensorsContents } from "./safetensors.js";

/** Writes tensors (and string metadata) to `path` as safetensors, atomically. */
export function writeSafetensors(path: string, tensors: ReadonlyMap<string, HostTensor>, metadata: Record<string, string> = {}): void {
  atomicWrite(path, ...encodeSafetensors(tensors, metadata));
}

/** Reads and validates a safetensors file of float32 tensors. */
export function readSafetensors(path: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message} (check the path)`);
  }
  return decodeSafetensors(bytes, path);
}
