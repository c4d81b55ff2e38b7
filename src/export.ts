/**
 * `node dist/export.js`: writes the generator of a training checkpoint as a model of its own,
 * the pair inpaint.js and eval.js load (see infer/export-generator.ts). Needs no GPU.
 */
import { statSync } from "node:fs";
import { parseFlags, required, runCli, usage, type Flag } from "./cli/args.js";
import { exportGenerator, exportSidecarPath } from "./infer/export-generator.js";
import { checkCheckpointPath, checkOutputFile } from "./io/paths.js";

interface Options {
  checkpoint?: string;
  out?: string;
}

const FLAGS: Flag<Options>[] = [
  { name: "--checkpoint", value: "PATH", help: "the training checkpoint: a step-*.json sidecar, its .safetensors, or a run or checkpoints folder (its newest checkpoint)", parse: (v, _, o) => void (o.checkpoint = v) },
  { name: "--out", value: "FILE", help: "NAME.json or NAME.safetensors: the pair NAME.safetensors (the generator's weights) and NAME.json (its sidecar) is written, replacing an older pair", parse: (v, _, o) => void (o.out = v) },
];

const HELP = usage(`
Write the generator of a training checkpoint on its own, without the critics and the optimizer
state: the model to ship, which inpaint.js and eval.js take as --checkpoint NAME.json.

  node dist/export.js --checkpoint RUN --out model.json
`, FLAGS);

async function main(args: string[]): Promise<void> {
  const options = parseFlags(args, FLAGS, {});
  const checkpoint = required(options.checkpoint, "--checkpoint");
  const sidecar = exportSidecarPath(required(options.out, "--out"));
  checkCheckpointPath(checkpoint, "--checkpoint");
  checkOutputFile(sidecar, "--out");
  checkOutputFile(sidecar.replace(/\.json$/, ".safetensors"), "--out");
  const exported = await exportGenerator(checkpoint, sidecar);
  const mib = (statSync(exported.tensorsPath).size / 2 ** 20).toFixed(2);
  console.log(`wrote ${exported.tensorsPath} (${exported.tensors} tensors, ${mib} MiB) and ${exported.sidecarPath}: the cnum-${exported.cnum} generator of step ${exported.step}`);
}

await runCli("export", HELP, main);
