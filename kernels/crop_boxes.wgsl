// crop_boxes.wgsl: the crop of every image of a batch to its own box, in one pass (the local
// critic's input and the losses' crops; as slices and a concat it was two copies per image).
//
// Math: for x [B, C, H, W] and boxes (top_b, left_b) of h x w (one per image, or one for all:
// box_stride 0),
//   UNCROP 0 (crop):   out[b,c,i,j] = x[b, c, top_b + i, left_b + j]               out [B, C, h, w]
//   UNCROP 1 (uncrop): out[b,c,y,x] = x[b, c, y - top_b, x - left_b] inside the box, 0 outside;
//                      out [B, C, H, W], x [B, C, h, w] (the adjoint of the crop)
// Each invocation does a run of up to PER_LANE elements of one output row, so the divisions
// that find the row, image and box (slow on CPU adapters) happen once per run.
// Bindings: 0 uniform Params, 1 x (read), 2 boxes ([B or 1, 2] as (top, left) floats, exact
//   below 2^24) (read), 3 out (write).
// Dispatch: one invocation per run, B C rows ceil(cols / PER_LANE) in all (rows and cols of the
// output), WG lanes per workgroup, 2-D grid past 65535 workgroups.
struct Params {
  batch: u32,
  channels: u32,
  height: u32,
  width: u32,
  crop_h: u32,
  crop_w: u32,
  box_stride: u32,
}

override WG: u32 = 64u;
override UNCROP: u32 = 0u;
override PER_LANE: u32 = 16u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> boxes: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let lane = gid.x + gid.y * groups.x * WG;
  let rows = select(u.crop_h, u.height, UNCROP == 1u);
  let cols = select(u.crop_w, u.width, UNCROP == 1u);
  let runs = (cols + PER_LANE - 1u) / PER_LANE;
  let row = lane / runs;
  if (row >= u.batch * u.channels * rows) { return; }
  let plane = row / rows;
  let r = row % rows;
  let b = plane / u.channels;
  let top = u32(boxes[2u * b * u.box_stride]);
  let left = u32(boxes[2u * b * u.box_stride + 1u]);
  let first = (lane % runs) * PER_LANE;
  let last = min(first + PER_LANE, cols);
  if (UNCROP == 0u) {
    let src = (plane * u.height + top + r) * u.width + left;
    for (var j = first; j < last; j++) {
      out[row * cols + j] = x[src + j];
    }
    return;
  }
  // r is an image row here; the crop row it holds, if any, is r - top.
  let inside_row = r >= top && r < top + u.crop_h;
  let src = (plane * u.crop_h + r - top) * u.crop_w;
  for (var j = first; j < last; j++) {
    var v = 0.0;
    if (inside_row && j >= left && j < left + u.crop_w) {
      v = x[src + j - left];
    }
    out[row * cols + j] = v;
  }
}
