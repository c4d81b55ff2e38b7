// diagonal_sum.wgsl: fuse propagation of attention scores, the sum of a score over a square
// neighbourhood in which foreground and background move together.
//
// Math: x is [B, Rin, W, Hb, Wb] (foreground rows, foreground columns, background rows and
// columns), y is [B, Rout, W, Hb, Wb] with
//   y[b, i, j, k, l] = sum over dy, dx in [-r, r] of x[b, i + offset + dy, j + dx, k + dy, l + dx],
// where every index outside its axis reads 0. offset picks which input rows output row 0
// centres on (a chunk's halo); the adjoint is the same sum with Rin and Rout swapped and
// offset negated (the neighbourhood is symmetric), so the op's vjp is itself.
// Direct: (2r + 1)^2 reads per output, which stay in cache (neighbouring outputs share them);
// the pad / slice / add chain it replaces wrote and read the whole tensor a dozen times.
//
// Bindings: 0 uniform Params, 1 x (read), 2 y (write).
// Dispatch: one invocation per output element, WG lanes per workgroup, a 2-D grid past
//   65535 workgroups (linear workgroup index = wid.x + wid.y * num_workgroups.x).
struct Params {
  count: u32,
  rowsOut: u32,
  rowsIn: u32,
  width: u32,
  bgHeight: u32,
  bgWidth: u32,
  offset: i32,
  radius: i32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_index) lane: u32,
  @builtin(num_workgroups) groups: vec3u,
) {
  let index = (wid.x + wid.y * groups.x) * WG + lane;
  if (index >= u.count) { return; }
  let l = i32(index % u.bgWidth);
  var rest = index / u.bgWidth;
  let k = i32(rest % u.bgHeight);
  rest /= u.bgHeight;
  let j = i32(rest % u.width);
  rest /= u.width;
  let i = i32(rest % u.rowsOut);
  let b = rest / u.rowsOut;
  let w = i32(u.width);
  let hb = i32(u.bgHeight);
  let wb = i32(u.bgWidth);
  let base = b * u.rowsIn;
  var total = 0.0;
  for (var dy = -u.radius; dy <= u.radius; dy++) {
    let row = i + u.offset + dy;
    let bgRow = k + dy;
    if (row < 0 || row >= i32(u.rowsIn) || bgRow < 0 || bgRow >= hb) { continue; }
    for (var dx = -u.radius; dx <= u.radius; dx++) {
      let col = j + dx;
      let bgCol = l + dx;
      if (col < 0 || col >= w || bgCol < 0 || bgCol >= wb) { continue; }
      total += x[(((base + u32(row)) * u32(w) + u32(col)) * u32(hb) + u32(bgRow)) * u32(wb) + u32(bgCol)];
    }
  }
  y[index] = total;
}
