/** The default training faces (fake-avatars' PNGs), fetched from the server and decoded in the page. */
import type { RgbImage } from "./engine";
import { decodeImage } from "./images";

/** The first `count` faces (all when undefined), in the order Node's listImages gives them. */
export async function loadFaces(count?: number, onProgress?: (done: number, total: number) => void): Promise<RgbImage[]> {
  const response = await fetch("faces/index.json");
  if (!response.ok) throw new Error(`the default faces could not be listed (HTTP ${response.status}); serve the page with npm run web`);
  const names = ((await response.json()) as string[]).slice(0, count);
  const faces: RgbImage[] = [];
  for (const name of names) {
    const face = await fetch(`faces/${name}`);
    if (!face.ok) throw new Error(`the face ${name} could not be fetched (HTTP ${face.status})`);
    faces.push(await decodeImage(await face.blob(), name));
    onProgress?.(faces.length, names.length);
  }
  return faces;
}
