// export.js as a user runs it: a 2-iteration train.js run at 32x32 with widths 4/8, its
// generator exported to a pair of its own, which inpaint.js then loads and fills an image with;
// train.js refuses to resume from that pair; and every bad input is a one-line error with a
// non-zero exit that leaves the files as they were.
import t, { type Test } from "tap";
import { readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { loadCheckpoint } from "../src/checkpoint/checkpoint.js";
import { readRgb, writePng } from "../src/io/image.js";
import { maskImage, runTool, testImage, type CliResult } from "./inpaint-fixtures.js";
import { tempDir } from "./tempdir.js";
import { avatars } from "./train-fixtures.js";

const TINY = ["--no-tune", "--size", "32", "--batch", "1", "--cnum", "4", "--critic-cnum", "8", "--critic-steps", "1", "--log-every", "1", "--sample-every", "100"];

function oneLineError(t: Test, run: CliResult, tool: string, pattern: RegExp, status = 1): void {
  t.equal(run.status, status, `exit status ${status}`);
  t.equal(run.stderr.split("\n").length, 1, `one line: ${run.stderr}`);
  t.match(run.stderr, new RegExp(`^${tool}: ${pattern.source}`));
}

/** Every file under `dir` with its bytes, to show nothing changed. */
function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString("base64")]));
}

t.test("a trained run's generator, exported, is what inpaint.js loads; training cannot resume from it", async (t) => {
  const dir = tempDir(t);
  const trained = runTool("train", ["--data", avatars(t, 2), "--out", join(dir, "run"), ...TINY, "--steps", "2"]);
  t.equal(trained.status, 0, trained.stderr);

  const out = join(dir, "model", "demo.json");
  const exported = runTool("export", ["--checkpoint", join(dir, "run"), "--out", out]);
  t.equal(exported.status, 0, exported.stderr);
  t.match(exported.stdout, /demo\.safetensors \(\d+ tensors, [\d.]+ MiB\) and .*demo\.json: the cnum-4 generator of step 2/);
  t.same(readdirSync(join(dir, "model")).sort(), ["demo.json", "demo.safetensors"], "the pair and nothing else");

  const source = loadCheckpoint(join(dir, "run", "checkpoints"));
  const model = loadCheckpoint(out);
  const generatorNames = [...source.tensors.keys()].filter((name) => name.startsWith("generator."));
  t.ok(generatorNames.length > 0 && generatorNames.length < source.tensors.size, "the source also holds critics and moments");
  t.same([...model.tensors.keys()].sort(), generatorNames.sort(), "exactly the generator's tensors");
  for (const name of generatorNames) t.same(model.tensors.get(name)!.data, source.tensors.get(name)!.data, `${name} unchanged`);
  t.equal(model.step, 2);
  t.same((model.config as { model: unknown }).model, (source.config as { model: unknown }).model, "config.model as trained");
  t.ok(statSync(model.tensorsPath).size < statSync(source.tensorsPath).size / 2, "smaller than half the training checkpoint");

  // The pair travels: renamed folder, same files, still loads.
  renameSync(join(dir, "model"), join(dir, "moved"));
  writePng(join(dir, "in.png"), testImage(40, 30));
  writePng(join(dir, "mask.png"), maskImage(40, 30, [[5, 8, 10, 12]]));
  const filled = runTool("inpaint", ["--checkpoint", join(dir, "moved", "demo.json"), "--image", join(dir, "in.png"), "--mask", join(dir, "mask.png"), "--out", join(dir, "out.png")]);
  t.equal(filled.status, 0, filled.stderr);
  t.match(filled.stdout, /generator from .*demo\.json \(step 2\), regions run at up to 32x32 \(the training size\)/);
  const image = readRgb(join(dir, "out.png"));
  t.same([image.width, image.height], [40, 30], "the PNG is written at the input's size");

  const before = snapshot(join(dir, "moved"));
  const resumed = runTool("train", ["--resume", join(dir, "moved", "demo.json"), "--steps", "4"]);
  oneLineError(t, resumed, "train", /.*demo\.json is a generator exported by export\.js, .*resume from the training run's folder instead/);
  t.same(snapshot(join(dir, "moved")), before, "the refused resume left the pair as it was");
});

t.test("bad input: one line naming the problem and the fix, non-zero exit, nothing written", async (t) => {
  const dir = tempDir(t);
  const trained = runTool("train", ["--data", avatars(t, 2), "--out", join(dir, "run"), ...TINY, "--steps", "1"]);
  t.equal(trained.status, 0, trained.stderr);
  const checkpoints = join(dir, "run", "checkpoints");
  const sidecar = join(checkpoints, "step-000001.json");
  const before = snapshot(checkpoints);

  oneLineError(t, runTool("export", ["--checkpoint", checkpoints]), "export", /--out is required \(see export --help\)/, 2);
  oneLineError(t, runTool("export", ["--out", join(dir, "a.json")]), "export", /--checkpoint is required/, 2);
  oneLineError(t, runTool("export", ["--checkpoint", checkpoints, "--out", join(dir, "model.bin")]), "export", /--out .*model\.bin must end in \.json or \.safetensors .*e\.g\. --out demo\.json/);
  oneLineError(t, runTool("export", ["--checkpoint", join(dir, "nothing"), "--out", join(dir, "a.json")]), "export", /--checkpoint .*nothing does not exist; pass a run folder/);
  oneLineError(t, runTool("export", ["--checkpoint", dir, "--out", join(dir, "a.json")]), "export", /folder .* holds no checkpoint .*; pass a step-\*\.json sidecar/);
  oneLineError(t, runTool("export", ["--checkpoint", checkpoints, "--out", join(dir, "run")]), "export", /--out .*run must end in \.json or \.safetensors/);
  // The pair named by --out would replace the checkpoint it is read from.
  oneLineError(t, runTool("export", ["--checkpoint", sidecar, "--out", join(checkpoints, "step-000001.safetensors")]), "export", /--out would overwrite --checkpoint sidecar .*step-000001\.json .*write the results somewhere else/);
  oneLineError(t, runTool("export", ["--checkpoint", checkpoints, "--out", join(sidecar, "x.json")]), "export", /--out .*x\.json cannot be created: .*step-000001\.json is a file/);
  t.same(snapshot(checkpoints), before, "the checkpoint files are as they were");
  t.same(readdirSync(dir), ["run"], "no output was written");
});
