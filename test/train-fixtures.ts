/** What the tests of train.js's processes share. */
import { spawnSync } from "node:child_process";
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { defaultDataFolder } from "../src/data/image-folder.js";
import { tempDir } from "./tempdir.js";

/** A folder with the first `count` fake avatars, removed when `t` ends. */
export function avatars(t: { teardown: (fn: () => void) => void }, count: number): string {
  const dir = tempDir(t);
  const files = readdirSync(defaultDataFolder()).filter((f) => f.endsWith(".png")).sort().slice(0, count);
  for (const f of files) copyFileSync(join(defaultDataFolder(), f), join(dir, f));
  return dir;
}

/** A process id that is certainly not running: a child that has already exited. */
export function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}
