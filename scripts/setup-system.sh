#!/usr/bin/env bash
# Makes sure Dawn can find a WebGPU adapter on this machine.
#
# A machine with a GPU driver needs nothing: the script probes for an adapter and exits.
# A machine without one (CI, our 2-core boxes) gets Mesa's lavapipe, a Vulkan driver that
# runs on the CPU. Debian 12's own Mesa (22.3) is refused by Dawn, so the driver comes from
# bookworm-backports. Idempotent: a second run only probes.
#
# --test-drivers also installs what `npm run test:all-drivers` runs on, whatever the GPU:
# lavapipe and SwiftShader, Google's CPU Vulkan driver, which Debian ships in its chromium
# package (/usr/lib/chromium/vk_swiftshader_icd.json; nothing is downloaded from elsewhere).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
probe="$here/probe-adapter.mjs"
swiftshader_icd=/usr/lib/chromium/vk_swiftshader_icd.json

test_drivers=0
case "${1:-}" in
  "") ;;
  --test-drivers) test_drivers=1 ;;
  *) echo "setup-system: unknown argument \"$1\"; the only one is --test-drivers" >&2; exit 2 ;;
esac

has_lavapipe() {
  ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1 && dpkg --compare-versions \
    "$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 0)" ge 23
}

has_adapter() {
  # The probe needs the `webgpu` package; before `npm ci` it cannot run, so check the driver files.
  if [ -d "$here/../node_modules/webgpu" ]; then
    node "$probe" >/dev/null 2>&1
  else
    has_lavapipe
  fi
}

ready() {
  if [ "$test_drivers" = 1 ]; then
    has_lavapipe && [ -r "$swiftshader_icd" ]
  else
    has_adapter
  fi
}

if ready; then
  if [ "$test_drivers" = 1 ]; then echo "setup-system: lavapipe and SwiftShader are installed; nothing to do."
  else echo "setup-system: a WebGPU adapter is available; nothing to do."; fi
  exit 0
fi

missing="no WebGPU adapter found"
[ "$test_drivers" = 1 ] && missing="--test-drivers wants lavapipe >= 23 and SwiftShader (Debian's chromium), and one is missing"
hint="Install a Vulkan driver for your GPU, or Mesa's software driver lavapipe >= 23
(Debian 12: mesa-vulkan-drivers and libvulkan1 from bookworm-backports; Ubuntu 24.04: mesa-vulkan-drivers)."

if [ ! -r /etc/debian_version ] || ! grep -q '^12' /etc/debian_version; then
  echo "setup-system: $missing and this is not Debian 12, so I will not install it." >&2
  echo "$hint" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-system: $missing; installing needs root. Run this script with sudo, or:" >&2
  echo "$hint" >&2
  exit 1
fi

backports=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" > "$backports"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if ! has_lavapipe; then
  apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  echo "setup-system: installed lavapipe (mesa-vulkan-drivers from bookworm-backports)."
fi
if [ "$test_drivers" = 1 ] && [ ! -r "$swiftshader_icd" ]; then
  apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [ -r "$swiftshader_icd" ] || { echo "setup-system: Debian's chromium is installed but $swiftshader_icd is not there." >&2; exit 1; }
  echo "setup-system: installed SwiftShader (Debian's chromium package)."
fi

if [ -d "$here/../node_modules/webgpu" ] && ! node "$probe"; then
  echo "setup-system: lavapipe is installed but Dawn still finds no adapter." >&2
  exit 1
fi
if [ "$test_drivers" = 1 ] && [ -d "$here/../node_modules/webgpu" ] && ! VK_ICD_FILENAMES="$swiftshader_icd" node "$probe" --expect swiftshader; then
  echo "setup-system: SwiftShader is installed but Dawn does not open it." >&2
  exit 1
fi
