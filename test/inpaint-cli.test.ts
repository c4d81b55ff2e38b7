// inpaint.js as a user runs it (a child process on build/src/inpaint.js): one image, a folder
// of PNG and JPEG pairs, and a one-line error with a non-zero exit for each bad input.
import t, { type Test } from "tap";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import jpeg from "jpeg-js";
import { readRgb, writePng } from "../src/io/image.js";
import { testDevice } from "./helpers.js";
import { maskImage, runTool, testImage, tinyCheckpoint } from "./inpaint-fixtures.js";
import { tempDir } from "./tempdir.js";

const device = await testDevice();

/** Asserts a failed run: status 1, one line on stderr matching `pattern`, no stack trace. */
function assertOneLineError(t: Test, args: string[], pattern: RegExp, status = 1): void {
  const run = runTool("inpaint", args);
  t.equal(run.status, status, `exit status ${status}`);
  t.equal(run.stderr.split("\n").length, 1, `one line: ${run.stderr}`);
  t.match(run.stderr, pattern);
  t.notMatch(run.stderr, /\n\s+at /, "no stack trace");
}

t.test("one image: a PNG of the input's size with the known pixels kept, and a flow picture", async (t) => {
  const dir = tempDir(t);
  const checkpoint = await tinyCheckpoint(device, join(dir, "run"));
  writePng(join(dir, "in.png"), testImage(21, 19));
  writePng(join(dir, "mask.png"), maskImage(21, 19, [[2, 2, 5, 6], [12, 10, 4, 9]]));
  const run = runTool("inpaint", ["--checkpoint", join(dir, "run"), "--image", join(dir, "in.png"), "--mask", join(dir, "mask.png"), "--out", join(dir, "out.png"), "--flow", join(dir, "flow.png")]);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, new RegExp(`generator from ${checkpoint.replace(/[.]/g, "\\.")} \\(step 5\\)`));
  const [input, out, flow] = ["in.png", "out.png", "flow.png"].map((f) => readRgb(join(dir, f)));
  t.same([out!.width, out!.height, flow!.width, flow!.height], [21, 19, 21, 19]);
  t.equal(out!.data[0], input!.data[0], "a known corner pixel is kept");
});

t.test("batch mode pairs images and masks by name, PNG and JPEG alike", async (t) => {
  const dir = tempDir(t);
  await tinyCheckpoint(device, join(dir, "run"));
  mkdirSync(join(dir, "images"));
  mkdirSync(join(dir, "masks"));
  const image = testImage(16, 24);
  const rgba = new Uint8Array(16 * 24 * 4).fill(255);
  for (let p = 0; p < 16 * 24; p++) rgba.set(image.data.subarray(3 * p, 3 * p + 3), 4 * p);
  writeFileSync(join(dir, "images", "a.jpg"), jpeg.encode({ data: rgba, width: 16, height: 24 }, 95).data);
  writePng(join(dir, "images", "b.png"), testImage(33, 9));
  writePng(join(dir, "masks", "a.png"), maskImage(16, 24, [[4, 4, 6, 6]]));
  writePng(join(dir, "masks", "b.png"), maskImage(33, 9, [[0, 20, 9, 5]]));
  const run = runTool("inpaint", ["--checkpoint", join(dir, "run"), "--images", join(dir, "images"), "--masks", join(dir, "masks"), "--out", join(dir, "out"), "--flow", join(dir, "flow")]);
  t.equal(run.status, 0, run.stderr);
  const [a, b] = ["a.png", "b.png"].map((f) => readRgb(join(dir, "out", f)));
  t.same([a!.width, a!.height, b!.width, b!.height], [16, 24, 33, 9]);
  t.same(readdirSync(join(dir, "flow")).sort(), ["a.png", "b.png"], "a flow picture per pair");

  writePng(join(dir, "images", "c.png"), testImage(8, 8));
  assertOneLineError(t, ["--checkpoint", join(dir, "run"), "--images", join(dir, "images"), "--masks", join(dir, "masks"), "--out", join(dir, "out")], /^inpaint: image .*c\.png has no mask .*c\.png/);
});

t.test("an image larger than the working size: filled region by region, known pixels kept", async (t) => {
  const dir = tempDir(t);
  await tinyCheckpoint(device, join(dir, "run"));
  const [w, h] = [150, 100];
  writePng(join(dir, "in.png"), testImage(w, h));
  writePng(join(dir, "mask.png"), maskImage(w, h, [[5, 5, 30, 40], [80, 130, 6, 6]]));
  const run = runTool("inpaint", ["--checkpoint", join(dir, "run"), "--image", join(dir, "in.png"), "--mask", join(dir, "mask.png"), "--out", join(dir, "out.png"), "--flow", join(dir, "flow.png")]);
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /regions run at up to 32x32 \(the training size\)/, "the working size comes from the checkpoint");
  t.match(run.stdout, /out\.png \(150x100, 2 regions, /);
  const [input, out, mask] = ["in.png", "out.png", "mask.png"].map((f) => readRgb(join(dir, f)));
  let changedKnown = 0;
  for (let p = 0; p < w * h; p++) if (mask!.data[3 * p] === 0 && [0, 1, 2].some((c) => out!.data[3 * p + c] !== input!.data[3 * p + c])) changedKnown++;
  t.equal(changedKnown, 0, "every known pixel is the input's");
  t.same([readRgb(join(dir, "flow.png")).width, readRgb(join(dir, "flow.png")).height], [w, h]);
});

t.test("a working size over the memory budget is refused before anything runs, naming the size that fits", async (t) => {
  const dir = tempDir(t);
  await tinyCheckpoint(device, join(dir, "run"));
  writePng(join(dir, "in.png"), testImage(200, 160));
  writePng(join(dir, "mask.png"), maskImage(200, 160, [[10, 10, 20, 20]]));
  const args = ["--checkpoint", join(dir, "run"), "--image", join(dir, "in.png"), "--mask", join(dir, "mask.png"), "--out", join(dir, "out.png")];
  assertOneLineError(t, [...args, "--work-size", "1024", "--memory-budget", "0.01"], /^inpaint: a 200x160 working region of this cnum-4 generator needs about [\d.]+ GiB of GPU memory, over the 0\.01 GiB budget; the largest that fits is (\d+)x\1: pass --work-size \1 or less, or raise --memory-budget$/);
  t.notOk(existsSync(join(dir, "out.png")), "nothing was written");
  assertOneLineError(t, [...args, "--memory-budget", "lots"], /^inpaint: --memory-budget takes a positive number, got "lots" \(see inpaint --help\)$/, 2);
  assertOneLineError(t, [...args, "--work-size", "4"], /^inpaint: --work-size takes an integer from 8 to 65536, got "4"/, 2);
});

t.test("bad inputs: one line, non-zero exit", async (t) => {
  const dir = tempDir(t);
  await tinyCheckpoint(device, join(dir, "run"));
  writePng(join(dir, "in.png"), testImage(20, 12));
  writePng(join(dir, "mask.png"), maskImage(20, 12, [[1, 1, 3, 3]]));
  writePng(join(dir, "wide.png"), maskImage(21, 12, [[1, 1, 3, 3]]));
  writePng(join(dir, "black.png"), maskImage(20, 12, []));
  writePng(join(dir, "white.png"), maskImage(20, 12, [[0, 0, 12, 20]]));
  writeFileSync(join(dir, "text.png"), "not an image");
  writeFileSync(join(dir, "run", "step-000009.json"), "{ truncated");
  const io = (image: string, mask: string, checkpoint = join(dir, "run", "step-000005.json")) =>
    ["--checkpoint", checkpoint, "--image", join(dir, image), "--mask", join(dir, mask), "--out", join(dir, "out.png")];
  assertOneLineError(t, io("in.png", "wide.png"), /^inpaint: mask .*wide\.png is 21x12 but .*in\.png is 20x12; the mask must have the image's size/);
  assertOneLineError(t, io("in.png", "black.png"), /black\.png has no hole/);
  assertOneLineError(t, io("in.png", "white.png"), /white\.png is all hole, so nothing is known to fill from/);
  assertOneLineError(t, io("text.png", "mask.png"), /text\.png is not a PNG or JPEG image/);
  assertOneLineError(t, io("missing.png", "mask.png"), /cannot read image .*missing\.png: ENOENT/);
  assertOneLineError(t, io("in.png", "mask.png", join(dir, "nothing")), /checkpoint .*nothing does not exist/);
  assertOneLineError(t, io("in.png", "mask.png", join(dir, "run")), /step-000009\.json is corrupt \(not valid JSON/);
  assertOneLineError(t, ["--checkpoint", join(dir, "run"), "--image", join(dir, "in.png"), "--out", join(dir, "out.png")], /^inpaint: --mask is required \(see inpaint --help\)$/, 2);
  const help = runTool("inpaint", ["--help"]);
  t.equal(help.status, 0);
  t.match(help.stdout, /--checkpoint PATH/);
});

t.test("no output overwrites an input, and no two results share a file: refused before anything is written", async (t) => {
  const dir = tempDir(t);
  await tinyCheckpoint(device, join(dir, "run"));
  const rgba = new Uint8Array(16 * 16 * 4).fill(200);
  writeFileSync(join(dir, "photo.jpg"), jpeg.encode({ data: rgba, width: 16, height: 16 }, 90).data);
  writePng(join(dir, "mask.png"), maskImage(16, 16, [[4, 4, 5, 5]]));
  symlinkSync(join(dir, "photo.jpg"), join(dir, "link.jpg"));
  const before = readFileSync(join(dir, "photo.jpg"));
  const one = (out: string, ...rest: string[]) => ["--checkpoint", join(dir, "run"), "--image", join(dir, "photo.jpg"), "--mask", join(dir, "mask.png"), "--out", out, ...rest];
  assertOneLineError(t, one(`${dir}/./photo.jpg`), /^inpaint: --out would overwrite --image .*photo\.jpg \(.*\/\.\/photo\.jpg is that file\); write the results somewhere else$/);
  assertOneLineError(t, one(join(dir, "link.jpg")), /^inpaint: --out would overwrite --image .*photo\.jpg/);
  assertOneLineError(t, one(join(dir, "mask.png")), /^inpaint: --out would overwrite --mask .*mask\.png/);
  assertOneLineError(t, one(join(dir, "out.png"), "--flow", join(dir, "photo.jpg")), /^inpaint: --flow would overwrite --image .*photo\.jpg/);
  assertOneLineError(t, one(join(dir, "out.png"), "--flow", join(dir, "out.png")), /^inpaint: --out and --flow would both be written to .*out\.png, so one would be lost/);
  t.same(readFileSync(join(dir, "photo.jpg")), before, "the JPEG input is untouched");
  t.notOk(existsSync(join(dir, "out.png")), "nothing was written");

  for (const sub of ["images", "masks"]) mkdirSync(join(dir, sub));
  writePng(join(dir, "images", "x.png"), testImage(16, 16));
  writeFileSync(join(dir, "images", "x.jpg"), before);
  writePng(join(dir, "masks", "x.png"), maskImage(16, 16, [[4, 4, 5, 5]]));
  const batch = (out: string) => ["--checkpoint", join(dir, "run"), "--images", join(dir, "images"), "--masks", join(dir, "masks"), "--out", out];
  assertOneLineError(t, batch(join(dir, "out")), /^inpaint: the result of .*images\/x\.jpg and the result of .*images\/x\.png would both be written to .*out\/x\.png, so one would be lost/);
  rmSync(join(dir, "images", "x.jpg"));
  assertOneLineError(t, batch(join(dir, "images")), /^inpaint: the result of .*images\/x\.png would overwrite image .*images\/x\.png/);
  assertOneLineError(t, batch(join(dir, "masks")), /^inpaint: the result of .*images\/x\.png would overwrite mask .*masks\/x\.png/);
  writeFileSync(join(dir, "masks", "x.jpg"), before);
  assertOneLineError(t, batch(join(dir, "out")), /^inpaint: masks .*masks\/x\.jpg and .*masks\/x\.png both match images named x; keep only one of them/);
  t.notOk(existsSync(join(dir, "out")), "nothing was written");
});
