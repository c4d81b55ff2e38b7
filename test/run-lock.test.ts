// The run folder's lock: taken atomically with the owner's pid, refused while that process
// lives (named in one line), taken over when it is gone, released once; and the removal of
// the temporary files dead writers left, which spares a live writer's.
import t from "tap";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { RunLock } from "../src/train/run-lock.js";
import { removeStaleTemps } from "../src/train/stale-temps.js";
import { tempDir } from "./tempdir.js";
import { deadPid } from "./train-fixtures.js";

function writeLock(folder: string, owner: object | string): void {
  writeFileSync(join(folder, "train.lock"), typeof owner === "string" ? owner : JSON.stringify(owner));
}

t.test("a live lock is refused with the owner's pid; release frees the folder", async (t) => {
  const folder = join(tempDir(t), "run");
  const lock = RunLock.acquire(folder);
  t.same(readdirSync(folder), ["train.lock"], "the lock alone, no temporary file left");
  t.equal(JSON.parse(readFileSync(join(folder, "train.lock"), "utf8")).pid, process.pid);
  t.throws(() => RunLock.acquire(folder), new RegExp(`^run folder .*run is in use by training process ${process.pid} \\(see .*train\\.lock\\); wait for it to end or stop it \\(kill ${process.pid}\\), or pass another --out$`));
  writeFileSync(join(folder, "log.jsonl"), "{}\n");
  lock.release();
  lock.release();
  t.same(readdirSync(folder), ["log.jsonl"], "released; a folder with content stays");
  RunLock.acquire(folder).release();
  t.ok(existsSync(folder));
  const fresh = join(folder, "new");
  RunLock.acquire(fresh).release();
  t.notOk(existsSync(fresh), "a folder the lock created and nothing else used is removed again");
});

t.test("a lock of another host counts as live; a dead or unreadable owner's lock is taken over with a notice", async (t) => {
  const folder = tempDir(t);
  writeLock(folder, { pid: 12345, host: `not-${hostname()}`, since: "" });
  t.throws(() => RunLock.acquire(folder), /in use by training process 12345 on host not-/);
  const dead = deadPid();
  writeLock(folder, { pid: dead, host: hostname(), since: "" });
  const notices: string[] = [];
  const lock = RunLock.acquire(folder, (m) => notices.push(m));
  t.match(notices, [new RegExp(`taking over the lock of process ${dead}, which is no longer running`)]);
  t.equal(JSON.parse(readFileSync(join(folder, "train.lock"), "utf8")).pid, process.pid, "now ours");
  lock.release();
  writeLock(folder, '{"pid": 4');
  RunLock.acquire(folder, (m) => notices.push(m)).release();
  t.match(notices[1], /taking over the lock of a process that left it unreadable/);
});

t.test("stale temporary files are removed, a live writer's are kept, other files untouched", async (t) => {
  const folder = tempDir(t);
  mkdirSync(join(folder, "checkpoints"));
  const dead = deadPid();
  const files = {
    stale: [join(folder, "checkpoints", `.step-000100.safetensors.${dead}.3.tmp`), join(folder, `.log.jsonl.${dead}.0.tmp`)],
    kept: [join(folder, "checkpoints", `.step-000100.json.${process.pid === 1 ? 2 : 1}.0.tmp`), join(folder, "checkpoints", "step-000100.json"), join(folder, ".hidden.tmp"), join(folder, "notes.1.2.tmp")],
  };
  for (const f of [...files.stale, ...files.kept]) writeFileSync(f, "x");
  t.same(removeStaleTemps(folder, ["checkpoints", "samples"]).sort(), [...files.stale].sort());
  t.notOk(files.stale.some(existsSync), "gone");
  t.ok(files.kept.every(existsSync), "pid 1 (alive), a checkpoint, and names no atomic write makes are kept");
});
