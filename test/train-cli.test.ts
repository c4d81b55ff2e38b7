// `train.js` as a user runs it, in child processes at 32x32 with widths 4/8: --help, bad
// flags, every bad input as a one-line error with a non-zero exit, a 2-iteration run that
// writes a log, a sample grid and a checkpoint, exact resume from it, a refused resume of
// another configuration or a corrupt checkpoint that leaves the files as they were, and
// Ctrl-C saving a checkpoint and exiting 130 (more on interruptions in train-interrupt.test.ts).
import t, { type Test } from "tap";
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PNG } from "pngjs";
import { tempDir } from "./tempdir.js";
import { avatars } from "./train-fixtures.js";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "train.js");
const TINY = ["--no-tune", "--size", "32", "--batch", "1", "--cnum", "4", "--critic-cnum", "8", "--critic-steps", "1"];

interface Result {
  status: number | null;
  stdout: string;
  /** stderr without Dawn's start-up warnings. */
  stderr: string;
}

function train(args: string[]): Result {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: dropDawnWarnings(r.stderr) };
}

function dropDawnWarnings(text: string): string {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("Warning: max")).join("\n");
}

/** Every file under `dir` with its bytes, to show nothing changed. */
function snapshot(dir: string): Map<string, string> {
  return new Map(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString("base64")]));
}

function oneLineError(t: Test, r: Result, pattern: RegExp, what: string): void {
  t.not(r.status, 0, `${what}: non-zero exit`);
  t.equal(r.stderr.split("\n").length, 1, `${what}: one line (${r.stderr})`);
  t.match(r.stderr, pattern, `${what}: names the problem`);
  t.notMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
}

t.test("--help documents every flag; bad flags and values are one-line errors", async (t) => {
  const help = train(["--help"]);
  t.equal(help.status, 0);
  for (const flag of ["--data", "--preset", "--size", "--batch", "--cnum", "--critic-cnum", "--steps", "--lr", "--out", "--seed",
    "--checkpoint-every", "--sample-every", "--log-every", "--keep", "--resume", "--critic-steps", "--warmup", "--mask", "--shared-mask", "--no-tune"]) {
    t.match(help.stdout, new RegExp(`^  ${flag}\\b.*\\S`, "m"), `--help documents ${flag}`);
  }
  oneLineError(t, train(["--bogus"]), /unknown argument "--bogus".*--help/, "unknown flag");
  oneLineError(t, train(["--batch", "two"]), /--batch takes an integer/, "bad value");
  oneLineError(t, train(["--size", "30"]), /--size takes a size like 64.*multiples of 8/, "bad size");
  oneLineError(t, train(["--mask", "circle"]), /--mask takes one of box, free-form, box\+free-form/, "bad choice");
  oneLineError(t, train(["--steps"]), /--steps needs a value/, "missing value");
});

t.test("bad data: missing, empty, unreadable, too small", async (t) => {
  const out = tempDir(t);
  const missing = join(out, "nowhere");
  oneLineError(t, train(["--data", missing, "--out", join(out, "a"), ...TINY]), /data folder .*nowhere does not exist/, "missing folder");
  const empty = tempDir(t);
  oneLineError(t, train(["--data", empty, "--out", join(out, "b"), ...TINY]), /holds no \.png, \.jpg or \.jpeg/, "empty folder");
  const broken = avatars(t, 1);
  writeFileSync(join(broken, "broken.png"), "not a png at all");
  oneLineError(t, train(["--data", broken, "--out", join(out, "c"), ...TINY]), /broken\.png/, "unreadable image");
  const small = tempDir(t);
  const png = new PNG({ width: 20, height: 20 });
  writeFileSync(join(small, "small.png"), PNG.sync.write(png));
  oneLineError(t, train(["--data", small, "--out", join(out, "d"), ...TINY]), /small\.png is 20x20, smaller than the 32x32 training crop/, "image smaller than the crop");
  t.notOk(existsSync(join(out, "a")) || existsSync(join(out, "b")) || existsSync(join(out, "c")) || existsSync(join(out, "d")), "no run folder made for a failed start");
});

t.test("a 2-iteration run writes log, samples and checkpoint; resume continues exactly; bad resumes harm nothing", async (t) => {
  const data = avatars(t, 2);
  const out = join(tempDir(t), "run");
  const common = ["--data", data, ...TINY, "--log-every", "1", "--sample-every", "2", "--checkpoint-every", "1", "--keep", "5"];
  const straight = train(["--out", out, "--steps", "2", ...common]);
  t.equal(straight.status, 0, `exit 0 (${straight.stderr})`);
  t.match(straight.stdout, /preset tiny \(--preset\)|preset tiny \(.*adapter/, "says which preset and why");
  t.match(straight.stdout, /done at iteration 2; checkpoint .*step-000002\.json/);
  t.match(straight.stdout, /^memory plan: parameters [\d.]+ MiB, gradients [\d.]+ MiB, Adam state [\d.]+ MiB, activations ~[\d.]+ MiB \(total ~[\d.]+ MiB\), attention scores [\d.]+ MiB per chunk\nlargest buffer [\d.]+ MiB, .* \(the adapter's binding limit: \d+ MiB\)$/m, "prints the memory plan");
  const [planAt, firstStepAt] = [straight.stdout.indexOf("memory plan:"), straight.stdout.indexOf("step 1/2")];
  t.ok(planAt >= 0 && firstStepAt > planAt, "before the first iteration");
  const log = readFileSync(join(out, "log.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line));
  t.equal(log.length, 2, "a log record per iteration");
  t.same(Object.keys(log[0]), ["step", "warmup", "losses", "step_ms", "images_per_s", "memory", "time"]);
  t.ok(Number.isFinite(log[1].losses.g) && Number.isFinite(log[1].losses.d) && log[1].step_ms > 0 && log[1].memory.liveTensors > 0, "losses, step time and memory recorded");
  const sample = PNG.sync.read(readFileSync(join(out, "samples", "step-000002.png")));
  t.same([sample.width, sample.height], [5 * 34 + 2, 36], "sample grid: five 32x32 columns for the one image, 2-pixel gaps between and around");
  t.same(readdirSync(join(out, "checkpoints")).sort(), ["step-000001.json", "step-000001.safetensors", "step-000002.json", "step-000002.safetensors"]);

  // Resume from iteration 1 in a copy of the run (a copy, so the straight run's files stay to compare).
  const copy = join(tempDir(t), "copy");
  mkdirSync(join(copy, "checkpoints"), { recursive: true });
  for (const f of ["step-000001.json", "step-000001.safetensors"]) copyFileSync(join(out, "checkpoints", f), join(copy, "checkpoints", f));
  const resumed = train(["--resume", copy, "--steps", "2", "--log-every", "1", "--sample-every", "100", "--keep", "5"]);
  t.equal(resumed.status, 0, `resume exits 0 (${resumed.stderr})`);
  const resumedLog = JSON.parse(readFileSync(join(copy, "log.jsonl"), "utf8").trim());
  t.equal(resumedLog.step, 2);
  t.same(resumedLog.losses, log[1].losses, "iteration 2 after resuming at 1 has the straight run's losses exactly");
  t.same(readFileSync(join(copy, "checkpoints", "step-000002.safetensors")), readFileSync(join(out, "checkpoints", "step-000002.safetensors")), "and the same weights, byte for byte");

  const before = snapshot(join(out, "checkpoints"));
  oneLineError(t, train(["--out", out, "--steps", "3", ...common]), /already holds checkpoints.*--resume/, "a new run into a folder with checkpoints");
  oneLineError(t, train(["--resume", out, "--batch", "2", "--steps", "3"]), /trained with batch 1, not 2/, "resume with another batch");
  // A sidecar whose configuration says cnum 8 over tensors of cnum 4: the tensors do not fit.
  const sidecar = join(out, "checkpoints", "step-000002.json");
  const text = readFileSync(sidecar, "utf8");
  const edited = JSON.parse(text);
  edited.config.training.cnum = 8;
  writeFileSync(sidecar, JSON.stringify(edited));
  oneLineError(t, train(["--resume", out, "--steps", "3"]), /saved for another configuration/, "checkpoint of another configuration");
  writeFileSync(sidecar, text);
  const tensors = join(out, "checkpoints", "step-000002.safetensors");
  const bytes = readFileSync(tensors);
  writeFileSync(tensors, bytes.subarray(0, bytes.length - 100));
  oneLineError(t, train(["--resume", out, "--steps", "3"]), /step-000002\.safetensors have \d+ bytes.*truncated/, "corrupt checkpoint");
  writeFileSync(tensors, bytes);
  t.same(snapshot(join(out, "checkpoints")), before, "every refused start left the checkpoints as they were");
});

t.test("a batch with a buffer over the adapter's binding is refused before the first iteration, naming the batch that fits", async (t) => {
  const data = avatars(t, 2);
  const dir = tempDir(t);
  const probe = train(["--data", data, "--out", join(dir, "probe"), ...TINY, "--steps", "1"]);
  const binding = Number(/the adapter's binding limit: (\d+) MiB/.exec(probe.stdout)?.[1]);
  t.ok(binding > 0, `the adapter's binding: ${binding} MiB`);
  // At 256x256 with widths 4/8 the widest map is 8 x 256 x 256 floats, 2 MiB an image.
  const fitting = Math.floor(binding / 2);
  const out = join(dir, "big");
  const r = train(["--data", data, "--out", out, "--size", "256", "--batch", String(fitting + 1), "--cnum", "4", "--critic-cnum", "8", "--critic-steps", "1", "--steps", "1"]);
  oneLineError(t, r, new RegExp(`batch of ${fitting + 1} needs a ${2 * (fitting + 1)} MiB buffer .*over the adapter's ${binding} MiB storage binding; pass --batch ${fitting} to fit$`), "over the binding");
  t.match(r.stdout, new RegExp(`^memory plan: .*\nlargest buffer ${2 * (fitting + 1)} MiB, the x2 resize`, "m"), "the plan is printed first");
  t.notMatch(r.stdout, /^step /m, "no iteration ran");
  t.notOk(existsSync(out), "no run folder made for a refused start");
});

t.test("Ctrl-C finishes the iteration, saves a checkpoint and exits 130", async (t) => {
  const data = avatars(t, 1);
  const out = join(tempDir(t), "run");
  const child = spawn(process.execPath, [SCRIPT, "--data", data, "--out", out, ...TINY, "--steps", "1000", "--log-every", "1", "--sample-every", "1000"]);
  let stdout = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  await new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (/^step 1\/1000/m.test(stdout)) resolve();
  }));
  child.kill("SIGINT");
  const code = await exited;
  t.equal(code, 130, "exit code 130 (128 + SIGINT): the run did not reach --steps");
  const step = Number(/stopped by SIGINT at iteration (\d+)/.exec(stdout)?.[1]);
  t.ok(step >= 1 && step < 1000, `stopped at iteration ${step}`);
  t.ok(existsSync(join(out, "checkpoints", `step-${String(step).padStart(6, "0")}.json`)), "a checkpoint of that iteration");
});
