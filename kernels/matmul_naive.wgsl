// matmul_naive.wgsl: C[b, i, j] = sum_k A[b, i, k] * B[b, k, j], one output per invocation.
//
// The checkable baseline: no tiling, no blocking, so it is easy to trust; the fast kernels
// are tested against the same TypeScript reference, and this one serves as a fallback.
// Operands are read through strides, so a transposed or broadcast (batch stride 0) operand
// costs no copy: A[b, i, k] = a[b * a_batch + i * a_row + k * a_col], likewise for B with
// (b_batch, b_row = stride along k, b_col = stride along j). C is dense [batch, m, n].
// Bindings: 0 uniform Params, 1 a (read), 2 b (read), 3 c (write).
// Dispatch: workgroups (ceil(n / 8), ceil(m / 8), batch) of 8 x 8 invocations.
struct Params {
  m: u32, n: u32, k: u32, batch: u32,
  a_batch: u32, a_row: u32, a_col: u32,
  b_batch: u32, b_row: u32, b_col: u32,
}

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> c: array<f32>;

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let j = gid.x;
  let i = gid.y;
  let batch = gid.z;
  if (i >= u.m || j >= u.n) { return; }
  var ia = batch * u.a_batch + i * u.a_row;
  var ib = batch * u.b_batch + j * u.b_col;
  var sum = 0.0;
  for (var k = 0u; k < u.k; k++) {
    sum = fma(a[ia], b[ib], sum);
    ia += u.a_col;
    ib += u.b_row;
  }
  c[(batch * u.m + i) * u.n + j] = sum;
}
