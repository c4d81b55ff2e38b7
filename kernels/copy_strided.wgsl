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
// Work split: each invocation copies a run of up to CHUNK elements along the last axis, so
// the divisions that decode the other axes (slow on CPU adapters, and the bulk of the cost
// when done per element) happen once per run. Lanes next to each other take runs next to
// each other in the same row.
// Bindings: 0 uniform Params, 1 src (read), 2 dst (write).
// Dispatch: one invocation per run (rows * runs_per_row), 2-D grid past 65535 workgroups.
struct Params {
  runs: u32,
  rank: u32,
  src_base: i32,
  dst_base: i32,
  runs_per_row: i32,
  pad0: i32, pad1: i32, pad2: i32,
  shape: array<vec4<i32>, 2>,
  start: array<vec4<i32>, 2>,
  step: array<vec4<i32>, 2>,
  size: array<vec4<i32>, 2>,
  src_strides: array<vec4<i32>, 2>,
  dst_strides: array<vec4<i32>, 2>,
}

override MODE: u32 = 0u;
override WG: u32 = 64u;
override CHUNK: i32 = 16;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

/** Source index s of an axis of extent n after the padding rule; -1 when it reads zero. */
fn boundary(s: i32, n: i32) -> i32 {
  if (s >= 0 && s < n) { return s; }
  switch MODE {
    case 1u: { return select(2 * (n - 1) - s, -s, s < 0); }
    case 2u: { return select(2 * n - 1 - s, -s - 1, s < 0); }
    default: { return -1; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.runs) { return; }
  let last = i32(u.rank) - 1;
  let lq = last / 4;
  let lr = last % 4;
  let row = i32(i) / u.runs_per_row;
  let c0 = (i32(i) % u.runs_per_row) * CHUNK;
  var rest = row;
  var s_off = u.src_base;
  var d_off = u.dst_base;
  var outside = false;
  for (var k = last - 1; k >= 0; k--) {
    let q = k / 4;
    let r = k % 4;
    let c = rest % u.shape[q][r];
    rest = rest / u.shape[q][r];
    let s = boundary(u.start[q][r] + c * u.step[q][r], u.size[q][r]);
    outside = outside || s < 0;
    s_off += s * u.src_strides[q][r];
    d_off += c * u.dst_strides[q][r];
  }
  let len = u.shape[lq][lr];
  let start = u.start[lq][lr];
  let step = u.step[lq][lr];
  let n = u.size[lq][lr];
  let s_stride = u.src_strides[lq][lr];
  let d_stride = u.dst_strides[lq][lr];
  let end = min(c0 + CHUNK, len);
  for (var c = c0; c < end; c++) {
    let s = boundary(start + c * step, n);
    let zero = outside || s < 0;
    dst[d_off + c * d_stride] = select(src[max(s_off + s * s_stride, 0)], 0.0, zero);
  }
}
