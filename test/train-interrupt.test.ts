// train.js when runs are stopped, crash, collide or diverge, in child processes at 32x32 with
// widths 4/8: one process per run folder (a live lock is a one-line error, a stale one is taken
// over), SIGTERM/SIGHUP/SIGINT save a checkpoint and exit 128 + the signal, stale temporary
// files are removed, the log is trimmed to the resumed step and repaired, a diverged run stops
// before it saves or prunes, and a bad sidecar, a --steps already reached or a read-only run
// folder is refused before anything is written or the GPU is opened.
import t, { type Test } from "tap";
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCheckpoint } from "../src/checkpoint/checkpoint.js";
import { runTool } from "./inpaint-fixtures.js";
import { mountTmpfs, tempDir } from "./tempdir.js";
import { avatars, deadPid } from "./train-fixtures.js";

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), "..", "src", "train.js");
const TINY = ["--no-tune", "--size", "32", "--batch", "1", "--cnum", "4", "--critic-cnum", "8", "--critic-steps", "1", "--log-every", "1", "--sample-every", "1000"];

interface Result {
  status: number | null;
  stdout: string;
  /** All of stderr, Dawn's start-up warnings included: an error without them came before the GPU was opened. */
  stderr: string;
}

function train(args: string[]): Result {
  const r = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.trimEnd() };
}

function withoutDawnWarnings(text: string): string {
  return text.split("\n").filter((line) => !line.startsWith("Warning: max")).join("\n");
}

/** A training process in the background, with its output so far and a way to wait for a line. */
class Background {
  readonly child: ChildProcessWithoutNullStreams;
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [SCRIPT, ...args]);
    this.child.stdout.on("data", (chunk: Buffer) => void (this.stdout += chunk.toString()));
    this.child.stderr.on("data", (chunk: Buffer) => void (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolves when stdout matches `pattern`; rejects if the process ends first. */
  async waitFor(pattern: RegExp): Promise<void> {
    while (!pattern.test(this.stdout)) {
      const ended = await Promise.race([this.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 100))]);
      if (ended && !pattern.test(this.stdout)) throw new Error(`train.js ended before printing ${pattern}: ${this.stdout}\n${this.stderr}`);
    }
  }
}

/** Every file under `dir` (recursively) with its bytes, to show nothing changed. */
function snapshot(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(join(dir, f)).isFile()).sort();
  return new Map(files.map((f) => [f, readFileSync(join(dir, f)).toString("base64")]));
}

function oneLineError(t: Test, r: Result, status: number, pattern: RegExp, what: string): void {
  t.equal(r.status, status, `${what}: exit ${status}`);
  t.equal(r.stderr.split("\n").length, 1, `${what}: one line, no Dawn output (the GPU was not opened): ${r.stderr}`);
  t.match(r.stderr, pattern, `${what}: names the problem and the fix`);
}

function logSteps(out: string): number[] {
  return readFileSync(join(out, "log.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line).step);
}

const data = avatars(t, 1);

t.test("one run per folder; SIGTERM saves, releases the folder and exits 143", async (t) => {
  const out = join(tempDir(t), "run");
  const first = new Background(["--data", data, "--out", out, ...TINY, "--steps", "1000", "--checkpoint-every", "1000"]);
  t.teardown(() => void first.child.kill("SIGKILL"));
  await first.waitFor(/^step 1\/1000/m);
  const pid = first.child.pid!;
  const inUse = new RegExp(`^train: run folder .*run is in use by training process ${pid} .*kill ${pid}\\), or pass another --out$`);
  oneLineError(t, train(["--data", data, "--out", out, ...TINY, "--steps", "3"]), 1, inUse, "a second run into the folder");
  oneLineError(t, train(["--resume", out, "--steps", "3"]), 1, inUse, "a resume of the live run");
  first.child.kill("SIGTERM");
  const { code } = await first.exited;
  t.equal(code, 143, "exit 143 (128 + SIGTERM)");
  const step = Number(/stopped by SIGTERM at iteration (\d+); checkpoint .*step-\d+\.json; continue with --resume/.exec(first.stdout)?.[1]);
  t.ok(step >= 1 && step < 1000, `one line says where it stopped: iteration ${step}`);
  t.equal(loadCheckpoint(join(out, "checkpoints")).step, step, "the checkpoint of that iteration loads");
  t.same(logSteps(out), Array.from({ length: step }, (_, i) => i + 1), "one log record per iteration, from one run");
  t.notOk(existsSync(join(out, "train.lock")), "the lock is released");
});

t.test("a stale lock is taken over, stale temporary files removed, the log trimmed and repaired; SIGHUP exits 129", async (t) => {
  const out = join(tempDir(t), "run");
  const made = train(["--data", data, "--out", out, ...TINY, "--steps", "3", "--checkpoint-every", "2"]);
  t.equal(made.status, 0, made.stderr);
  // A crash after iteration 3's log record but before its checkpoint: the run resumes at 2.
  // The crashed process left its lock, temporary files of interrupted writes and a torn line.
  const dead = deadPid();
  writeFileSync(join(out, "train.lock"), JSON.stringify({ pid: dead, host: hostname(), since: "2020-01-01T00:00:00.000Z" }));
  rmCheckpoint(out, 3);
  const staleTemps = [join(out, "checkpoints", `.step-000003.safetensors.${dead}.0.tmp`), join(out, `.log.jsonl.${dead}.4.tmp`)];
  const liveTemp = join(out, "checkpoints", `.step-000009.json.${process.pid}.0.tmp`);
  for (const file of [...staleTemps, liveTemp]) writeFileSync(file, "x".repeat(1000));
  t.same(logSteps(out), [1, 2, 3]);
  appendFileSync(join(out, "log.jsonl"), '{"step": 4, "warmup": fal');

  const resumed = new Background(["--resume", out, "--steps", "1000", ...TINY.slice(-4)]);
  t.teardown(() => void resumed.child.kill("SIGKILL"));
  await resumed.waitFor(/^step 3\/1000/m);
  resumed.child.kill("SIGHUP");
  const { code } = await resumed.exited;
  t.equal(code, 129, `exit 129 (128 + SIGHUP): ${resumed.stderr}`);
  t.match(resumed.stdout, new RegExp(`taking over the lock of process ${dead}, which is no longer running`), "says it took over a stale lock");
  t.match(resumed.stdout, /removed 2 temporary file\(s\)/, "says it removed the stale temporary files");
  t.match(resumed.stdout, /log\.jsonl: dropped 1 record\(s\) after step 2 .* and 1 torn line\(s\)/, "says what it trimmed from the log");
  t.notOk(staleTemps.some(existsSync), "the dead writer's temporary files are gone");
  t.ok(existsSync(liveTemp), "a live process's temporary file is kept");
  const step = Number(/stopped by SIGHUP at iteration (\d+)/.exec(resumed.stdout)?.[1]);
  t.ok(step >= 3, `stopped at iteration ${step}`);
  t.same(logSteps(out), Array.from({ length: step }, (_, i) => i + 1), "each iteration logged once, no torn line");
  t.equal(runTool("report", ["--log", join(out, "log.jsonl"), "--out", join(out, "report")]).status, 0, "report.js reads the repaired log");
  t.notOk(existsSync(join(out, "train.lock")), "the lock is released");
});

t.test("a second signal ends the process at once as a SIGINT, and still releases the folder", async (t) => {
  // The handlers themselves, in a process that is idle between the signals: how soon a busy
  // training run handles a signal depends on where its iteration is, so the CLI test below
  // cannot be sure the second one lands before the first one's checkpoint is done.
  const folder = join(tempDir(t), "run");
  const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src");
  const script = `
    import { RunLock } from ${JSON.stringify(join(src, "train", "run-lock.js"))};
    import { StopSignals } from ${JSON.stringify(join(src, "train", "stop-signals.js"))};
    const lock = RunLock.acquire(${JSON.stringify(folder)});
    const signals = new StopSignals((message) => console.log(message), () => lock.release());
    const pause = () => new Promise((resolve) => setTimeout(resolve, 200));
    process.kill(process.pid, "SIGINT");
    await pause();
    console.log("first handled: " + signals.received);
    process.kill(process.pid, "SIGINT");
    await pause();
    console.log("still running after the second signal");`;
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
  t.equal(run.signal, "SIGINT", `ended by SIGINT, which a shell reports as 130: ${run.stderr}`);
  t.match(run.stdout, /SIGINT: finishing this iteration, then saving a checkpoint/);
  t.match(run.stdout, /first handled: SIGINT/);
  t.match(run.stderr, /SIGINT again: exiting now, without a checkpoint/);
  t.notMatch(run.stdout, /still running/, "the second signal ends the process at once");
  t.notOk(existsSync(join(folder, "train.lock")), "the lock is released on the immediate exit too");
});

t.test("two quick signals to a training run leave whole checkpoints and a free folder", async (t) => {
  const out = join(tempDir(t), "run");
  const run = new Background(["--data", data, "--out", out, ...TINY, "--steps", "1000", "--checkpoint-every", "1"]);
  t.teardown(() => void run.child.kill("SIGKILL"));
  await run.waitFor(/^step 2\/1000/m);
  run.child.kill("SIGINT");
  await run.waitFor(/SIGINT: finishing this iteration/);
  run.child.kill("SIGINT");
  const { code, signal } = await run.exited;
  // The second signal, or one that arrives after the run has let go of its handlers, ends the
  // process as a SIGINT, which a shell reports as 130; the run's own ending exits with 130.
  t.ok(code === 130 || signal === "SIGINT", `ended as Ctrl-C does (code ${code}, signal ${signal}): ${run.stderr}`);
  t.notOk(existsSync(join(out, "train.lock")), "the lock is released");
  const sidecars = readdirSync(join(out, "checkpoints")).filter((f) => f.endsWith(".json"));
  t.ok(sidecars.length >= 1, `${sidecars.length} checkpoints`);
  for (const f of sidecars) t.doesNotThrow(() => loadCheckpoint(join(out, "checkpoints", f)), `${f} is whole`);
});

t.test("a diverged run stops before it saves or prunes; report.js says where the values went non-finite", async (t) => {
  const out = join(tempDir(t), "run");
  t.equal(train(["--data", data, "--out", out, ...TINY, "--steps", "1"]).status, 0);
  const before = snapshot(join(out, "checkpoints"));
  const diverged = train(["--resume", out, "--lr", "1e30", "--steps", "6", "--checkpoint-every", "1", "--keep", "1", ...TINY.slice(-4)]);
  t.equal(diverged.status, 1, "exit 1");
  const message = withoutDawnWarnings(diverged.stderr);
  t.equal(message.split("\n").length, 1, `one line: ${message}`);
  t.match(message, /^train: training diverged at step 2 \(loss g is NaN.*\); stopped without saving a checkpoint; lower --lr \(it is 1e\+30\) and resume from the last good checkpoint \(step 1\): --resume /);
  t.same(snapshot(join(out, "checkpoints")), before, "the good checkpoint is kept and no NaN one written");
  t.notOk(existsSync(join(out, "train.lock")), "the lock is released");
  const report = runTool("report", ["--log", join(out, "log.jsonl"), "--out", join(out, "report")]);
  t.equal(report.status, 0, "the charts are still drawn");
  t.match(report.stderr, /log\.jsonl has non-finite values .*: losses\.g from step 2,.*diverged/, "report.js names the series and the step");
  t.match(report.stdout, /losses\.g\.png \(2 points; 1 non-finite from step 2;/);
});

t.test("a bad sidecar or a --steps already reached is refused before anything is written", async (t) => {
  const out = join(tempDir(t), "run");
  t.equal(train(["--data", data, "--out", out, ...TINY, "--steps", "2", "--checkpoint-every", "1"]).status, 0);
  const before = snapshot(out);
  oneLineError(t, train(["--resume", out, "--steps", "2"]), 2, /^train: run .*run is already at step 2 \(--steps 2\); pass --steps greater than 2 to continue it \(see train --help\)$/, "--steps at the run's step");
  oneLineError(t, train(["--resume", out, "--steps", "1"]), 2, /already at step 2 \(--steps 1\)/, "--steps below the run's step");
  const sidecar = join(out, "checkpoints", "step-000002.json");
  const text = readFileSync(sidecar, "utf8");
  const edit = (change: (s: { step: number; config: { training: Record<string, unknown> } }) => void) => {
    const s = JSON.parse(text);
    change(s);
    writeFileSync(sidecar, JSON.stringify(s));
  };
  edit((s) => void (s.step = -5));
  oneLineError(t, train(["--resume", out, "--steps", "4"]), 1, /^train: checkpoint .*step-000002\.json is corrupt \("step" is -5, not a non-negative integer\); delete it/, "a negative step");
  edit((s) => void (s.step = 1.5));
  oneLineError(t, train(["--resume", out, "--steps", "4"]), 1, /"step" is 1\.5, not a non-negative integer/, "a fractional step");
  edit((s) => void (s.config.training.batch = 0));
  oneLineError(t, train(["--resume", out, "--steps", "4"]), 1, /is corrupt \(config\.training: batch is 0, not a positive integer\)/, "a batch of 0");
  edit((s) => void (s.config.training.height = 30));
  oneLineError(t, train(["--resume", out, "--steps", "4"]), 1, /config\.training: height is 30, not a multiple of 8/, "a height that is no multiple of 8");
  writeFileSync(sidecar, text);
  t.same(snapshot(out), before, "every refusal left the run folder as it was");
});

const mounted = mountTmpfs(t, "mnt", "size=16m");
t.test("a read-only run folder is refused on --resume before the GPU is opened", { skip: "why" in mounted ? mounted.why : false }, async (t) => {
  const mountPoint = (mounted as { dir: string }).dir;
  const out = join(mountPoint, "run");
  t.equal(train(["--data", data, "--out", out, ...TINY, "--steps", "1"]).status, 0);
  t.equal(spawnSync("mount", ["-o", "remount,ro", mountPoint]).status, 0, "remounted read-only");
  oneLineError(t, train(["--resume", out, "--steps", "3"]), 1, /^train: the run folder of --resume .*mnt\/run cannot be written: it is on a read-only file system; pass a path in a writable folder$/, "a read-only run folder");
});

function rmCheckpoint(out: string, step: number): void {
  for (const ext of ["json", "safetensors"]) rmSync(join(out, "checkpoints", `step-${String(step).padStart(6, "0")}.${ext}`));
}
