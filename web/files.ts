/**
 * What the user opened or dropped: a checkpoint (its .safetensors and .json together), an
 * image, or something else, which is refused with a message naming the file and what to open.
 */
export type Opened =
  | { kind: "checkpoint"; tensors: File; sidecar: File }
  | { kind: "image"; file: File };

const IMAGE_NAME = /\.(png|jpe?g|gif|webp|bmp|avif)$/i;

export function classifyFiles(files: readonly File[]): Opened {
  if (files.length === 0) throw new Error("no file was opened");
  const tensors = files.filter((f) => f.name.endsWith(".safetensors"));
  const sidecars = files.filter((f) => f.name.endsWith(".json"));
  if (tensors.length === 1 && sidecars.length === 1 && files.length === 2) return { kind: "checkpoint", tensors: tensors[0]!, sidecar: sidecars[0]! };
  if (tensors.length + sidecars.length > 0) {
    throw new Error(`a checkpoint is two files: open the .safetensors and its .json together (got ${files.map((f) => f.name).join(", ")})`);
  }
  if (files.length === 1 && (files[0]!.type.startsWith("image/") || IMAGE_NAME.test(files[0]!.name))) return { kind: "image", file: files[0]! };
  throw new Error(`${files.map((f) => f.name).join(", ")}: neither a checkpoint (.safetensors with its .json) nor an image (PNG or JPEG)`);
}

/** Calls `onFiles` with what is dropped on `zone`, highlighting it while files hover. */
export function acceptDrops(zone: HTMLElement, onFiles: (files: File[]) => void): void {
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    onFiles([...(event.dataTransfer?.files ?? [])]);
  });
}
