// reconstruction_l1.wgsl: DeepFill's weighted L1 of two outputs against the real image, over a
// crop of each image, reduced to a scalar in one pass (the l1 and ae losses).
//
// Math: for the image t, coarse y1 and refined y2, all [B, C, H, W], a box (top_b, left_b) of
// crop_h x crop_w per image (or one for all: box_stride 0), weights w [1 or B, 1, crop_h,
// crop_w] broadcast over channels (or 1 - w when complement is 1):
//   S = sum_{b,c,i,j} w[b,i,j] (coarse_weight |t - y1| + |t - y2|)   at pixel (top_b + i, left_b + j)
//   divisor = B C crop_h crop_w                  (normalize 0: the means of the l1 loss)
//           = C sum_{b,i,j} w[b,i,j]             (normalize 1: the ae loss's division by the known share)
//   loss = S / divisor;  scale = 1 / divisor (the backward kernel's input)
// The crop is read in place (no copy of it is made). One workgroup does everything: its lanes
// stride over the B crop_h crop_w pixels (adjacent lanes, adjacent pixels of a row), each
// pixel's weight read once for its C channels, then a tree in workgroup memory adds the lanes'
// partial sums (WG must be a power of two). The losses are a small share of a step, so one
// workgroup is enough.
// Bindings: 0 uniform Params, 1 image, 2 coarse, 3 refined, 4 weight, 5 boxes ([B or 1, 2]
//   as (top, left) floats, exact below 2^24) (read); 6 loss ([1]), 7 scale ([1]) (write).
// Dispatch: exactly one workgroup of WG lanes.
struct Params {
  batch: u32,
  channels: u32,
  height: u32,
  width: u32,
  crop_h: u32,
  crop_w: u32,
  box_stride: u32,
  weight_stride: u32,
  coarse_weight: f32,
  complement: u32,
  normalize: u32,
}

override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> image: array<f32>;
@group(0) @binding(2) var<storage, read> coarse: array<f32>;
@group(0) @binding(3) var<storage, read> refined: array<f32>;
@group(0) @binding(4) var<storage, read> weight: array<f32>;
@group(0) @binding(5) var<storage, read> boxes: array<f32>;
@group(0) @binding(6) var<storage, read_write> loss: array<f32>;
@group(0) @binding(7) var<storage, read_write> scale: array<f32>;

var<workgroup> sums: array<f32, WG>;
var<workgroup> weights: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lane: u32) {
  let crop = u.crop_h * u.crop_w;
  let plane = u.height * u.width;
  var acc = 0.0;
  var weight_sum = 0.0;
  // Pixel p = lane + k WG of the B crop_h crop_w crop pixels, as (b, i, j), stepped without a
  // division per pixel (integer division is slow on CPU adapters).
  let step_i = WG / u.crop_w;
  let step_j = WG % u.crop_w;
  var j = lane % u.crop_w;
  var i = lane / u.crop_w;
  var b = i / u.crop_h;
  i = i % u.crop_h;
  for (var p = lane; p < u.batch * crop; p += WG) {
    let top = u32(boxes[2u * b * u.box_stride]);
    let left = u32(boxes[2u * b * u.box_stride + 1u]);
    var w = weight[b * u.weight_stride + i * u.crop_w + j];
    if (u.complement == 1u) { w = 1.0 - w; }
    var pixel = (b * u.channels * u.height + top + i) * u.width + left + j;
    var diffs = 0.0;
    for (var c = 0u; c < u.channels; c++) {
      let t = image[pixel];
      diffs += u.coarse_weight * abs(t - coarse[pixel]) + abs(t - refined[pixel]);
      pixel += plane;
    }
    acc = fma(w, diffs, acc);
    weight_sum += w;
    j += step_j;
    i += step_i;
    if (j >= u.crop_w) {
      j -= u.crop_w;
      i += 1u;
    }
    while (i >= u.crop_h) {
      i -= u.crop_h;
      b += 1u;
    }
  }
  sums[lane] = acc;
  weights[lane] = weight_sum;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      sums[lane] += sums[lane + half];
      weights[lane] += weights[lane + half];
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    let count = f32(u.batch * u.channels * crop);
    let divisor = select(count, f32(u.channels) * weights[0], u.normalize == 1u);
    scale[0] = 1.0 / divisor;
    loss[0] = sums[0] / divisor;
  }
}
