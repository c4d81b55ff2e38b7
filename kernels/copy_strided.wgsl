// copy_strided.wgsl: the one layout kernel behind broadcast, permute, slice, flip, pad and
// concat. It walks a `rank`-axis view of sizes `shape` in row-major order; for view
// coordinate c it reads the source at
//   s_k = start[k] + c_k * step[k]           (per axis; step 0 broadcasts, -1 flips)
//   src = src_base + sum_k s_k * src_strides[k]
// and writes  dst = dst_base + sum_k c_k * dst_strides[k].
// When some s_k falls outside [0, size[k]) the MODE decides (padding):
//   0 zero: write 0;  1 reflect: -s or 2(n-1)-s (edge not repeated);
//   2 symmetric: -s-1 or 2n-1-s (edge repeated). The op checks the pad is small enough
//   for one reflection. Permute is expressed by giving view axis k the stride of source axis
//   perm[k]; concat by writing each input at its dst_base in the output.
// Bindings: 0 uniform Params, 1 src (read), 2 dst (write).
// Dispatch: one invocation per view element, 2-D grid past 65535 workgroups.
struct Params {
  count: u32,
  rank: u32,
  src_base: i32,
  dst_base: i32,
  shape: array<vec4<i32>, 2>,
  start: array<vec4<i32>, 2>,
  step: array<vec4<i32>, 2>,
  size: array<vec4<i32>, 2>,
  src_strides: array<vec4<i32>, 2>,
  dst_strides: array<vec4<i32>, 2>,
}

override MODE: u32 = 0u;
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.count) { return; }
  var rest = i32(i);
  var s_off = u.src_base;
  var d_off = u.dst_base;
  var outside = false;
  for (var k = i32(u.rank) - 1; k >= 0; k--) {
    let q = k / 4;
    let r = k % 4;
    let c = rest % u.shape[q][r];
    rest = rest / u.shape[q][r];
    let n = u.size[q][r];
    var s = u.start[q][r] + c * u.step[q][r];
    if (s < 0 || s >= n) {
      switch MODE {
        case 1u: { s = select(2 * (n - 1) - s, -s, s < 0); }
        case 2u: { s = select(2 * n - 1 - s, -s - 1, s < 0); }
        default: { outside = true; }
      }
    }
    s_off += s * u.src_strides[q][r];
    d_off += c * u.dst_strides[q][r];
  }
  dst[d_off] = select(src[max(s_off, 0)], 0.0, outside);
}
