// binary.wgsl: out[i] = f(a[ia], b[ib]) with NumPy broadcasting.
//
// Math (OP override): 0 add a+b, 1 sub a-b, 2 mul a*b, 3 div a/b, 4 pow a^b, 5 maximum,
// 6 minimum, 7 greater (a > b ? 1 : 0), 8 greater_equal, 9 equal.
// Broadcasting: out has `rank` axes (at most 8) of sizes out_shape; a and b are read
// through per-axis strides that are 0 on broadcast axes, so ia = sum_k c_k * a_strides[k].
// The launcher merges adjacent axes that both operands walk contiguously, so `rank` is
// often smaller than the tensors'.
// Bindings: 0 uniform Params, 1 a (read), 2 b (read), 3 out (write), all as vec4 arrays
// (pooled buffers are multiples of 16 bytes, so a partial last vec4 stays in bounds).
// Dispatch (LAYOUT override), 2-D grid past 65535 workgroups (linear index = x + y *
// num_workgroups.x * WG):
//   0 same shape: the operands have the output's shape and each invocation handles
//     PER_LANE consecutive vec4s: on lavapipe a vec4 load costs about what a scalar load
//     does, so this ran 3x faster than one scalar per lane.
//   1 broadcast: each invocation computes one vec4 of output (4 elements) from scalar
//     reads; it writes whole vec4s because a write to one vector component may touch its
//     neighbours.
//   2 broadcast, last axis a multiple of 4 with stride 1 or 0 in each operand (a map times
//     a per-pixel mask, patches over their norms): each invocation computes a run of up to
//     PER_LANE vec4s of one row of the last axis (rows x ceil(row vec4s / PER_LANE)
//     invocations) from one offset computation, with one vec4 load per operand and vec4 (a
//     splat of one value where the stride is 0). Offsets are then multiples of 4 where the
//     stride is 1.
struct Params {
  count: u32,
  rank: u32,
  out_shape: array<vec4<i32>, 2>,
  a_strides: array<vec4<i32>, 2>,
  b_strides: array<vec4<i32>, 2>,
}

override OP: u32 = 0u;
override LAYOUT: u32 = 1u;
override WG: u32 = 64u;
override PER_LANE: u32 = 4u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> out: array<vec4f>;

fn apply(x: vec4f, y: vec4f) -> vec4f {
  let zero = vec4f(0.0);
  let one = vec4f(1.0);
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return pow(x, y); }
    case 5u: { return max(x, y); }
    case 6u: { return min(x, y); }
    case 7u: { return select(zero, one, x > y); }
    case 8u: { return select(zero, one, x >= y); }
    case 9u: { return select(zero, one, x == y); }
    default: { return x; }
  }
}

// The element offsets of output element i in a and b.
fn offsets(i: i32) -> vec2<i32> {
  var rest = i;
  var offset = vec2<i32>(0, 0);
  for (var k = i32(u.rank) - 1; k >= 0; k--) {
    let size = u.out_shape[k / 4][k % 4];
    let c = rest % size;
    rest = rest / size;
    offset += c * vec2<i32>(u.a_strides[k / 4][k % 4], u.b_strides[k / 4][k % 4]);
  }
  return offset;
}

// The run of invocation `lane` in the vec4 layout: vec4s [x, y) of the output, up to PER_LANE
// of one row of the last merged axis (the launcher's broadcastLayout sizes the grid to
// rows * runs per row); an empty run past the last row.
fn vec4_run(lane: u32, vec_count: u32) -> vec2u {
  let last = i32(u.rank) - 1;
  let row_vecs = u32(u.out_shape[last / 4][last % 4]) / 4u;
  let runs_per_row = (row_vecs + PER_LANE - 1u) / PER_LANE;
  let row = lane / runs_per_row;
  if (row >= vec_count / row_vecs) { return vec2u(0u, 0u); }
  let first = row * row_vecs + (lane - row * runs_per_row) * PER_LANE;
  return vec2u(first, min(first + PER_LANE, (row + 1u) * row_vecs));
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let lane = gid.x + gid.y * groups.x * WG;
  let vec_count = (u.count + 3u) / 4u;
  if (LAYOUT == 0u) {
    let first = lane * PER_LANE;
    for (var v = first; v < min(first + PER_LANE, vec_count); v++) {
      out[v] = apply(a[v], b[v]);
    }
    return;
  }
  if (LAYOUT == 2u) {
    let run = vec4_run(lane, vec_count);
    if (run.x == run.y) { return; }
    let o = offsets(i32(run.x * 4u));
    let last = i32(u.rank) - 1;
    let a_walks = u.a_strides[last / 4][last % 4] != 0;
    let b_walks = u.b_strides[last / 4][last % 4] != 0;
    let a_splat = vec4f(a[o.x / 4][o.x % 4]);
    let b_splat = vec4f(b[o.y / 4][o.y % 4]);
    for (var v = run.x; v < run.y; v++) {
      let j = i32(v - run.x);
      out[v] = apply(select(a_splat, a[o.x / 4 + j], a_walks), select(b_splat, b[o.y / 4 + j], b_walks));
    }
    return;
  }
  if (lane >= vec_count) { return; }
  var xs = vec4f(0.0);
  var ys = vec4f(0.0);
  for (var j = 0u; j < 4u; j++) {
    let i = lane * 4u + j;
    if (i < u.count) {
      let o = offsets(i32(i));
      xs[j] = a[o.x / 4][o.x % 4];
      ys[j] = b[o.y / 4][o.y % 4];
    }
  }
  out[lane] = apply(xs, ys);
}
