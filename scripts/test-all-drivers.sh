#!/usr/bin/env bash
# Runs the whole test suite (`npm test`) once per Vulkan driver CI covers: lavapipe (Mesa's)
# and SwiftShader (Google's, from Debian's chromium package). VK_ICD_FILENAMES makes each
# driver the only one Dawn sees. Before each run the probe prints the adapter and stops the
# script if it is not the driver asked for, so a missing driver file cannot quietly test the
# default one twice. `bash scripts/setup-system.sh --test-drivers` installs both.
#
# lavapipe runs a third time with 16-wide vectors (LP_NATIVE_VECTOR_WIDTH=512), the width
# it gives shaders on CPUs it trusts with AVX-512: its subgroups then have 16 lanes, so the
# width-16 lanes kernels, which no other driver here runs, become the default. Where this
# CPU does not get 16 lanes that way, the run is skipped with the reason. (1024 reports
# 32-lane subgroups but runs only the first 16 invocations of a 32-wide workgroup, so width
# 32 cannot be checked on lavapipe.)
set -euo pipefail
cd "$(dirname "$0")/.."
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

lavapipe_icd="$(ls /usr/share/vulkan/icd.d/lvp_icd*.json 2>/dev/null | head -n 1 || true)"
swiftshader_icd=/usr/lib/chromium/vk_swiftshader_icd.json

# Both drivers are checked before either suite runs, so a missing one fails at once rather
# than after the first suite.
check() {
  local driver="$1" expect="$2" icd="$3"
  if [ -z "$icd" ] || [ ! -r "$icd" ]; then
    echo "test-all-drivers: no $driver driver file (${icd:-/usr/share/vulkan/icd.d/lvp_icd*.json}); run: sudo bash scripts/setup-system.sh --test-drivers" >&2
    exit 1
  fi
  VK_ICD_FILENAMES="$icd" node scripts/probe-adapter.mjs --expect "$expect" >/dev/null
}

run_on() {
  local driver="$1" expect="$2" icd="$3"
  echo "test-all-drivers: $driver ($icd)"
  VK_ICD_FILENAMES="$icd" node scripts/probe-adapter.mjs --expect "$expect"
  local start=$SECONDS
  VK_ICD_FILENAMES="$icd" npm test
  echo "test-all-drivers: $driver passed in $((SECONDS - start)) s"
}

run_wide_lavapipe() {
  export LP_NATIVE_VECTOR_WIDTH=512
  local status=0
  VK_ICD_FILENAMES="$lavapipe_icd" node scripts/probe-adapter.mjs --expect llvmpipe --subgroups 16 || status=$?
  if [ "$status" = 3 ]; then
    echo "test-all-drivers: skipped lavapipe with 16-wide vectors: this CPU does not give it subgroups of 16 lanes"
  elif [ "$status" != 0 ]; then
    exit "$status"
  else
    run_on "lavapipe with 16-wide vectors" llvmpipe "$lavapipe_icd"
  fi
  unset LP_NATIVE_VECTOR_WIDTH
}

check lavapipe llvmpipe "$lavapipe_icd"
check SwiftShader swiftshader "$swiftshader_icd"
run_on lavapipe llvmpipe "$lavapipe_icd"
run_on SwiftShader swiftshader "$swiftshader_icd"
run_wide_lavapipe
