// Every command checks its arguments and paths before it opens the GPU: a usage error exits 2
// and a bad path exits 1, each with one line on stderr and nothing else, so no Dawn start-up
// output either (that would mean the device was opened first). Outputs never replace inputs.
import t, { type Test } from "tap";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writePng } from "../src/io/image.js";
import { maskImage, testImage } from "./inpaint-fixtures.js";
import { mountTmpfs, tempDir } from "./tempdir.js";

const BUILD_SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

/** Runs build/src/<tool>.js and asserts the exit status and that stderr is exactly one line matching `pattern`. */
function refused(t: Test, tool: string, args: string[], status: number, pattern: RegExp): void {
  const run = spawnSync(process.execPath, [join(BUILD_SRC, `${tool}.js`), ...args], { encoding: "utf8", timeout: 60_000 });
  t.equal(run.status, status, `${tool} ${args.join(" ")}: exit ${status}`);
  t.match(run.stderr, pattern);
  t.equal(run.stderr.trimEnd().split("\n").length, 1, `one line and no Dawn output: ${run.stderr}`);
}

const dir = tempDir(t);
const data = join(dir, "data");
mkdirSync(data);
writePng(join(data, "a.png"), testImage(16, 16));
writePng(join(dir, "mask.png"), maskImage(16, 16, [[2, 2, 4, 4]]));
writeFileSync(join(dir, "file"), "a file where a folder should be");
writeFileSync(join(dir, "x.png"), "not a checkpoint");

t.test("usage errors exit 2 without opening the GPU", async (t) => {
  const io = ["--image", join(data, "a.png"), "--mask", join(dir, "mask.png"), "--out", join(dir, "out.png")];
  refused(t, "inpaint", ["--checkpoint", dir, ...io, "--chunk-size", "x"], 2, /^inpaint: --chunk-size takes an integer/);
  refused(t, "eval", ["--data", data, "--chunk-size", "x"], 2, /^eval: --chunk-size takes an integer/);
  refused(t, "train", ["--steps", "x"], 2, /^train: --steps takes an integer/);
});

t.test("bad paths are one line naming the path and the fix, before the GPU is opened", async (t) => {
  refused(t, "train", ["--resume", join(dir, "x.png")], 1, /^train: --resume .*x\.png is not a checkpoint .*; pass a run folder, its checkpoints\/ folder/);
  refused(t, "train", ["--data", data, "--out", join(dir, "file")], 1, /^train: --out .*file is a file, but the results go into a folder/);
  refused(t, "train", ["--data", data, "--out", join(dir, "file", "run")], 1, /^train: --out .*file\/run cannot be created: .*file is a file, not a folder/);
  refused(t, "train", ["--data", data, "--out", ""], 1, /^train: --out is empty; pass a folder name/);
  refused(t, "train", ["--data", join(dir, "nowhere")], 1, /^train: data folder .*nowhere does not exist/);
  refused(t, "inpaint", ["--checkpoint", join(dir, "x.png"), "--image", join(data, "a.png"), "--mask", join(dir, "mask.png"), "--out", join(dir, "out.png")], 1,
    /^inpaint: --checkpoint .*x\.png is not a checkpoint/);
  refused(t, "eval", ["--data", data, "--out", ""], 1, /^eval: --out is empty/);
  refused(t, "eval", ["--data", data, "--out", join(dir, "file")], 1, /^eval: --out .*file is a file, but the results go into a folder/);
  refused(t, "eval", ["--data", data, "--checkpoint", join(dir, "x.png")], 1, /^eval: --checkpoint .*x\.png is not a checkpoint/);
  writeFileSync(join(dir, "log.jsonl"), '{"step": 1, "loss": 2}\n');
  refused(t, "report", ["--log", join(dir, "log.jsonl"), "--out", join(dir, "file")], 1, /^report: --out .*file is a file, but the results go into a folder/);
});

t.test("eval.js and report.js never write over their inputs", async (t) => {
  const before = readFileSync(join(data, "a.png"));
  writePng(join(data, "examples.png"), testImage(16, 16));
  refused(t, "eval", ["--data", data, "--count", "1", "--out", data], 1, /^eval: --out would overwrite --data image .*data\/examples\.png/);
  writeFileSync(join(dir, "loss.png"), '{"step": 1, "loss": 2}\n');
  refused(t, "report", ["--log", join(dir, "loss.png"), "--out", dir], 1, /^report: the chart of "loss" would overwrite --log .*loss\.png/);
  writeFileSync(join(dir, "two.jsonl"), '{"step": 1, "g loss": 2, "g_loss": 3}\n');
  refused(t, "report", ["--log", join(dir, "two.jsonl"), "--out", join(dir, "charts")], 1, /^report: the chart of "g loss" and the chart of "g_loss" would both be written to .*g_loss\.png/);
  t.same(readFileSync(join(data, "a.png")), before);
  t.equal(readFileSync(join(dir, "loss.png"), "utf8"), '{"step": 1, "loss": 2}\n', "the log is untouched");
});

const readOnly = mountTmpfs(t, "read-only", "ro,size=1m");
t.test("a read-only run folder is named as such", { skip: "why" in readOnly ? readOnly.why : false }, async (t) => {
  const mountPoint = (readOnly as { dir: string }).dir;
  refused(t, "train", ["--data", data, "--out", join(mountPoint, "run")], 1, /^train: --out .*read-only\/run cannot be written: folder .*read-only is on a read-only file system/);
  refused(t, "report", ["--log", join(dir, "log.jsonl"), "--out", join(mountPoint, "charts")], 1, /^report: --out .*charts cannot be written: .* read-only file system/);
});
