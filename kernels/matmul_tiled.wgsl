// matmul_tiled.wgsl: C[b, i, j] = sum_k A[b, i, k] * B[b, k, j], the classic GPU design.
//
// Why this shape: on a GPU, global-memory traffic is the limit and workgroup (shared)
// memory is close and fast. A workgroup of 16 x 16 invocations computes a 64 x 64 tile of C:
// per step it copies a 64 x BK slab of A and a BK x 64 slab of B into workgroup memory (each
// invocation copies BK / 4 elements of each), then every invocation accumulates its own
// 4 x 4 block of C from them, so each global load feeds 64 FMAs and each workgroup load 2.
// On llvmpipe this kernel is slower than matmul_lanes.wgsl: its workgroup-memory reads are
// per-lane gathers there (see src/autograd/ops/matmul.ts for how a kernel is picked).
//
// Strided operands: A[b, i, k] = a[b * a_batch + i * a_row + k * a_col], B[b, k, j] =
// b[b * b_batch + k * b_row + j * b_col]; batch stride 0 broadcasts. The copy loads scalars
// through the strides, so a transposed operand is read in place. C is dense [batch, m, n].
// Edges: elements outside A or B are copied as zeros, and stores outside C are skipped.
// Bindings: 0 uniform Params, 1 a (read), 2 b (read), 3 c (write).
// Dispatch: workgroups (ceil(n / 64), ceil(m / 64), batch) of 16 x 16 invocations.
struct Params {
  m: u32, n: u32, k: u32, batch: u32,
  a_batch: u32, a_row: u32, a_col: u32,
  b_batch: u32, b_row: u32, b_col: u32,
}

const TILE = 64u;
const BK = 16u;
const SIDE = 16u;
const PER = 4u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

// Both slabs are stored k-major, so the inner loop reads 4 consecutive rows or columns.
var<workgroup> a_tile: array<f32, BK * TILE>;
var<workgroup> b_tile: array<f32, BK * TILE>;

@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) index: u32) {
  let row0 = wg.y * TILE;
  let col0 = wg.x * TILE;
  let batch = wg.z;
  let a_base = batch * u.a_batch;
  let b_base = batch * u.b_batch;
  var acc: array<f32, 16>;

  for (var k0 = 0u; k0 < u.k; k0 += BK) {
    for (var e = index; e < BK * TILE; e += SIDE * SIDE) {
      // Neighbouring invocations read along whichever axis is contiguous in memory.
      let qa = select(e / TILE, e % BK, u.a_col == 1u);
      let i = row0 + select(e % TILE, e / BK, u.a_col == 1u);
      let a_in = i < u.m && k0 + qa < u.k;
      a_tile[qa * TILE + i - row0] = select(0.0, a[select(0u, a_base + i * u.a_row + (k0 + qa) * u.a_col, a_in)], a_in);
      let qb = select(e / TILE, e % BK, u.b_row == 1u);
      let j = col0 + select(e % TILE, e / BK, u.b_row == 1u);
      let b_in = j < u.n && k0 + qb < u.k;
      b_tile[qb * TILE + j - col0] = select(0.0, b[select(0u, b_base + (k0 + qb) * u.b_row + j * u.b_col, b_in)], b_in);
    }
    workgroupBarrier();
    for (var q = 0u; q < BK; q++) {
      var av: array<f32, 4>;
      var bv: array<f32, 4>;
      for (var r = 0u; r < PER; r++) {
        av[r] = a_tile[q * TILE + lid.y * PER + r];
        bv[r] = b_tile[q * TILE + lid.x * PER + r];
      }
      for (var r = 0u; r < PER; r++) {
        for (var s = 0u; s < PER; s++) {
          acc[r * PER + s] = fma(av[r], bv[s], acc[r * PER + s]);
        }
      }
    }
    workgroupBarrier();
  }

  for (var r = 0u; r < PER; r++) {
    let i = row0 + lid.y * PER + r;
    for (var s = 0u; s < PER; s++) {
      let j = col0 + lid.x * PER + s;
      if (i < u.m && j < u.n) {
        c[(batch * u.m + i) * u.n + j] = acc[r * PER + s];
      }
    }
  }
}
