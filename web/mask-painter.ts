/**
 * Painting the holes. The canvas shows the image at its own pixels (CSS scales it to fit) with
 * the holes tinted; the mask is kept at the image's size, 1 in a hole. A pointer (mouse, pen or
 * finger) paints round dabs along its path; each stroke can be undone. Keyboard users add a
 * hole with the "hole in the middle" button and undo with Ctrl+Z on the canvas.
 */
import type { HoleMask, RgbImage } from "./engine";
import { toImageData } from "./images";

const HOLE_TINT = [255, 0, 255] as const;
const UNDO_DEPTH = 30;

export class MaskPainter {
  private image: RgbImage | null = null;
  private mask: Uint8Array = new Uint8Array(0);
  private readonly history: Uint8Array[] = [];
  private last: [number, number] | null = null;
  /** Brush diameter in the canvas's on-screen pixels. */
  brush = 24;

  constructor(private readonly canvas: HTMLCanvasElement, private readonly onChange: () => void) {
    canvas.addEventListener("pointerdown", (event) => {
      if (!this.image) return;
      canvas.setPointerCapture(event.pointerId);
      this.remember();
      this.last = null;
      this.paint(event);
    });
    canvas.addEventListener("pointermove", (event) => {
      if (this.image && canvas.hasPointerCapture(event.pointerId)) this.paint(event);
    });
    canvas.addEventListener("pointerup", () => (this.last = null));
    canvas.addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "z") {
        event.preventDefault();
        this.undo();
      }
    });
  }

  /** Starts over on a new image with no hole. */
  setImage(image: RgbImage): void {
    this.image = image;
    this.mask = new Uint8Array(image.width * image.height);
    this.history.length = 0;
    this.redraw();
  }

  /** The holes painted so far (a copy). */
  holes(): HoleMask {
    if (!this.image) throw new Error("open an image first, then paint the holes");
    return { width: this.image.width, height: this.image.height, data: this.mask.slice() };
  }

  /** Replaces the holes (a mask file, or the page's hook); it must have the image's size. */
  setHoles(mask: HoleMask): void {
    if (!this.image) throw new Error("open an image before the mask");
    const { width, height } = this.image;
    if (mask.width !== width || mask.height !== height) {
      throw new Error(`the mask is ${mask.width}x${mask.height} but the image is ${width}x${height}; the mask must have the image's size (white = hole)`);
    }
    this.remember();
    this.mask = Uint8Array.from(mask.data, (v) => (v ? 1 : 0));
    this.redraw();
  }

  /** A square hole over the middle third of the image. */
  holeInMiddle(): void {
    if (!this.image) throw new Error("open an image first");
    const { width, height } = this.image;
    this.remember();
    for (let y = Math.floor(height / 3); y < Math.ceil((2 * height) / 3); y++) this.mask.fill(1, y * width + Math.floor(width / 3), y * width + Math.ceil((2 * width) / 3));
    this.redraw();
  }

  undo(): void {
    const previous = this.history.pop();
    if (!previous) return;
    this.mask = previous;
    this.redraw();
  }

  clear(): void {
    if (!this.image || !this.mask.includes(1)) return;
    this.remember();
    this.mask.fill(0);
    this.redraw();
  }

  get canUndo(): boolean {
    return this.history.length > 0;
  }

  private remember(): void {
    this.history.push(this.mask.slice());
    if (this.history.length > UNDO_DEPTH) this.history.shift();
  }

  /** Paints dabs from the last pointer position to this one, in image pixels. */
  private paint(event: PointerEvent): void {
    const box = this.canvas.getBoundingClientRect();
    const scale = this.canvas.width / box.width;
    const point: [number, number] = [(event.clientX - box.left) * scale, (event.clientY - box.top) * scale];
    const radius = Math.max(0.5, (this.brush * scale) / 2);
    const [from, to] = [this.last ?? point, point];
    const steps = Math.max(1, Math.ceil(Math.hypot(to[0] - from[0], to[1] - from[1]) / (radius / 2)));
    for (let s = 0; s <= steps; s++) this.dab(from[0] + ((to[0] - from[0]) * s) / steps, from[1] + ((to[1] - from[1]) * s) / steps, radius);
    this.last = point;
    this.redraw();
  }

  private dab(cx: number, cy: number, radius: number): void {
    const { width, height } = this.image!;
    for (let y = Math.max(0, Math.floor(cy - radius)); y < Math.min(height, Math.ceil(cy + radius)); y++) {
      for (let x = Math.max(0, Math.floor(cx - radius)); x < Math.min(width, Math.ceil(cx + radius)); x++) {
        if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= radius * radius) this.mask[y * width + x] = 1;
      }
    }
  }

  private redraw(): void {
    const image = this.image!;
    this.canvas.width = image.width;
    this.canvas.height = image.height;
    const pixels = toImageData(image);
    for (let p = 0; p < this.mask.length; p++) if (this.mask[p]) pixels.data.set(HOLE_TINT, 4 * p);
    this.canvas.getContext("2d")!.putImageData(pixels, 0, 0);
    this.onChange();
  }
}
