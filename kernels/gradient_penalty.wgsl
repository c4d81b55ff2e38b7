// gradient_penalty.wgsl: the WGAN-GP penalty with a mask on the gradient (DeepFill v1).
//
// Math: for g [B, C, H, W] and mask [B, 1, H, W] (broadcast over the C channels),
//   n_b = sqrt( sum_{c,y,x} g[b,c,y,x]^2 * mask[b,0,y,x] )
//   penalty = (1 / B) * sum_b (n_b - 1)^2
// Outputs: penalty [1] and the norms n [B] (the backward kernel's input).
// One workgroup does everything, sample by sample: its lanes stride over the H*W pixels
// (adjacent lanes read adjacent pixels of a channel plane), each pixel's mask is read once and
// multiplies the sum of its C squared values, then a tree in workgroup memory adds the lanes'
// partial sums (WG must be a power of two). Lane 0 accumulates (n_b - 1)^2 across samples, so
// no second pass or atomics are needed. The reads are one pass over g: the penalty is a small
// share of a critic step, so a single workgroup is enough.
// Bindings: 0 uniform Params, 1 g (read), 2 mask (read), 3 penalty (write, [1]),
//   4 norms (write, [B]).
// Dispatch: exactly one workgroup of WG lanes.
struct Params {
  batch: u32,
  channels: u32,
  plane: u32,
}

override WG: u32 = 256u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> g: array<f32>;
@group(0) @binding(2) var<storage, read> mask: array<f32>;
@group(0) @binding(3) var<storage, read_write> penalty: array<f32>;
@group(0) @binding(4) var<storage, read_write> norms: array<f32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lane: u32) {
  var total = 0.0;
  for (var b = 0u; b < u.batch; b++) {
    let sample = b * u.channels * u.plane;
    var acc = 0.0;
    for (var p = lane; p < u.plane; p += WG) {
      var squares = 0.0;
      for (var c = 0u; c < u.channels; c++) {
        let v = g[sample + c * u.plane + p];
        squares = fma(v, v, squares);
      }
      acc = fma(squares, mask[b * u.plane + p], acc);
    }
    partial[lane] = acc;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half /= 2u) {
      if (lane < half) {
        partial[lane] += partial[lane + half];
      }
      workgroupBarrier();
    }
    if (lane == 0u) {
      let n = sqrt(partial[0]);
      norms[b] = n;
      total += (n - 1.0) * (n - 1.0);
    }
    // Every lane must have read partial[0] before the next sample overwrites it.
    workgroupBarrier();
  }
  if (lane == 0u) {
    penalty[0] = total / f32(u.batch);
  }
}
