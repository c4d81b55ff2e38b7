/**
 * Up-front checks of the paths a command reads and writes. Every command runs them before it
 * opens the GPU or decodes data, so a mistyped path costs a fraction of a second instead of a
 * model load, and nothing is written before all of them pass. Each failure is one line that
 * names the path and the fix, instead of a bare errno found half-way through a run.
 *
 * "The same file" means the same file on disk: two paths that resolve to one file through
 * symlinks, "./a.png" against "a.png", or hard links all count, so an output can never be
 * written over an input.
 */
import { accessSync, constants, existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** A path with the words that name it in messages, e.g. "--out" or "the result of photos/a.jpg". */
export interface NamedPath {
  path: string;
  what: string;
}

/** Throws unless `path` can be written as a file: not empty, not a folder, under folders that exist or can be made, writable. */
export function checkOutputFile(path: string, flag: string): void {
  refuseEmpty(path, flag, "pass a file name such as out.png");
  if (existsSync(path) && statSync(path).isDirectory()) throw new Error(`${flag} ${path} is a folder; pass a file name, e.g. ${join(path, "out.png")}`);
  checkWritableFrom(dirname(path), path, flag);
}

/** Throws unless `path` can be written as a folder: not empty, not a file, under folders that exist or can be made, writable. */
export function checkOutputFolder(path: string, flag: string): void {
  refuseEmpty(path, flag, "pass a folder name (use . for the current folder)");
  if (existsSync(path) && !statSync(path).isDirectory()) throw new Error(`${flag} ${path} is a file, but the results go into a folder; pass a folder name (it is created if needed)`);
  checkWritableFrom(path, path, flag);
}

/**
 * Throws unless `path` can name a checkpoint: an existing folder, or an existing .json sidecar
 * or .safetensors file. Catches e.g. an image passed by mistake before anything is loaded.
 */
export function checkCheckpointPath(path: string, flag: string): void {
  const what = "pass a run folder, its checkpoints/ folder, a step-*.json sidecar or its .safetensors";
  refuseEmpty(path, flag, what);
  if (!existsSync(path)) throw new Error(`${flag} ${path} does not exist; ${what}`);
  if (!statSync(path).isDirectory() && !/\.(json|safetensors)$/.test(path)) throw new Error(`${flag} ${path} is not a checkpoint (neither a folder nor a .json or .safetensors file); ${what}`);
}

/**
 * Throws when an output is the same file as an input, or two outputs are the same file, naming
 * both. Call it with every file a command will write before it writes the first.
 */
export function refuseOverwrites(outputs: readonly NamedPath[], inputs: readonly NamedPath[]): void {
  const inputKeys = new Map(inputs.map((input) => [fileKey(input.path), input]));
  const written = new Map<string, NamedPath>();
  for (const output of outputs) {
    const key = fileKey(output.path);
    const input = inputKeys.get(key);
    if (input) throw new Error(`${output.what} would overwrite ${input.what} ${input.path} (${output.path} is that file); write the results somewhere else`);
    const other = written.get(key);
    if (other) throw new Error(`${other.what} and ${output.what} would both be written to ${output.path}, so one would be lost; rename one of them or pass another output path`);
    written.set(key, output);
  }
}

function refuseEmpty(path: string, flag: string, fix: string): void {
  if (path === "") throw new Error(`${flag} is empty; ${fix}`);
}

/**
 * Checks that the nearest existing folder at or above `dir` is a folder (not a file in the
 * way) and is writable, which is what creating `target` needs.
 */
function checkWritableFrom(dir: string, target: string, flag: string): void {
  let existing = dir;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) throw new Error(`${flag} ${target} cannot be created: ${existing} is a file, not a folder; pass a path under a folder`);
  try {
    accessSync(existing, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "EROFS" ? "is on a read-only file system" : code === "EACCES" || code === "EPERM" ? "is not writable for this user" : `cannot be written (${code})`;
    throw new Error(`${flag} ${target} cannot be written: ${existing === target ? "it" : `folder ${existing}`} ${why}; pass a path in a writable folder`);
  }
}

/**
 * What identifies the file at `path`: device and inode when it exists (symlinks and hard links
 * included), else its absolute path with the existing folders above it resolved through symlinks.
 */
function fileKey(path: string): string {
  // Resolved first, so "missing/../a.png" is a.png, as it is once writing creates "missing".
  let existing = resolve(path);
  if (existsSync(existing)) {
    const stats = statSync(existing);
    return `inode ${stats.dev}:${stats.ino}`;
  }
  const rest: string[] = [];
  while (!existsSync(existing) && dirname(existing) !== existing) {
    rest.unshift(basename(existing));
    existing = dirname(existing);
  }
  return `path ${join(realpathSync(existing), ...rest)}`;
}
