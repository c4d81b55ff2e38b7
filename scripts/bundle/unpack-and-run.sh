#!/usr/bin/env bash
# bash unpack-and-run.sh ARCHIVE [--quick] [--bench-first] [--out DIR]
#
# One command for a GPU server session: unpacks the bundle (npm run bundle) into a fresh
# temporary folder and runs its run-gpu-checks.sh with the options given, which checks the
# Vulkan loader and driver, runs the suite and the bench, and writes every log and bench.json
# into the results folder. The unpacked copy is removed afterwards; the results stay.
set -uo pipefail
archive="${1:-}"
if [ -z "$archive" ] || [ ! -r "$archive" ]; then
  echo "unpack-and-run: usage: bash unpack-and-run.sh ARCHIVE [--quick] [--bench-first] [--out DIR]; ${archive:-no archive given}${archive:+ is not a readable file}" >&2
  exit 2
fi
shift
command -v xz >/dev/null || { echo "unpack-and-run: xz is not installed, so the archive cannot be unpacked; unpack it elsewhere (tar -xJf) and copy the folder" >&2; exit 2; }
work="$(mktemp -d "${TMPDIR:-/tmp}/deepfill-bundle-run.XXXXXX")" || exit 2
trap 'rm -rf "$work"' EXIT
tar -xJf "$archive" -C "$work" || { echo "unpack-and-run: $archive did not unpack; build it again with npm run bundle" >&2; exit 2; }
checks=("$work"/*/run-gpu-checks.sh)
[ -r "${checks[0]}" ] || { echo "unpack-and-run: $archive holds no run-gpu-checks.sh; is it a deepfill-webgpu bundle?" >&2; exit 2; }
bash "${checks[0]}" "$@"
