// --adapter and DEEPFILL_ADAPTER as a user meets them, in child processes: a name that matches
// no adapter is one line listing the available ones (exit 1), an empty name is a usage error
// found before the GPU is opened, and every command's --help documents the flag.
import t from "tap";
import { spawnSync } from "node:child_process";
import { copyFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultDataFolder } from "../src/data/image-folder.js";
import { tempDir } from "./tempdir.js";

const SRC = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
  /**
   * Whether Dawn printed lavapipe's start-up warnings, which it does from native code as soon
   * as it lists the adapters (other drivers give none, so there this tells nothing).
   */
  openedGpu: boolean;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Result {
  const r = spawnSync(process.execPath, [join(SRC, `${command}.js`), ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  const lines = r.stderr.split("\n").filter((line) => line !== "");
  const warnings = lines.filter((line) => line.startsWith("Warning: max"));
  return { status: r.status, stdout: r.stdout, stderr: lines.filter((line) => !warnings.includes(line)).join("\n"), openedGpu: warnings.length > 0 };
}

/** Two images, enough for train.js and eval.js to get past their checks of the data. */
function images(t: { teardown: (fn: () => void) => void }): string {
  const dir = tempDir(t);
  for (const f of readdirSync(defaultDataFolder()).filter((f) => f.endsWith(".png")).sort().slice(0, 2)) copyFileSync(join(defaultDataFolder(), f), join(dir, f));
  return dir;
}

const NO_MATCH = /^(train|eval): no WebGPU adapter's name contains "no-such-adapter-xyz"; available: "[^"]+" \(\w+\)/;

t.test("a name that matches no adapter is one line listing the available ones", async (t) => {
  const data = images(t);
  const out = tempDir(t);
  const commands: [string, string[]][] = [
    ["train", ["--data", data, "--out", join(out, "run"), "--size", "32", "--steps", "1"]],
    ["eval", ["--data", data, "--size", "16", "--count", "1", "--out", join(out, "eval")]],
  ];
  for (const [command, args] of commands) {
    for (const [how, extra, env] of [["--adapter", ["--adapter", "no-such-adapter-xyz"], {}], ["DEEPFILL_ADAPTER", [], { DEEPFILL_ADAPTER: "no-such-adapter-xyz" }]] as const) {
      const r = run(command, [...args, ...extra], env);
      t.equal(r.status, 1, `${command} with ${how}: exit 1`);
      t.match(r.stderr, NO_MATCH, `${command} with ${how}: names the name and lists the adapters`);
      t.equal(r.stderr.split("\n").length, 1, `${command} with ${how}: one line (${r.stderr})`);
    }
  }
  t.equal(readdirSync(out).length, 0, "nothing was written");
});

t.test("an empty --adapter is a usage error, found before the GPU is opened", async (t) => {
  // Every other argument is present, so the empty name is the first thing wrong.
  const others: Record<string, string[]> = {
    train: [],
    eval: ["--data", "images"],
    inpaint: ["--checkpoint", "run", "--out", "out.png", "--image", "in.png", "--mask", "mask.png"],
  };
  for (const command of ["train", "eval", "inpaint"]) {
    const r = run(command, [...others[command]!, "--adapter", ""]);
    t.equal(r.status, 2, `${command}: exit 2`);
    t.match(r.stderr, /--adapter takes a part of an adapter's name, got an empty one/, `${command}: names the flag`);
    t.notOk(r.openedGpu, `${command}: Dawn was not started`);
  }
});

t.test("every command's --help documents --adapter", async (t) => {
  for (const command of ["train", "eval", "inpaint"]) {
    const r = run(command, ["--help"]);
    t.equal(r.status, 0, `${command} --help exits 0`);
    t.match(r.stdout, /--adapter NAME\s+.*ignoring case.*DEEPFILL_ADAPTER/, `${command} --help`);
  }
});
