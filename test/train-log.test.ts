// The training log never keeps half a record: a failed append (a full disk) is cut back, and
// trimLog drops torn lines and the records past a resumed checkpoint, atomically. Non-finite
// losses are written so that a reader can tell them apart.
import t from "tap";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JsonlLog, trimLog, type LogRecord } from "../src/train/log.js";
import { mountTmpfs, tempDir } from "./tempdir.js";

function record(step: number, g = 1.5): LogRecord {
  return { step, warmup: false, losses: { g }, step_ms: 1, images_per_s: 2, memory: { liveTensors: 1, bytesInUse: 2, bytesPooled: 3, buffersAllocated: 4, pipelines: 5 }, time: "t" };
}


const small = mountTmpfs(t, "small", "size=64k");
t.test("a full disk leaves the log at its last whole record", { skip: "why" in small ? small.why : false }, async (t) => {
  const mountPoint = (small as { dir: string }).dir;
  const log = new JsonlLog(join(mountPoint, "log.jsonl"));
  log.write(record(1));
  const whole = readFileSync(log.path, "utf8");
  // Fill the rest of the file system but a few bytes, fewer than a record needs.
  const free = (): number => Number(spawnSync("df", ["--output=avail", "-B1", mountPoint], { encoding: "utf8" }).stdout.trim().split("\n")[1]);
  writeFileSync(join(mountPoint, "filler"), Buffer.alloc(Math.max(0, free() - 4096)));
  let written = 2;
  let error: Error | null = null;
  for (; written < 1000 && !error; written++) {
    try {
      log.write(record(written));
    } catch (e) {
      error = e as Error;
    }
  }
  t.ok(error, `the disk filled up after ${written - 2} more records`);
  t.match(error!.message, /^could not append to .*log\.jsonl: ENOSPC; the log still ends at the previous record/);
  const text = readFileSync(log.path, "utf8");
  t.ok(text.startsWith(whole) && text.endsWith("\n"), "no torn line");
  t.same(text.trim().split("\n").map((l) => JSON.parse(l).step), Array.from({ length: written - 2 }, (_, i) => i + 1), "every whole record kept");
});

t.test("trimLog drops torn lines and later records, atomically, and leaves a sound log alone", async (t) => {
  const dir = tempDir(t);
  const path = join(dir, "log.jsonl");
  const lines = [1, 2, 3].map((s) => JSON.stringify(record(s)));
  // A torn line in the middle: a full disk cut a record, then a later run appended after it.
  writeFileSync(path, `${lines[0]}\n{"step": 2, "los${lines[1]}\n${lines[2]}\n{"step": 4, "warm`);
  t.same(trimLog(path, 2), { later: 1, torn: 2 });
  t.equal(readFileSync(path, "utf8"), `${lines[0]}\n`, "only whole records up to step 2 remain");
  t.same(readdirSync(dir), ["log.jsonl"], "no temporary file left");
  writeFileSync(path, `${lines[0]}\n${lines[1]}\n`);
  const before = statSync(path).mtimeMs;
  t.same(trimLog(path, 5), { later: 0, torn: 0 });
  t.equal(statSync(path).mtimeMs, before, "a sound log is not rewritten");
  t.same(trimLog(join(dir, "none.jsonl"), 1), { later: 0, torn: 0 }, "no log, nothing to do");
});

t.test("non-finite losses are written as NaN, Infinity, -Infinity", async (t) => {
  const log = new JsonlLog(join(tempDir(t), "log.jsonl"));
  log.write({ ...record(1), losses: { g: NaN, d: Infinity, l1: -Infinity, ae: 0.5 } });
  t.same(JSON.parse(readFileSync(log.path, "utf8")).losses, { g: "NaN", d: "Infinity", l1: "-Infinity", ae: 0.5 });
});
