/** What the tests of training share: data, configurations and process helpers for train.js. */
import { spawnSync } from "node:child_process";
import { copyFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { defaultDataFolder } from "../src/data/image-folder.js";
import { makeConfig, type TrainConfig } from "../src/train/config.js";
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

/** The smallest training configuration: 32x32, batch 1, widths 4 and 8. */
export function tinyConfig(overrides: Partial<TrainConfig> = {}): TrainConfig {
  return makeConfig("tiny", { height: 32, width: 32, batch: 1, cnum: 4, criticCnum: 8, ...overrides });
}
