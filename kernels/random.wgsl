// random.wgsl: seeded random fills. Element i's value is a pure function of (seed, i), so
// it depends on neither the dispatch geometry nor the order of work, and a seed reproduces
// a tensor exactly. test/reference/random.ts computes the same bits on the CPU.
//
// Bits: counter-based hashing. mix() is an xorshift-multiply integer hash (two odd
// multipliers between three xor-shifts, the "lowbias32" constants found by Chris Wellons'
// hash prospector), a bijection of u32 with strong avalanche. The seed's two 32-bit words
// and a stream number make two keys, and element i draws
//   key1   = mix(seed_lo + 0x9e3779b9 * (2 stream + 1)),  key2 = mix(seed_hi ^ key1)
//   bits_s(i) = mix(mix(i ^ key1) + key2)
// Math (DIST override):
//   0 uniform  u = (bits_0(i) >> 8) / 2^24 in [0, 1), exact in f32;  y = p0 + (p1 - p0) u
//              (p0 = low; p1 = high)
//   1 normal   Box-Muller from two streams: u1 = ((bits_0(i) >> 8) + 1) / 2^24 in (0, 1],
//              so log(u1) is finite; u2 = (bits_1(i) >> 8) / 2^24;
//              z = sqrt(-2 ln u1) cos(PI_DOWN (2 u2 - 1)); y = p0 + p1 z  (p0 = mean, p1 = std).
//              WGSL bounds the error of cos() only inside [-pi, pi], so the angle's pi is the
//              f32 just below pi (the nearest f32, 3.14159274, lies above it and would put
//              u2 = 0 outside); the angle, rounded or not, then stays inside [-pi, pi].
// Bindings: 0 uniform Params, 1 y (write).
// Dispatch: one invocation per element, WG lanes per workgroup, 2-D grid past 65535
// workgroups (linear index = x + y * num_workgroups.x * WG).
struct Params {
  count: u32,
  seed_lo: u32,
  seed_hi: u32,
  p0: f32,
  p1: f32,
}

override DIST: u32 = 0u;
override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;

const PI_DOWN: f32 = 3.1415925; // 0x40490fda
const INV_2_24: f32 = 5.9604644775390625e-8;

fn mix(v: u32) -> u32 {
  var h = v;
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  h *= 0x846ca68bu;
  h ^= h >> 16u;
  return h;
}

fn random_bits(index: u32, stream: u32) -> u32 {
  let key1 = mix(u.seed_lo + 0x9e3779b9u * (2u * stream + 1u));
  let key2 = mix(u.seed_hi ^ key1);
  return mix(mix(index ^ key1) + key2);
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) groups: vec3u) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= u.count) { return; }
  if (DIST == 0u) {
    let unit = f32(random_bits(i, 0u) >> 8u) * INV_2_24;
    y[i] = u.p0 + (u.p1 - u.p0) * unit;
  } else {
    let u1 = f32((random_bits(i, 0u) >> 8u) + 1u) * INV_2_24;
    let u2 = f32(random_bits(i, 1u) >> 8u) * INV_2_24;
    // WGSL lets log(u1) be off by 2^-21 near u1 = 1, so it may come out above 0; the max
    // keeps sqrt's argument non-negative there.
    let z = sqrt(max(-2.0 * log(u1), 0.0)) * cos(PI_DOWN * (2.0 * u2 - 1.0));
    y[i] = u.p0 + u.p1 * z;
  }
}
