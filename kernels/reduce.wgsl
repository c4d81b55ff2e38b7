// reduce.wgsl: reduces the middle axis of a tensor viewed as [outer, length, inner].
//
// Math (OP override), over r in this invocation's chunk [c*chunk, min(length, (c+1)*chunk)):
//   0 sum     out = sum_r x[o, r, i]
//   1 max     out = max_r x[o, r, i]
//   2 argmax  out = the first r with the largest value (as f32; exact below 2^24)
// The output is [outer, chunks, inner] with chunks = ceil(length / chunk). A long axis with
// few outputs is reduced in two passes (chunks, then the partial results) so that enough
// invocations run; argmax always uses one chunk.
// Adjacent lanes take adjacent `inner` positions, so their loads are adjacent too.
// Bindings: 0 uniform Params, 1 x (read), 2 out (write).
// Dispatch: one invocation per output element (outer * chunks * inner), 2-D grid.
struct Params {
  outer: u32,
  length: u32,
  inner: u32,
  chunk: u32,
  chunks: u32,
}

override OP: u32 = 0u;
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let index = gid.x + gid.y * groups.x * WG;
  if (index >= u.outer * u.chunks * u.inner) { return; }
  let i = index % u.inner;
  let c = (index / u.inner) % u.chunks;
  let o = index / (u.inner * u.chunks);
  let first = c * u.chunk;
  let last = min(u.length, first + u.chunk);
  var p = (o * u.length + first) * u.inner + i;
  var acc = x[p];
  var best = first;
  for (var r = first + 1u; r < last; r++) {
    p += u.inner;
    let v = x[p];
    switch OP {
      case 0u: { acc += v; }
      default: {
        if (v > acc) { acc = v; best = r; }
      }
    }
  }
  out[index] = select(acc, f32(best), OP == 2u);
}
