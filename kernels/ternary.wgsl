// ternary.wgsl: an elementwise op of three operands with NumPy broadcasting of all three,
// chosen by the OP override:
//   0 where  out[i] = x[ix] != 0 ? y[iy] : z[iz]   (x the condition; the other side is never
//                                                  read into the result, even inf or NaN)
//   1 lerp   out[i] = x[ix] + z[iz] (y[iy] - x[ix])  (the blend from x to y by z in one pass
//                                                  instead of a difference, a product and a
//                                                  sum: the gradient penalty's interpolates)
// Broadcasting: out has `rank` axes (at most 8) of sizes out_shape; each operand is read
// through per-axis strides that are 0 on its broadcast axes.
// Bindings: 0 uniform Params, 1 x, 2 y, 3 z (read), 4 out (write), all as vec4 arrays
// (pooled buffers are multiples of 16 bytes).
// Layouts (override VEC4): the launcher merges axes first (mergeAxes); when the last merged
// axis is a multiple of 4 long and every operand's stride on it is 0 or 1, VEC4 = true and
// each invocation takes a run of up to PER_LANE vec4s of one row of that axis, finds its
// offsets once and loads whole vec4s (a stride-0 operand as one value splatted), as
// binary.wgsl's broadcastVec4 layout does; otherwise each of the four elements of one vec4
// finds its own.
// Dispatch: VEC4, rows x ceil(row vec4s / PER_LANE) invocations; otherwise one per vec4 of
// output (it writes whole vec4s, since a write to one vector component may touch its
// neighbours). 2-D grid past 65535 workgroups.
struct Params {
  count: u32,
  rank: u32,
  out_shape: array<vec4<i32>, 2>,
  x_strides: array<vec4<i32>, 2>,
  y_strides: array<vec4<i32>, 2>,
  z_strides: array<vec4<i32>, 2>,
}

override OP: u32 = 0u;
override VEC4: bool = false;
override PER_LANE: u32 = 4u;
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;
@group(0) @binding(2) var<storage, read> y: array<vec4f>;
@group(0) @binding(3) var<storage, read> z: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> out: array<vec4f>;

fn offsets(i: i32) -> vec3<i32> {
  var rest = i;
  var o = vec3<i32>(0, 0, 0);
  for (var k = i32(u.rank) - 1; k >= 0; k--) {
    let size = u.out_shape[k / 4][k % 4];
    let c = rest % size;
    rest = rest / size;
    o += c * vec3<i32>(u.x_strides[k / 4][k % 4], u.y_strides[k / 4][k % 4], u.z_strides[k / 4][k % 4]);
  }
  return o;
}

fn combine(xv: vec4f, yv: vec4f, zv: vec4f) -> vec4f {
  switch OP {
    case 1u: { return xv + zv * (yv - xv); }
    default: { return select(zv, yv, xv != vec4f(0.0)); }
  }
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
  if (VEC4) {
    let run = vec4_run(lane, vec_count);
    if (run.x == run.y) { return; }
    let o = offsets(i32(run.x * 4u));
    let last = i32(u.rank) - 1;
    let x_walks = u.x_strides[last / 4][last % 4] != 0;
    let y_walks = u.y_strides[last / 4][last % 4] != 0;
    let z_walks = u.z_strides[last / 4][last % 4] != 0;
    let x_splat = vec4f(x[o.x / 4][o.x % 4]);
    let y_splat = vec4f(y[o.y / 4][o.y % 4]);
    let z_splat = vec4f(z[o.z / 4][o.z % 4]);
    for (var v = run.x; v < run.y; v++) {
      let j = i32(v - run.x);
      out[v] = combine(select(x_splat, x[o.x / 4 + j], x_walks), select(y_splat, y[o.y / 4 + j], y_walks), select(z_splat, z[o.z / 4 + j], z_walks));
    }
    return;
  }
  if (lane >= vec_count) { return; }
  var result = vec4f(0.0);
  for (var j = 0u; j < 4u; j++) {
    let i = lane * 4u + j;
    if (i >= u.count) { break; }
    let o = offsets(i32(i));
    result[j] = combine(vec4f(x[o.x / 4][o.x % 4]), vec4f(y[o.y / 4][o.y % 4]), vec4f(z[o.z / 4][o.z % 4]))[0];
  }
  out[lane] = result;
}
