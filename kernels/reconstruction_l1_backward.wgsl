// reconstruction_l1_backward.wgsl: the gradient of reconstruction_l1.wgsl's loss w.r.t. one
// of its two estimates e (coarse or refined; one dispatch each, so either can be skipped).
//
// Math: with gy the loss's incoming gradient (one value), scale = 1 / divisor from the
// forward kernel, factor the estimate's weight in the loss (coarse_weight or 1), t the image
// and w the (complemented) weight at the pixel,
//   de[b,c,y,x] = gy * scale * factor * w[b, y - top_b, x - left_b] * sign(e - t)   inside image b's box
//               = 0                                                                  outside it
// with sign(0) = 0 (abs's derivative taken as 0 at 0, as the abs op does). The result has the
// full image shape, so no padding of a cropped gradient is needed.
// Bindings: 0 uniform Params, 1 gy ([1]), 2 image, 3 estimate, 4 weight, 5 boxes, 6 scale ([1])
//   (read); 7 de (write, like estimate).
// Dispatch: one invocation per PER_LANE consecutive elements of a row of estimate
// (B C H ceil(W / PER_LANE) in all), WG lanes per workgroup, 2-D grid past 65535 workgroups
// (linear lane = x + y * num_workgroups.x * WG).
struct Params {
  batch: u32,
  channels: u32,
  height: u32,
  width: u32,
  crop_h: u32,
  crop_w: u32,
  box_stride: u32,
  weight_stride: u32,
  factor: f32,
  complement: u32,
}

override WG: u32 = 64u;
// Elements of one row per lane: the row, image and box come from one division per lane, not
// one per element (integer division is slow on CPU adapters, which have no vector divide).
override PER_LANE: u32 = 16u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> gy: array<f32>;
@group(0) @binding(2) var<storage, read> image: array<f32>;
@group(0) @binding(3) var<storage, read> estimate: array<f32>;
@group(0) @binding(4) var<storage, read> weight: array<f32>;
@group(0) @binding(5) var<storage, read> boxes: array<f32>;
@group(0) @binding(6) var<storage, read> scale: array<f32>;
@group(0) @binding(7) var<storage, read_write> de: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let lane = gid.x + gid.y * groups.x * WG;
  let chunks = (u.width + PER_LANE - 1u) / PER_LANE;
  let row = lane / chunks;
  if (row >= u.batch * u.channels * u.height) { return; }
  let b = row / (u.channels * u.height);
  let y = i32(row % u.height) - i32(boxes[2u * b * u.box_stride]);
  let left = i32(boxes[2u * b * u.box_stride + 1u]);
  let first = (lane % chunks) * PER_LANE;
  let last = min(first + PER_LANE, u.width);
  let inside_row = y >= 0 && y < i32(u.crop_h);
  let g = gy[0] * scale[0] * u.factor;
  for (var x = first; x < last; x++) {
    let index = row * u.width + x;
    let j = i32(x) - left;
    var d = 0.0;
    if (inside_row && j >= 0 && j < i32(u.crop_w)) {
      var w = weight[b * u.weight_stride + u32(y) * u.crop_w + u32(j)];
      if (u.complement == 1u) { w = 1.0 - w; }
      d = g * w * sign(estimate[index] - image[index]);
    }
    de[index] = d;
  }
}
