// binary.wgsl: out[i] = f(a[ia], b[ib]) with NumPy broadcasting.
//
// Math (OP override): 0 add a+b, 1 sub a-b, 2 mul a*b, 3 div a/b, 4 pow a^b, 5 maximum,
// 6 minimum, 7 greater (a > b ? 1 : 0), 8 greater_equal, 9 equal.
// Broadcasting: out has `rank` axes (at most 8) of sizes out_shape; a and b are read
// through per-axis strides that are 0 on broadcast axes, so ia = sum_k c_k * a_strides[k].
// With BROADCAST = false both operands have the output's shape and ia = ib = i.
// Bindings: 0 uniform Params, 1 a (read), 2 b (read), 3 out (write).
// Dispatch: one invocation per output element, 2-D grid past 65535 workgroups.
struct Params {
  count: u32,
  rank: u32,
  out_shape: array<vec4<i32>, 2>,
  a_strides: array<vec4<i32>, 2>,
  b_strides: array<vec4<i32>, 2>,
}

override OP: u32 = 0u;
override BROADCAST: bool = true;
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

fn apply(x: f32, y: f32) -> f32 {
  switch OP {
    case 0u: { return x + y; }
    case 1u: { return x - y; }
    case 2u: { return x * y; }
    case 3u: { return x / y; }
    case 4u: { return pow(x, y); }
    case 5u: { return max(x, y); }
    case 6u: { return min(x, y); }
    case 7u: { return select(0.0, 1.0, x > y); }
    case 8u: { return select(0.0, 1.0, x >= y); }
    case 9u: { return select(0.0, 1.0, x == y); }
    default: { return x; }
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.count) { return; }
  if (!BROADCAST) {
    out[i] = apply(a[i], b[i]);
    return;
  }
  var rest = i32(i);
  var ia = 0;
  var ib = 0;
  for (var k = i32(u.rank) - 1; k >= 0; k--) {
    let size = u.out_shape[k / 4][k % 4];
    let c = rest % size;
    rest = rest / size;
    ia += c * u.a_strides[k / 4][k % 4];
    ib += c * u.b_strides[k / 4][k % 4];
  }
  out[i] = apply(a[ia], b[ib]);
}
