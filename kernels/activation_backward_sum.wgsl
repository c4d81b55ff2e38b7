// activation_backward_sum.wgsl: a layer's gradient at its pre-activation and its bias
// gradient in one pass. For g and y viewed as [outer, kept, inner] (a convolution's
// [batch, channels, pixels]):
//   dx[o, m, i] = g[o, m, i] * f'(x) with the slope read from y = f(x) (activation_backward.wgsl)
//   sums[m]     = sum over o, i of dx[o, m, i]                         (sum_outer_inner.wgsl)
// Written as those two kernels, the sum reads dx back from memory; here it is summed while it
// is still in registers, and one dispatch replaces two.
//
// Slopes (OP override; p0 is the activation's parameter, >= 0, so y > 0 exactly where x > 0):
//   0 relu        y > 0 ? 1 : 0
//   1 elu         y > 0 ? 1 : y + p0
//   2 leaky_relu  y > 0 ? 1 : p0
// Work split: one workgroup per kept index m. Its WG lanes (a power of two) walk the
// outer * inner4 vec4s of that m, adjacent lanes on adjacent vec4s, tracking (o, i) by adding
// (WG / inner4, WG % inner4) with one carry instead of dividing per term; the lanes' vec4
// partial sums are then folded by a tree in workgroup memory.
// Bindings: 0 uniform Params, 1 g (read), 2 y (read), 3 dx (write), all as vec4 arrays with
// inner = 4 inner4 (the launcher takes this kernel only when inner is a multiple of 4),
// 4 sums (write, `kept` floats).
// Dispatch: one workgroup per kept index (kept workgroups), a 2-D grid past 65535 workgroups
//   (m = wid.x + wid.y * num_workgroups.x).
struct Params {
  outer: u32,
  kept: u32,
  inner4: u32,
  p0: f32,
}

override OP: u32 = 0u;
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> g: array<vec4f>;
@group(0) @binding(2) var<storage, read> y: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> dx: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> sums: array<f32>;

var<workgroup> partial: array<vec4f, WG>;

fn slope(v: vec4f) -> vec4f {
  let positive = v > vec4f(0.0);
  switch OP {
    case 0u: { return select(vec4f(0.0), vec4f(1.0), positive); }
    case 1u: { return select(v + u.p0, vec4f(1.0), positive); }
    case 2u: { return select(vec4f(u.p0), vec4f(1.0), positive); }
    default: { return vec4f(1.0); }
  }
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_index) lane: u32,
  @builtin(num_workgroups) groups: vec3u,
) {
  let m = wid.x + wid.y * groups.x;
  // `m` is the same for the whole workgroup, so the early exit keeps the barriers uniform.
  if (m >= u.kept) { return; }
  let terms = u.outer * u.inner4;
  let step_o = WG / u.inner4;
  let step_i = WG % u.inner4;
  var o = lane / u.inner4;
  var i = lane % u.inner4;
  var acc = vec4f(0.0);
  for (var j = lane; j < terms; j += WG) {
    let at = (o * u.kept + m) * u.inner4 + i;
    let d = g[at] * slope(y[at]);
    dx[at] = d;
    acc += d;
    o += step_o;
    i += step_i;
    if (i >= u.inner4) {
      i -= u.inner4;
      o += 1u;
    }
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
    let total = partial[0];
    sums[m] = total.x + total.y + total.z + total.w;
  }
}
