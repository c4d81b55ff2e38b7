/**
 * A training data set from a folder of PNG and JPEG images (Node): every *.png, *.jpg and
 * *.jpeg under the folder, recursively (through symlinked folders too), case-insensitive,
 * skipping names that start with "." (hidden files, editors' temporaries). The extension only
 * selects files; the decoder trusts the bytes, so a mislabelled JPEG still reads. Sorted by
 * path so the index of each image, and therefore every seeded batch, is the same on every run.
 * The default folder is the fake-avatars package's faces.
 */
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { readRgb } from "../io/image.js";
import { ImageDataset, type DatasetOptions } from "./dataset.js";

export interface ImageFolderOptions extends DatasetOptions {
  /** Folder of images (default: the fake-avatars package's PNGs). */
  folder?: string;
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

/** The folder of fake-avatars' 263 PNG faces (256x256), the default data set. */
export function defaultDataFolder(): string {
  const require = createRequire(import.meta.url);
  let manifest: string;
  try {
    manifest = require.resolve("fake-avatars/package.json");
  } catch {
    throw new Error("the default data set (npm package fake-avatars) is not installed: run `npm install`, or pass a folder of images");
  }
  return join(dirname(manifest), "avatars", "png");
}

/** Image paths under `folder`, recursively, sorted; errors name the folder and the fix. */
export function listImages(folder: string): string[] {
  if (!existsSync(folder)) throw new Error(`data folder ${folder} does not exist; pass a folder of PNG or JPEG images`);
  if (!statSync(folder).isDirectory()) throw new Error(`data folder ${folder} is a file, not a folder; pass the folder that holds the images`);
  const found: string[] = [];
  // Symlinked folders are followed like real ones; each real folder is read once, so a link
  // back up the tree (a cycle) or two links to one folder neither loop nor list images twice.
  const visited = new Set<string>();
  const walk = (dir: string) => {
    const real = realpathSync(dir);
    if (visited.has(real)) return;
    visited.add(real);
    // By name, so which of two links to one folder is listed does not depend on the file system.
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory() || (entry.isSymbolicLink() && isFolder(path))) walk(path);
      else if (IMAGE_EXTENSIONS.test(entry.name)) found.push(path);
    }
  };
  walk(folder);
  if (found.length === 0) throw new Error(`data folder ${folder} holds no .png, .jpg or .jpeg files (searched recursively); add images or pass another folder`);
  // Compare relative paths by code unit, not locale, so the order is the same on every machine.
  return found.sort((a, b) => (relative(folder, a) < relative(folder, b) ? -1 : 1));
}

/** True for a folder or a link to one; false for anything else, a broken link included. */
function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Lists and decodes every image of the folder once; throws a one-line error for the first bad folder or file. */
export function loadImageFolder(options: ImageFolderOptions): ImageDataset {
  const folder = options.folder ?? defaultDataFolder();
  const files = listImages(folder);
  return ImageDataset.fitting(files.length, (index) => ({ name: files[index]!, image: readRgb(files[index]!) }), options, folder);
}
