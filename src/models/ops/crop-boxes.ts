/**
 * The crop of every image of a batch to its own box, and its adjoint, as one kernel each
 * (kernels/crop_boxes.wgsl): cropBoxes(x [B, C, H, W], boxes) -> [B, C, h, w] and
 * uncropBoxes(g [B, C, h, w], boxes, H, W) -> [B, C, H, W], zero outside the boxes. Each is
 * the other's vjp, so both can be differentiated any number of times. As a slice per image
 * and a concat the crop cost two copies per image forwards, and backwards a pad per image and
 * B - 1 full-size additions.
 */
import { defineKernel } from "../../tensor/kernels.js";
import type { Tensor } from "../../tensor/tensor.js";
import { formatShape } from "../../tensor/shape.js";
import { record } from "../../autograd/graph.js";
import { deviceOf, expectRank, launchLinear } from "../../autograd/ops/common.js";
import { checkBoxes, type Box } from "../boxes.js";

const CROP = defineKernel({
  name: "crop_boxes", inputs: ["x", "boxes"], outputs: ["out"],
  params: { batch: "u32", channels: "u32", height: "u32", width: "u32", crop_h: "u32", crop_w: "u32", box_stride: "u32" },
});
/** Elements of an output row per lane. */
const PER_LANE = 16;

/** The boxes as the kernels read them: [count, 2] (top, left) floats. */
export function boxTable(x: Tensor, boxes: readonly Box[]): Tensor {
  return x.device.tensor(boxes.flatMap((box) => [box.top, box.left]), [boxes.length, 2]);
}

function launch(op: string, x: Tensor, boxes: readonly Box[], image: readonly [number, number], uncrop: boolean): Tensor {
  const [b, c] = x.shape as [number, number];
  const { height, width } = boxes[0]!;
  const outShape = uncrop ? [b, c, image[0], image[1]] : [b, c, height, width];
  const table = boxTable(x, boxes);
  const out = launchLinear(op, CROP, [x, table], outShape,
    { batch: b, channels: c, height: image[0], width: image[1], crop_h: height, crop_w: width, box_stride: boxes.length === 1 ? 0 : 1 },
    { overrides: { UNCROP: uncrop ? 1 : 0, PER_LANE }, invocations: b * c * outShape[2]! * Math.ceil(outShape[3]! / PER_LANE) });
  table.dispose();
  return out;
}

/** x [B, C, H, W] cropped to one box for the batch or one per image, all of one size: -> [B, C, h, w]. */
export function cropBoxes(x: Tensor, boxes: readonly Box[]): Tensor {
  const op = "cropBoxes";
  deviceOf(op, x);
  expectRank(op, x, 4, "image batch (NCHW)");
  const [b, , h, w] = x.shape as [number, number, number, number];
  checkBoxes(op, boxes, b, h, w);
  return record(op, launch(op, x, boxes, [h, w], false), [x], (g) => [uncropBoxes(g, boxes, h, w)]);
}

/** The adjoint of cropBoxes: g [B, C, h, w] placed at each image's box of an h x w zero image. */
export function uncropBoxes(g: Tensor, boxes: readonly Box[], height: number, width: number): Tensor {
  const op = "uncropBoxes";
  deviceOf(op, g);
  expectRank(op, g, 4, "crops (NCHW)");
  checkBoxes(op, boxes, g.shape[0]!, height, width);
  if (g.shape[2] !== boxes[0]!.height || g.shape[3] !== boxes[0]!.width) {
    throw new Error(`${op}: the crops ${formatShape(g.shape)} are not of the boxes' size ${boxes[0]!.height}x${boxes[0]!.width}`);
  }
  return record(op, launch(op, g, boxes, [height, width], true), [g], (gg) => [cropBoxes(gg, boxes)]);
}
