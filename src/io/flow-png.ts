/** Attention flow written as a PNG file (Node); flow.ts draws it. */
import { flowPicture } from "./flow.js";
import { writePng } from "./image.js";

/** Writes flowPicture(offsets, shape, factor) to `path` as a PNG. */
export function writeFlowPng(path: string, offsets: Float32Array, shape: readonly number[], factor = 1): void {
  writePng(path, flowPicture(offsets, shape, factor));
}
