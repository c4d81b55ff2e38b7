/**
 * Which tunable shapes a piece of work runs. While recordTunables() runs its work, every
 * convolution and matrix product that picks its kernel by shape class (variant "auto", no
 * forced kernel) notes its shape, each distinct one once, with its class, so the classes can
 * be timed (tune-shapes.ts) before the real work starts. Recording costs nothing when inactive.
 */
import type { ConvDirection } from "./conv.js";
import type { ConvParams } from "./conv-params.js";

type Shape4 = readonly [number, number, number, number];

/** One shape of a tuning class; `key` is the class, as tunedChoice() looks it up. */
export type TunableShape =
  | { op: "conv"; key: string; direction: ConvDirection; input: Shape4; weight: Shape4; params: ConvParams }
  | { op: "matmul"; key: string; m: number; n: number; k: number };

let recording: Map<string, TunableShape> | null = null;

/** Called by the ops when they look a class up; `shape` is only built while recording. */
export function noteTunable(shape: () => TunableShape): void {
  if (!recording) return;
  const noted = shape();
  const id = JSON.stringify(noted);
  if (!recording.has(id)) recording.set(id, noted);
}

/** Runs `work` and returns the distinct tunable shapes it ran, in first-use order (several may share a class). */
export function recordTunables(work: () => void): TunableShape[] {
  const outer = recording;
  const seen = new Map<string, TunableShape>();
  recording = seen;
  try {
    work();
  } finally {
    recording = outer;
  }
  return [...seen.values()];
}
