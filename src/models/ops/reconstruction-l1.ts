/**
 * DeepFill's two reconstruction losses as one fused op (kernels/reconstruction_l1.wgsl):
 *
 *   reconstructionL1(image, coarse, refined, weight, boxes, options)
 *     = sum_{b,c,i,j} w[b,i,j] (coarseWeight |t - y1| + |t - y2|) / divisor
 *
 * over the crop of each image to its box, w the weight broadcast over channels (or 1 - w with
 * `complement`), and divisor B C h w (the means of the discounted l1 loss) or C sum(w) (the ae
 * loss, whose means are divided by the share of known pixels). Written as separate ops this
 * was two crops, a sub, an abs, a mul and a mean per output, and as many again backwards; here
 * it is one reduction forwards and one elementwise pass per output backwards, and the crop is
 * read in place.
 *
 * The vjp is a fused kernel too (reconstruction_l1_backward.wgsl), so the op is first-order
 * only (the losses are differentiated once, by the generator's step). The image and the
 * weight are constants: one that requires a gradient is refused.
 */
import { gridFor } from "../../tensor/device.js";
import { defineKernel } from "../../tensor/kernels.js";
import { formatShape, sameShape } from "../../tensor/shape.js";
import type { Tensor } from "../../tensor/tensor.js";
import { record, requiresGrad } from "../../autograd/graph.js";
import { deviceOf, expectRank, launchLinear } from "../../autograd/ops/common.js";
import { checkBoxes, type Box } from "../boxes.js";
import { boxTable } from "./crop-boxes.js";

const GEOMETRY = {
  batch: "u32", channels: "u32", height: "u32", width: "u32", crop_h: "u32", crop_w: "u32", box_stride: "u32", weight_stride: "u32",
} as const;
const FORWARD = defineKernel({
  name: "reconstruction_l1", inputs: ["image", "coarse", "refined", "weight", "boxes"], outputs: ["loss", "scale"],
  params: { ...GEOMETRY, coarse_weight: "f32", complement: "u32", normalize: "u32" },
});
const BACKWARD = defineKernel({
  name: "reconstruction_l1_backward", inputs: ["gy", "image", "estimate", "weight", "boxes", "scale"], outputs: ["de"],
  params: { ...GEOMETRY, factor: "f32", complement: "u32" },
});

/** Lanes of the single workgroup that reduces the whole loss (a power of two). */
const REDUCE_WG = 256;
/** Elements of a row per lane of the backward kernel. */
const PER_LANE = 16;

export interface ReconstructionL1Options {
  /** The coarse output's weight (the official 1.2). */
  coarseWeight: number;
  /** Weigh by 1 - weight (the known pixels of a hole mask). */
  complement?: boolean;
  /** Divide by B C h w ("count", means) or by C sum(weight) ("weight"). */
  normalize: "count" | "weight";
}

/**
 * The loss as a scalar tensor; see the file comment. image, coarse and refined [B, C, H, W];
 * boxes: one for the batch or one per image, all of one size h x w; weight [1 or B, 1, h, w].
 */
export function reconstructionL1(image: Tensor, coarse: Tensor, refined: Tensor, weight: Tensor, boxes: readonly Box[],
  options: ReconstructionL1Options): Tensor {
  const op = "reconstructionL1";
  const device = deviceOf(op, image, coarse, refined, weight);
  if (requiresGrad(image) || requiresGrad(weight)) {
    throw new Error(`${op}: the image and the weight are constants of the loss and must not require a gradient; pass detach() of them`);
  }
  const geometry = checkGeometry(op, image, coarse, refined, weight, boxes);
  const table = boxTable(image, boxes);
  const complement = options.complement ? 1 : 0;
  const loss = device.empty([]);
  const scale = device.empty([1]);
  device.run(FORWARD, {
    inputs: [image, coarse, refined, weight, table].map((t) => t.buffer(op)),
    outputs: [loss.buffer(op), scale.buffer(op)],
    params: { ...geometry, coarse_weight: options.coarseWeight, complement, normalize: options.normalize === "weight" ? 1 : 0 },
    workgroups: gridFor(1, 1),
    overrides: { WG: REDUCE_WG },
  });
  const y = record(op, loss, [coarse, refined], (gy, needed, [image, coarse, refined, weight, table, scale]) => {
    const backward = (estimate: Tensor, factor: number) => launchLinear("reconstructionL1Backward", BACKWARD,
      [gy, image!, estimate, weight!, table!, scale!], estimate.shape, { ...geometry, factor, complement },
      { overrides: { PER_LANE }, invocations: geometry.batch * geometry.channels * geometry.height * Math.ceil(geometry.width / PER_LANE) });
    return [needed[0] ? backward(coarse!, options.coarseWeight) : null, needed[1] ? backward(refined!, 1) : null];
  }, { saved: [image, coarse, refined, weight, table, scale], firstOrderOnly: true });
  // The node holds what the vjp reads; without one (no gradient wanted) these are done with.
  table.dispose();
  scale.dispose();
  return y;
}

function checkGeometry(op: string, image: Tensor, coarse: Tensor, refined: Tensor, weight: Tensor, boxes: readonly Box[]) {
  expectRank(op, image, 4, "image (NCHW)");
  const [b, c, h, w] = image.shape as [number, number, number, number];
  if (!sameShape(coarse.shape, image.shape) || !sameShape(refined.shape, image.shape)) {
    throw new Error(`${op}: coarse ${formatShape(coarse.shape)} and refined ${formatShape(refined.shape)} must have the image's shape ${formatShape(image.shape)}`);
  }
  if (b === 0) throw new Error(`${op}: the batch is empty; the loss is a mean over it`);
  checkBoxes(op, boxes, b, h, w);
  const { height, width } = boxes[0]!;
  const [wb, wc, wh, ww] = weight.shape;
  if (weight.rank !== 4 || (wb !== 1 && wb !== b) || wc !== 1 || wh !== height || ww !== width) {
    throw new Error(`${op}: the weight must be [1 or ${b}, 1, ${height}, ${width}] (the crop's size, broadcast over channels), got ${formatShape(weight.shape)}`);
  }
  return {
    batch: b, channels: c, height: h, width: w, crop_h: height, crop_w: width,
    box_stride: boxes.length === 1 ? 0 : 1, weight_stride: wb === 1 ? 0 : height * width,
  };
}
