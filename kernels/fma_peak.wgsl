// fma_peak.wgsl: the compute ceiling the benchmarks report against.
//
// Each invocation runs 32 independent scalar f32 FMA chains, x_c = fma(x_c, s, t), for
// u.iterations steps, and stores one sum, so the kernel does 64 * iterations flops per
// invocation with no memory traffic in the loop. Why 32 scalar chains: on llvmpipe an
// invocation is one lane of an 8-wide AVX2 vector, so each chain is one ymm register and
// enough independent chains hide the FMA latency; vec4 chains measured slower there.
// The chains are spelled out rather than kept in an array so that no compiler has to
// prove an array can live in registers. s and t come from the uniform so nothing folds.
// Bindings: 0 uniform Params, 1 out (write, one value per invocation).
// Dispatch: workgroups (ceil(count / WG), 1, 1) of WG invocations.
struct Params {
  count: u32,
  iterations: u32,
  s: f32,
  t: f32,
}

override WG: u32 = 64u;

@group(0) @binding(0) var<uniform> u: Params;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let seed = f32(gid.x) * 1e-7;
  var x0 = seed + 0.0;
  var x1 = seed + 1.0;
  var x2 = seed + 2.0;
  var x3 = seed + 3.0;
  var x4 = seed + 4.0;
  var x5 = seed + 5.0;
  var x6 = seed + 6.0;
  var x7 = seed + 7.0;
  var x8 = seed + 8.0;
  var x9 = seed + 9.0;
  var x10 = seed + 10.0;
  var x11 = seed + 11.0;
  var x12 = seed + 12.0;
  var x13 = seed + 13.0;
  var x14 = seed + 14.0;
  var x15 = seed + 15.0;
  var x16 = seed + 16.0;
  var x17 = seed + 17.0;
  var x18 = seed + 18.0;
  var x19 = seed + 19.0;
  var x20 = seed + 20.0;
  var x21 = seed + 21.0;
  var x22 = seed + 22.0;
  var x23 = seed + 23.0;
  var x24 = seed + 24.0;
  var x25 = seed + 25.0;
  var x26 = seed + 26.0;
  var x27 = seed + 27.0;
  var x28 = seed + 28.0;
  var x29 = seed + 29.0;
  var x30 = seed + 30.0;
  var x31 = seed + 31.0;
  for (var i = 0u; i < u.iterations; i++) {
    x0 = fma(x0, u.s, u.t);
    x1 = fma(x1, u.s, u.t);
    x2 = fma(x2, u.s, u.t);
    x3 = fma(x3, u.s, u.t);
    x4 = fma(x4, u.s, u.t);
    x5 = fma(x5, u.s, u.t);
    x6 = fma(x6, u.s, u.t);
    x7 = fma(x7, u.s, u.t);
    x8 = fma(x8, u.s, u.t);
    x9 = fma(x9, u.s, u.t);
    x10 = fma(x10, u.s, u.t);
    x11 = fma(x11, u.s, u.t);
    x12 = fma(x12, u.s, u.t);
    x13 = fma(x13, u.s, u.t);
    x14 = fma(x14, u.s, u.t);
    x15 = fma(x15, u.s, u.t);
    x16 = fma(x16, u.s, u.t);
    x17 = fma(x17, u.s, u.t);
    x18 = fma(x18, u.s, u.t);
    x19 = fma(x19, u.s, u.t);
    x20 = fma(x20, u.s, u.t);
    x21 = fma(x21, u.s, u.t);
    x22 = fma(x22, u.s, u.t);
    x23 = fma(x23, u.s, u.t);
    x24 = fma(x24, u.s, u.t);
    x25 = fma(x25, u.s, u.t);
    x26 = fma(x26, u.s, u.t);
    x27 = fma(x27, u.s, u.t);
    x28 = fma(x28, u.s, u.t);
    x29 = fma(x29, u.s, u.t);
    x30 = fma(x30, u.s, u.t);
    x31 = fma(x31, u.s, u.t);
  }
  if (gid.x < u.count) {
    out[gid.x] = (((((x0 + x1) + (x2 + x3)) + ((x4 + x5) + (x6 + x7))) + (((x8 + x9) + (x10 + x11)) + ((x12 + x13) + (x14 + x15)))) + ((((x16 + x17) + (x18 + x19)) + ((x20 + x21) + (x22 + x23))) + (((x24 + x25) + (x26 + x27)) + ((x28 + x29) + (x30 + x31)))));
  }
}
