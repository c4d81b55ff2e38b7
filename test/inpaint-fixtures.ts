/**
 * Fixtures for the inference tools' tests: a tiny generator saved as a checkpoint the way the
 * trainer's contract says (generator.* tensors, config.model), synthetic images and masks, and
 * a runner for the command-line tools as child processes.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Generator, type Device } from "../src/index.js";
import type { RgbImage } from "../src/io/rgb-image.js";
import { saveCheckpoint } from "../src/checkpoint/checkpoint.js";

export const TINY_MODEL = { cnum: 4, criticCnum: 4, height: 32, width: 32, attention: { softmaxScale: 10, fuseK: 3, sharedMask: true } };

/** Saves a cnum-4 generator (seed `seed`) with the contract's config into `dir`; returns the sidecar path. */
export async function tinyCheckpoint(device: Device, dir: string, seed = 1, model: unknown = TINY_MODEL): Promise<string> {
  const generator = new Generator(device, { cnum: 4, seed });
  try {
    const files = await saveCheckpoint(dir, { step: 5, tensors: generator.parameters, config: { model, preset: "test" } });
    return files.sidecarPath;
  } finally {
    generator.dispose();
  }
}

/** A smooth colourful test image with some texture, so fills differ from it. */
export function testImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = 3 * (y * width + x);
      data[p] = (x * 7 + y * 3) % 256;
      data[p + 1] = (128 + 100 * Math.sin(x / 3) * Math.cos(y / 4)) | 0;
      data[p + 2] = ((x ^ y) * 9) % 256;
    }
  }
  return { width, height, data };
}

/** A mask image (white holes on black) with the given rectangles [top, left, height, width]. */
export function maskImage(width: number, height: number, boxes: [number, number, number, number][]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (const [top, left, h, w] of boxes) {
    for (let y = top; y < top + h; y++) data.fill(255, 3 * (y * width + left), 3 * (y * width + left + w));
  }
  return { width, height, data };
}

const BUILD_SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

export interface CliResult {
  status: number | null;
  stdout: string;
  /** stderr without Dawn's adapter warnings, which are not ours. */
  stderr: string;
}

/** Runs build/src/<tool>.js with `args` (and `env` added to this process's environment) and waits for it. */
export function runTool(tool: string, args: string[], env: Record<string, string> = {}): CliResult {
  const result = spawnSync(process.execPath, [join(BUILD_SRC, `${tool}.js`), ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, ...env } });
  const stderr = result.stderr.split("\n").filter((line) => line !== "" && !line.startsWith("Warning: ")).join("\n");
  return { status: result.status, stdout: result.stdout, stderr };
}
