#!/usr/bin/env bash
# bash run-gpu-checks.sh [--quick] [--bench-first] [--out DIR]
#
# Inside the unpacked bundle (npm run bundle): checks that a Vulkan driver is installed, prints
# the adapter, runs every test file and then the bench, even when some tests failed, so one
# session on a GPU server yields both. Everything lands in one folder: run.log (all of this
# script's output), environment.txt, adapter.txt, tests/*.tap (one per test file),
# tests-summary.txt, bench.log and bench.json. Exit status 0 only when all of it passed.
# --quick runs three test files and one bench case, to check the setup in a minute or two.
# --bench-first runs the bench before the suite: where a session has a time limit, a cut-off
# run then still brings back the bench JSON and the test logs written so far.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
quick=0
bench_first=0
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --bench-first) bench_first=1 ;;
    --out) [ $# -ge 2 ] || { echo "run-gpu-checks: --out needs a folder" >&2; exit 2; }; out="$2"; shift ;;
    *) echo "run-gpu-checks: unknown argument $1; usage: bash run-gpu-checks.sh [--quick] [--bench-first] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
out="${out:-$PWD/results-$(date -u +%Y%m%d-%H%M%S)}"
if [ -e "$out" ] && [ -n "$(ls -A "$out" 2>/dev/null)" ]; then
  echo "run-gpu-checks: $out already holds files; pass --out with a new folder so nothing is overwritten" >&2
  exit 2
fi
mkdir -p "$out/tests" || exit 2
out="$(cd "$out" && pwd)"
exec > >(tee -a "$out/run.log") 2>&1

node="$here/bin/node"
binding="$here/node_modules/webgpu/dist/linux-x64/dawn.node"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
export LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
cd "$here" || exit 2
echo "run-gpu-checks: results in $out"

{
  echo "date: $(date -u)"; uname -a; grep -h PRETTY_NAME /etc/os-release 2>/dev/null; ldd --version 2>&1 | head -n 1
  command -v nvidia-smi >/dev/null && nvidia-smi
  command -v vulkaninfo >/dev/null && vulkaninfo --summary 2>&1
} > "$out/environment.txt" 2>&1

# The loader is the bundle's own; the driver (ICD) must come from the server. The loader looks
# in these folders unless VK_ICD_FILENAMES or VK_DRIVER_FILES names the driver files.
[ -r "$here/lib/libvulkan.so.1" ] || { echo "run-gpu-checks: the bundle's lib/libvulkan.so.1 is missing; unpack the archive again"; exit 1; }
named="${VK_DRIVER_FILES:-${VK_ICD_FILENAMES:-}}"
if [ -n "$named" ]; then
  icds="$(tr ':' '\n' <<<"$named")"
  while read -r f; do [ -r "$f" ] || { echo "run-gpu-checks: the driver file $f (from VK_ICD_FILENAMES / VK_DRIVER_FILES) is not readable"; exit 1; }; done <<<"$icds"
else
  icds="$(ls -1 "${XDG_CONFIG_HOME:-${HOME:-/root}/.config}"/vulkan/icd.d/*.json /etc/xdg/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json \
    "${XDG_DATA_HOME:-${HOME:-/root}/.local/share}"/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json 2>/dev/null)"
fi
if [ -z "$icds" ]; then
  echo "run-gpu-checks: no Vulkan driver file (*.json in /usr/share/vulkan/icd.d or /etc/vulkan/icd.d); install the GPU driver's Vulkan part, or set VK_ICD_FILENAMES"
  exit 1
fi
echo "run-gpu-checks: Vulkan driver files:"; sed 's/^/  /' <<<"$icds"
if [ -z "$named" ] && { [ -e /proc/driver/nvidia/version ] || command -v nvidia-smi >/dev/null; } && ! grep -q nvidia <<<"$icds"; then
  echo "run-gpu-checks: this server has an NVIDIA driver but no nvidia_icd.json, so Vulkan would not see the GPU; install the driver's Vulkan/GL part (libnvidia-gl-VERSION on Ubuntu), or in a container set NVIDIA_DRIVER_CAPABILITIES=all"
  exit 1
fi

# The binding needs libstdc++ from GCC 12 or newer; on older servers the bundle's copy is used.
loads() { "$node" -e "require(process.argv[1])" "$binding" 2>&1; }
if ! error="$(loads)"; then
  export LD_LIBRARY_PATH="$here/lib/compat:$LD_LIBRARY_PATH"
  if ! error2="$(loads)"; then
    echo "run-gpu-checks: the bundled node cannot load the webgpu binding: $error2"
    echo "run-gpu-checks: (without the bundled libstdc++: $error) the server needs glibc 2.34 or newer"
    exit 1
  fi
  echo "run-gpu-checks: using the bundle's libstdc++ (the server's is older than the binding needs)"
fi

"$node" scripts/probe-adapter.mjs > "$out/adapter.txt" 2>&1
status=$?
cat "$out/adapter.txt"
[ $status -eq 0 ] || { echo "run-gpu-checks: no WebGPU adapter; see environment.txt for the driver"; exit 1; }

if [ $quick -eq 1 ]; then
  tests=(build/test/runtime.test.js build/test/softmax.test.js build/test/data.test.js)
  bench_args=(--filter "add 16M" --repeats 1)
else
  tests=(build/test/*.test.js)
  bench_args=()
fi

failed=0
run_tests() {
  local start=$SECONDS file name t0 rc counts verdict
  for file in "${tests[@]}"; do
    name="$(basename "$file" .js)"
    t0=$SECONDS
    # tap's own per-file limit, as in package.json; each file reports in TAP and exits non-zero on a failure.
    timeout 600 "$node" --enable-source-maps "$file" > "$out/tests/$name.tap" 2>&1
    rc=$?
    counts="$(grep -E '^# \{ total' "$out/tests/$name.tap" | tail -n 1)"
    if [ $rc -eq 0 ]; then verdict=ok; else verdict="FAILED (exit $rc)"; failed=$((failed + 1)); fi
    echo "$verdict $name $((SECONDS - t0)) s ${counts#\# }" | tee -a "$out/tests-summary.txt"
  done
  echo "run-gpu-checks: ${#tests[@]} test files, $failed failed, $((SECONDS - start)) s" | tee -a "$out/tests-summary.txt"
}

bench_status=1
run_bench() {
  "$node" --enable-source-maps build/bench/main.js --json "$out/bench.json" "${bench_args[@]}" 2>&1 | tee "$out/bench.log"
  bench_status=${PIPESTATUS[0]}
  [ $bench_status -eq 0 ] || echo "run-gpu-checks: the bench failed (exit $bench_status); see bench.log"
}

if [ $bench_first -eq 1 ]; then run_bench; run_tests; else run_tests; run_bench; fi

if [ $failed -eq 0 ] && [ $bench_status -eq 0 ]; then
  echo "run-gpu-checks: all passed; results in $out"
  exit 0
fi
echo "run-gpu-checks: $failed test files failed, bench exit $bench_status; results in $out"
exit 1
