#!/usr/bin/env bash
# Unpacks Debian 12's arm64 packages that the aarch64 device runner links against into a private
# folder (a sysroot for the cross build of `make runner-aarch64`, issue 14).
#
# Why not `apt-get install libxnnpack-dev:arm64`: Debian 12's -dev packages of XNNPACK,
# pthreadpool and cpuinfo are not Multi-Arch: same, so installing the arm64 ones removes the
# amd64 ones the native build needs (and libcpuinfo-dev:arm64 collides on a shared CMake file).
# Downloading the .debs and unpacking them with dpkg-deb touches nothing outside SYSROOT, and
# the native packages stay as they are. The C library and libstdc++ come from the cross
# toolchain (g++-aarch64-linux-gnu, installed by scripts/install-deps.sh).
#
# Usage: scripts/aarch64-sysroot.sh SYSROOT
# Idempotent: a stamp in SYSROOT names the package versions it holds; nothing is downloaded
# again while they match what apt offers.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 SYSROOT" >&2
  exit 2
fi
SYSROOT=$1
PACKAGES=(
  libxnnpack0 libxnnpack-dev libpthreadpool0 libpthreadpool-dev libcpuinfo0 libcpuinfo-dev
  libfmt9 libfmt-dev ocl-icd-libopencl1 ocl-icd-opencl-dev
)
# Architecture-independent headers, unpacked too so the cross build never searches the build
# machine's /usr/include (where amd64 headers live).
INDEP_PACKAGES=(opencl-c-headers opencl-clhpp-headers nlohmann-json3-dev)

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# apt knows arm64 packages only once the architecture is added and the indexes fetched.
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "aarch64-sysroot: adding the arm64 architecture to dpkg (downloads only; nothing arm64 is installed)"
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -qq
elif ! apt-cache show libxnnpack0:arm64 >/dev/null 2>&1; then
  $SUDO apt-get update -qq
fi

specs=()
for p in "${PACKAGES[@]}"; do specs+=("$p:arm64"); done
specs+=("${INDEP_PACKAGES[@]}")

# The versions apt would download now: the stamp's content.
wanted=""
for s in "${specs[@]}"; do
  v=$(apt-cache policy "$s" | awk '/Candidate:/ {print $2}')
  if [ -z "$v" ] || [ "$v" = "(none)" ]; then
    echo "aarch64-sysroot: apt offers no $s (is the arm64 architecture's index fetched? apt-get update)" >&2
    exit 1
  fi
  wanted+="$s=$v"$'\n'
done
if [ -f "$SYSROOT/.packages" ] && [ "$(cat "$SYSROOT/.packages")" = "${wanted%$'\n'}" ]; then
  echo "aarch64-sysroot: $SYSROOT is up to date"
  exit 0
fi

rm -rf "$SYSROOT"
mkdir -p "$SYSROOT/debs"
# apt-get download writes into the working directory; as root it drops privileges to _apt,
# which must be able to write there.
(cd "$SYSROOT/debs" && chmod 777 . && apt-get download -qq "${specs[@]}")
for deb in "$SYSROOT"/debs/*.deb; do
  dpkg-deb -x "$deb" "$SYSROOT"
done
rm -rf "$SYSROOT/debs"
printf '%s' "${wanted%$'\n'}" >"$SYSROOT/.packages"
echo "aarch64-sysroot: unpacked ${#specs[@]} packages into $SYSROOT"
