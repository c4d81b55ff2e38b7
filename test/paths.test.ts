// Up-front path checks (src/io/paths.ts): outputs that cannot be written get one line naming
// the path and the fix, and an output that is an input, or two outputs on one file, are
// refused however the paths are spelled (./, symlinked files and folders, hard links).
import t from "tap";
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkCheckpointPath, checkOutputFile, checkOutputFolder, refuseOverwrites } from "../src/io/paths.js";
import { mountTmpfs, tempDir } from "./tempdir.js";

t.test("outputs that cannot be written are named with the fix", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "file"), "x");
  mkdirSync(join(dir, "folder"));
  t.throws(() => checkOutputFile(join(dir, "folder"), "--out"), /^--out .*folder is a folder; pass a file name, e\.g\. .*folder\/out\.png$/);
  t.throws(() => checkOutputFile(join(dir, "file", "a", "out.png"), "--out"), /^--out .*file\/a\/out\.png cannot be created: .*file is a file, not a folder; pass a path under a folder$/);
  t.throws(() => checkOutputFolder(join(dir, "file"), "--out"), /^--out .*file is a file, but the results go into a folder; pass a folder name/);
  t.throws(() => checkOutputFolder(join(dir, "file", "sub"), "--out"), /cannot be created: .*file is a file, not a folder/);
  t.throws(() => checkOutputFolder("", "--out"), /^--out is empty; pass a folder name \(use \. for the current folder\)$/);
  t.throws(() => checkOutputFile("", "--flow"), /^--flow is empty; pass a file name such as out\.png/);
  t.doesNotThrow(() => checkOutputFile(join(dir, "new", "deeper", "out.png"), "--out"), "missing folders are created later");
  t.doesNotThrow(() => checkOutputFolder(join(dir, "folder"), "--out"));
  t.doesNotThrow(() => checkOutputFile(join(dir, "file"), "--out"), "an existing output file is replaced");
});

t.test("a checkpoint path is a folder, a .json or a .safetensors", async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, "x.png"), "x");
  writeFileSync(join(dir, "step-000001.json"), "{}");
  t.throws(() => checkCheckpointPath(join(dir, "x.png"), "--resume"), /^--resume .*x\.png is not a checkpoint \(neither a folder nor a \.json or \.safetensors file\); pass a run folder/);
  t.throws(() => checkCheckpointPath(join(dir, "none"), "--checkpoint"), /^--checkpoint .*none does not exist; pass a run folder/);
  t.throws(() => checkCheckpointPath("", "--checkpoint"), /^--checkpoint is empty; pass a run folder/);
  t.doesNotThrow(() => checkCheckpointPath(join(dir, "step-000001.json"), "--checkpoint"));
  t.doesNotThrow(() => checkCheckpointPath(dir, "--checkpoint"));
});

t.test("an output that is an input is refused, however it is spelled", async (t) => {
  const dir = tempDir(t);
  const input = join(dir, "a.png");
  writeFileSync(input, "original");
  symlinkSync(input, join(dir, "link.png"));
  symlinkSync(dir, join(dir, "linked-folder"));
  linkSync(input, join(dir, "hard.png"));
  const inputs = [{ path: input, what: "--image" }];
  for (const spelling of [`${dir}/./a.png`, `${dir}/sub/../a.png`, join(dir, "link.png"), join(dir, "linked-folder", "a.png"), join(dir, "hard.png")]) {
    t.throws(() => refuseOverwrites([{ path: spelling, what: "--out" }], inputs), /^--out would overwrite --image .*a\.png \(.* is that file\); write the results somewhere else$/, spelling);
  }
  t.doesNotThrow(() => refuseOverwrites([{ path: join(dir, "b.png"), what: "--out" }], inputs));
});

t.test("two outputs on one file are refused, naming both", async (t) => {
  const dir = tempDir(t);
  symlinkSync(dir, join(dir, "linked-folder"));
  const outputs = [{ path: join(dir, "out", "x.png"), what: "the result of in/x.jpg" }, { path: join(dir, "linked-folder", "out", "x.png"), what: "the result of in/x.png" }];
  t.throws(() => refuseOverwrites(outputs, []), /^the result of in\/x\.jpg and the result of in\/x\.png would both be written to .*x\.png, so one would be lost/);
});

const readOnly = mountTmpfs(t, "read-only", "ro,size=1m");
t.test("a read-only file system is named as such", { skip: "why" in readOnly ? readOnly.why : false }, async (t) => {
  const dir = (readOnly as { dir: string }).dir;
  t.throws(() => checkOutputFolder(join(dir, "run"), "--out"), /^--out .*run cannot be written: folder .* is on a read-only file system; pass a path in a writable folder$/);
  t.throws(() => checkOutputFile(join(dir, "out.png"), "--out"), /is on a read-only file system/);
});
