/** Crop boxes of the DeepFill losses and the local critic: one rectangle per image, or one for the batch. */

/** A crop rectangle in pixels (the v1 bbox: 128 x 128 at 256^2). */
export interface Box {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** Throws one line naming the problem unless `boxes` (1 or `batch` of them, all of one size) fit h x w images. */
export function checkBoxes(op: string, boxes: readonly Box[], batch: number, h: number, w: number): void {
  if (boxes.length !== 1 && boxes.length !== batch) throw new Error(`${op}: need 1 box or one per image (${batch}), got ${boxes.length}`);
  const { height, width } = boxes[0]!;
  for (const box of boxes) {
    if (box.height !== height || box.width !== width) {
      throw new Error(`${op}: every box must have one size (${height}x${width}), got ${box.height}x${box.width}`);
    }
    if (box.top < 0 || box.left < 0 || box.top + height > h || box.left + width > w) {
      throw new Error(`${op}: the box at (${box.top}, ${box.left}) of ${height}x${width} does not fit the ${h}x${w} image`);
    }
  }
}
