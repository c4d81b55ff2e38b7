#!/usr/bin/env bash
# Makes sure Dawn can find a WebGPU adapter on this machine.
#
# A machine with a GPU driver needs nothing: the script probes for an adapter and exits.
# A machine without one (CI, our 2-core boxes) gets Mesa's lavapipe, a Vulkan driver that
# runs on the CPU. Debian 12's own Mesa (22.3) is refused by Dawn, so the driver comes from
# bookworm-backports. Idempotent: a second run only probes.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
probe="$here/probe-adapter.mjs"

has_adapter() {
  # The probe needs the `webgpu` package; before `npm ci` it cannot run, so check the driver files.
  if [ -d "$here/../node_modules/webgpu" ]; then
    node "$probe" >/dev/null 2>&1
  else
    ls /usr/share/vulkan/icd.d/*.json >/dev/null 2>&1 && dpkg --compare-versions \
      "$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo 0)" ge 23
  fi
}

if has_adapter; then
  echo "setup-system: a WebGPU adapter is available; nothing to do."
  exit 0
fi

hint="Install a Vulkan driver for your GPU, or Mesa's software driver lavapipe >= 23
(Debian 12: mesa-vulkan-drivers and libvulkan1 from bookworm-backports; Ubuntu 24.04: mesa-vulkan-drivers)."

if [ ! -r /etc/debian_version ] || ! grep -q '^12' /etc/debian_version; then
  echo "setup-system: no WebGPU adapter found and this is not Debian 12, so I will not install one." >&2
  echo "$hint" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-system: no WebGPU adapter found; installing lavapipe needs root. Run this script with sudo, or:" >&2
  echo "$hint" >&2
  exit 1
fi

backports=/etc/apt/sources.list.d/bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb http://deb.debian.org/debian bookworm-backports main" > "$backports"
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
echo "setup-system: installed lavapipe (mesa-vulkan-drivers from bookworm-backports)."

if [ -d "$here/../node_modules/webgpu" ] && ! node "$probe"; then
  echo "setup-system: lavapipe is installed but Dawn still finds no adapter." >&2
  exit 1
fi
