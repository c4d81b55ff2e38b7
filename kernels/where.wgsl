// where.wgsl: out[i] = cond[ic] != 0 ? a[ia] : b[ib], with NumPy broadcasting of all three.
//
// A true select, not cond * a + (1 - cond) * b: the unselected side may hold inf or NaN
// (where(x > 0, log(x), 0)) and must not leak into the result.
// Broadcasting: out has `rank` axes (at most 8) of sizes out_shape; each operand is read
// through per-axis strides that are 0 on its broadcast axes.
// Bindings: 0 uniform Params, 1 cond, 2 a, 3 b (read), 4 out (write), all as vec4 arrays
// (pooled buffers are multiples of 16 bytes).
// Dispatch: one invocation per vec4 of output (it writes whole vec4s, since a write to one
// vector component may touch its neighbours), 2-D grid past 65535 workgroups.
struct Params {
  count: u32,
  rank: u32,
  out_shape: array<vec4<i32>, 2>,
  cond_strides: array<vec4<i32>, 2>,
  a_strides: array<vec4<i32>, 2>,
  b_strides: array<vec4<i32>, 2>,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> cond: array<vec4f>;
@group(0) @binding(2) var<storage, read> a: array<vec4f>;
@group(0) @binding(3) var<storage, read> b: array<vec4f>;
@group(0) @binding(4) var<storage, read_write> out: array<vec4f>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let lane = gid.x + gid.y * groups.x * WG;
  if (lane >= (u.count + 3u) / 4u) { return; }
  var result = vec4f(0.0);
  for (var j = 0u; j < 4u; j++) {
    let i = lane * 4u + j;
    if (i >= u.count) { break; }
    var rest = i32(i);
    var o = vec3<i32>(0, 0, 0);
    for (var k = i32(u.rank) - 1; k >= 0; k--) {
      let size = u.out_shape[k / 4][k % 4];
      let c = rest % size;
      rest = rest / size;
      o += c * vec3<i32>(u.cond_strides[k / 4][k % 4], u.a_strides[k / 4][k % 4], u.b_strides[k / 4][k % 4]);
    }
    result[j] = select(b[o.z / 4][o.z % 4], a[o.y / 4][o.y % 4], cond[o.x / 4][o.x % 4] != 0.0);
  }
  out[lane] = result;
}
