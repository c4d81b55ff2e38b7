/** A fresh folder under os.tmpdir() for one test, removed when that test ends. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function tempDir(t: { teardown: (fn: () => void) => void }, prefix = "deepfill-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A tmpfs mounted on a fresh folder named `name` (mount options such as "ro,size=1m"), for
 * tests of full and read-only file systems; unmounted and removed when `t` ends. Mounting
 * needs root, so where it is refused the reason comes back instead, for the test's skip.
 */
export function mountTmpfs(t: { teardown: (fn: () => void) => void }, name: string, options: string): { dir: string } | { why: string } {
  const parent = mkdtempSync(join(tmpdir(), "deepfill-tmpfs-"));
  const dir = join(parent, name);
  mkdirSync(dir);
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], { encoding: "utf8" });
  const removeParent = () => rmSync(parent, { recursive: true, force: true });
  if (mount.status !== 0) {
    removeParent();
    return { why: `mounting a tmpfs (${options}) is not permitted here: ${(mount.stderr || String(mount.error)).trim()}` };
  }
  t.teardown(() => {
    spawnSync("umount", [dir]);
    removeParent();
  });
  return { dir };
}
