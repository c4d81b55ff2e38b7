// train.js tunes the kernels of its shape classes before the first iteration, finds them in the
// tune cache the next time, records its choices in the checkpoints, and a resumed run computes
// with the recorded choices even when the cache says otherwise, so it repeats the straight run
// exactly. The cache is a file in a temporary folder, never the user's.
import t from "tap";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempDir } from "./tempdir.js";
import { avatars } from "./train-fixtures.js";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "train.js");
const TINY = ["--size", "32", "--batch", "1", "--cnum", "4", "--critic-cnum", "8", "--critic-steps", "1", "--log-every", "1", "--sample-every", "100", "--keep", "5"];

function train(args: string[], cache: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", env: { ...process.env, DEEPFILL_TUNE_CACHE: cache } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const sidecar = (run: string, step: string) => JSON.parse(readFileSync(join(run, "checkpoints", `step-${step}.json`), "utf8"));
const lastLosses = (run: string) => JSON.parse(readFileSync(join(run, "log.jsonl"), "utf8").trim().split("\n").at(-1)!).losses;

/** The other candidate of each winner: what a cache written on another day could say. */
const OTHER: Record<string, string> = { lanes: "gemm", "lanes-packed": "gemm", gemm: "lanes", tiled: "lanes" };

t.test("a run tunes once, the next finds the cache, and a resume keeps the checkpoint's choices", async (t) => {
  const data = avatars(t, 2);
  const dir = tempDir(t);
  const cache = join(dir, "tune.json");
  const out = join(dir, "run");
  const straight = train(["--data", data, "--out", out, ...TINY, "--steps", "2", "--checkpoint-every", "1"], cache);
  t.equal(straight.status, 0, `exit 0 (${straight.stderr})`);
  const tuned = /^kernels: tuned (\d+) shape classes of \d+ shapes \((\d+) timed, 0 from the tune cache\) in [\d.]+ s: conv2d \w+ \d+.*$/m.exec(straight.stdout);
  t.ok(tuned, `prints what it tuned (${straight.stdout})`);
  t.equal(tuned?.[1], tuned?.[2], "a fresh cache: every class timed");
  t.ok(straight.stdout.indexOf("kernels: tuned") < straight.stdout.indexOf("step 1/2"), "before the first iteration");

  const { kernels } = sidecar(out, "000001");
  const classes = Object.keys(kernels.choices);
  t.equal(classes.length, Number(tuned?.[1]), "the checkpoint records a winner per class");
  t.ok(classes.some((k) => k.startsWith("conv2dBackwardFilter:")) && classes.some((k) => k.startsWith("matmul:")), "convolutions of all directions and the attention's products");
  const stored = JSON.parse(readFileSync(cache, "utf8"));
  t.same(Object.fromEntries(classes.map((k) => [k, stored[`${kernels.adapter}|${k}`]])), kernels.choices, "the cache holds the same winners under the adapter's name");

  const again = train(["--data", data, "--out", join(dir, "again"), ...TINY, "--steps", "1"], cache);
  t.equal(again.status, 0, `second run exits 0 (${again.stderr})`);
  t.match(again.stdout, new RegExp(`^kernels: tuned ${classes.length} shape classes of \\d+ shapes \\(0 timed, ${classes.length} from the tune cache\\)`, "m"), "the second run times nothing");

  // The cache now says the opposite of what the run chose; the resume must not listen to it.
  writeFileSync(cache, JSON.stringify(Object.fromEntries(Object.entries(stored).map(([k, v]) => [k, OTHER[v as string] ?? v]))));
  const copy = join(dir, "copy");
  mkdirSync(join(copy, "checkpoints"), { recursive: true });
  for (const f of ["step-000001.json", "step-000001.safetensors"]) copyFileSync(join(out, "checkpoints", f), join(copy, "checkpoints", f));
  const resumed = train(["--resume", copy, "--steps", "2", "--log-every", "1", "--sample-every", "100", "--keep", "5"], cache);
  t.equal(resumed.status, 0, `resume exits 0 (${resumed.stderr})`);
  t.match(resumed.stdout, new RegExp(`^kernels: ${classes.length} shape classes as the checkpoint records them$`, "m"));
  t.same(lastLosses(copy), lastLosses(out), "iteration 2 after resuming at 1 has the straight run's losses exactly");
  t.same(sidecar(copy, "000002").kernels, kernels, "and its checkpoint records the same choices");
});

// (DEEPFILL_TUNE_CACHE=off is tune-store.test's: defaultTuneCache gives no file.)
t.test("--no-tune runs the default kernels and its resume keeps them", async (t) => {
  const data = avatars(t, 1);
  const dir = tempDir(t);
  const cache = join(dir, "tune.json");
  const plain = train(["--data", data, "--out", join(dir, "plain"), ...TINY, "--steps", "1", "--no-tune"], cache);
  t.equal(plain.status, 0, `exit 0 (${plain.stderr})`);
  t.match(plain.stdout, /^kernels: the default kernels \(--no-tune\)$/m);
  t.notOk(sidecar(join(dir, "plain"), "000001").kernels, "the checkpoint records no choices");
  const resumed = train(["--resume", join(dir, "plain"), "--steps", "2"], cache);
  t.match(resumed.stdout, /^kernels: the default kernels \(the checkpoint records no tuned choices\)$/m, "its resume keeps the defaults");
  const edited = join(dir, "plain", "checkpoints", "step-000002.json");
  writeFileSync(edited, JSON.stringify({ ...JSON.parse(readFileSync(edited, "utf8")), kernels: { adapter: 1 } }));
  const refused = train(["--resume", join(dir, "plain"), "--steps", "3"], cache);
  t.not(refused.status, 0, "a damaged kernels record is refused");
  t.match(refused.stderr, /^train: checkpoint .*step-000002\.json is corrupt \(its "kernels" is not \{ adapter, choices \}\); delete it/m);
  t.throws(() => readFileSync(cache), "no run wrote the cache");
});
