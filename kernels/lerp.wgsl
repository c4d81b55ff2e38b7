// lerp.wgsl: out[i] = a[ia] + t[it] * (b[ib] - a[ia]), with NumPy broadcasting of all three.
//
// The blend from a to b by t in one pass instead of a difference, a product and a sum: the
// gradient penalty's interpolates real + alpha (fake - real), alpha one value per image.
// Broadcasting: out has `rank` axes (at most 8) of sizes out_shape; each operand is read
// through per-axis strides that are 0 on its broadcast axes.
// Bindings: 0 uniform Params, 1 a, 2 b, 3 t (read), 4 out (write), all as vec4 arrays
// (pooled buffers are multiples of 16 bytes).
// Layouts (override VEC4): the launcher merges axes first (mergeAxes); when the last merged
// axis is a multiple of 4 long and every operand's stride on it is 0 or 1, VEC4 = true and
// each invocation finds its offsets once and loads whole vec4s (a stride-0 operand as one
// value splatted), as binary.wgsl's broadcastVec4 layout does; otherwise each of the four
// elements finds its own.
// Dispatch: one invocation per vec4 of output (it writes whole vec4s, since a write to one
// vector component may touch its neighbours), 2-D grid past 65535 workgroups.
struct Params {
  count: u32,
  rank: u32,
  out_shape: array<vec4<i32>, 2>,
  a_strides: array<vec4<i32>, 2>,
  b_strides: array<vec4<i32>, 2>,
  t_strides: array<vec4<i32>, 2>,
}

override VEC4: bool = false;
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<vec4f>;
@group(0) @binding(2) var<storage, read> b: array<vec4f>;
@group(0) @binding(3) var<storage, read> t: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> out: array<vec4f>;

fn offsets(i: i32) -> vec3<i32> {
  var rest = i;
  var o = vec3<i32>(0, 0, 0);
  for (var k = i32(u.rank) - 1; k >= 0; k--) {
    let size = u.out_shape[k / 4][k % 4];
    let c = rest % size;
    rest = rest / size;
    o += c * vec3<i32>(u.a_strides[k / 4][k % 4], u.b_strides[k / 4][k % 4], u.t_strides[k / 4][k % 4]);
  }
  return o;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let lane = gid.x + gid.y * groups.x * WG;
  if (lane >= (u.count + 3u) / 4u) { return; }
  if (VEC4) {
    let o = offsets(i32(lane * 4u));
    let last = i32(u.rank) - 1;
    var av = a[o.x / 4];
    if (u.a_strides[last / 4][last % 4] == 0) { av = vec4f(av[o.x % 4]); }
    var bv = b[o.y / 4];
    if (u.b_strides[last / 4][last % 4] == 0) { bv = vec4f(bv[o.y % 4]); }
    var tv = t[o.z / 4];
    if (u.t_strides[last / 4][last % 4] == 0) { tv = vec4f(tv[o.z % 4]); }
    out[lane] = av + tv * (bv - av);
    return;
  }
  var result = vec4f(0.0);
  for (var j = 0u; j < 4u; j++) {
    let i = lane * 4u + j;
    if (i >= u.count) { break; }
    let o = offsets(i32(i));
    let start = a[o.x / 4][o.x % 4];
    result[j] = start + t[o.z / 4][o.z % 4] * (b[o.y / 4][o.y % 4] - start);
  }
  out[lane] = result;
}
