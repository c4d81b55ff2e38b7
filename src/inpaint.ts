/**
 * `node dist/inpaint.js`: fills the holes of your own images with a trained DeepFill generator.
 * See USAGE below; the work is done in infer/inpaint-image.ts.
 */
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { chunkSizeOption, parseOptions, required, runCli, UsageError } from "./infer/cli.js";
import { checkMask, flowImage, inpaint, readMask } from "./infer/inpaint-image.js";
import { loadGenerator } from "./infer/load-generator.js";
import { readRgb, writePng } from "./io/image.js";
import { createDevice } from "./tensor/device.js";
import { listImages } from "./train/data.js";

const USAGE = `
Fill the holes of an image with a trained DeepFill v1 generator.

  node dist/inpaint.js --checkpoint RUN/checkpoints --image in.png --mask mask.png --out out.png [--flow flow.png]
  node dist/inpaint.js --checkpoint RUN/checkpoints --images DIR --masks DIR --out DIR [--flow DIR]

  --checkpoint PATH  a step-*.json sidecar, its .safetensors, or a run or checkpoints folder (its newest checkpoint)
  --image FILE       PNG or JPEG, any size (mirror-padded to a multiple of 8, cropped back)
  --mask FILE        same size as the image; white (grey > 127.5) = hole, black = keep; any shape
  --out FILE|DIR     the completed PNG (known pixels are copied unchanged), or a folder in batch mode
  --flow FILE|DIR    also write the attention flow (colour = direction and distance of the copied patch)
  --images DIR       batch mode: every PNG/JPEG under DIR ...
  --masks DIR        ... paired with the mask of the same relative name (any of .png .jpg .jpeg)
  --chunk-size N     contextual attention's foreground positions per chunk (default auto: from the GPU's limits)
`;

const OPTIONS = {
  checkpoint: { type: "string" }, image: { type: "string" }, mask: { type: "string" }, out: { type: "string" },
  flow: { type: "string" }, images: { type: "string" }, masks: { type: "string" }, "chunk-size": { type: "string" },
} as const;

interface Job {
  image: string;
  mask: string;
  out: string;
  flow?: string;
}

async function main(args: string[]): Promise<void> {
  const values = parseOptions(args, OPTIONS);
  const checkpoint = required(values, "checkpoint");
  const out = required(values, "out");
  const flow = values.flow as string | undefined;
  const batch = values.images !== undefined || values.masks !== undefined;
  if (batch && (values.image !== undefined || values.mask !== undefined)) throw new UsageError("use either --image/--mask or --images/--masks, not both");
  const jobs = batch ? pairFolders(required(values, "images"), required(values, "masks"), out, flow) : [{ image: required(values, "image"), mask: required(values, "mask"), out, flow }];
  // Read and check every input before the (slow) model load, so a bad pair fails at once.
  for (const job of jobs) checkMask(readRgb(job.image), readMask(job.mask), { image: job.image, mask: `mask ${job.mask}` });
  const device = await createDevice();
  try {
    const { generator, step, sidecarPath } = loadGenerator(device, checkpoint, { chunkSize: chunkSizeOption(values) });
    console.log(`generator from ${sidecarPath} (step ${step})`);
    for (const job of jobs) {
      const started = performance.now();
      const image = readRgb(job.image);
      const result = await inpaint(generator, image, readMask(job.mask));
      mkdirSync(dirname(job.out), { recursive: true });
      writePng(job.out, result.image);
      if (job.flow) {
        mkdirSync(dirname(job.flow), { recursive: true });
        writePng(job.flow, flowImage(result));
      }
      console.log(`${job.out} (${image.width}x${image.height}, ${((performance.now() - started) / 1000).toFixed(2)} s)`);
    }
    generator.dispose();
  } finally {
    device.destroy();
  }
}

/** Image/mask pairs of two folders, matched by relative path without the extension. */
function pairFolders(imagesDir: string, masksDir: string, outDir: string, flowDir: string | undefined): Job[] {
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new UsageError(`--out ${outDir} is a file; batch mode writes into a folder`);
  const key = (root: string, path: string) => relative(root, path).replace(/\.(png|jpe?g)$/i, "");
  const masks = new Map(listImages(masksDir).map((path) => [key(masksDir, path), path]));
  return listImages(imagesDir).map((image) => {
    const name = key(imagesDir, image);
    const mask = masks.get(name);
    if (!mask) throw new Error(`image ${image} has no mask ${join(masksDir, name)}.png (or .jpg/.jpeg); add one or remove the image`);
    return { image, mask, out: join(outDir, `${name}.png`), flow: flowDir === undefined ? undefined : join(flowDir, `${name}.png`) };
  });
}

await runCli("inpaint", USAGE, main);
