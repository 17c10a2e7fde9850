#!/usr/bin/env bash
# Installs every Debian 12 package that nnlat's build, tests and benchmarks need.
# Idempotent: packages already present are skipped, so a second run does no apt work.
#
#   scripts/install-deps.sh          the build, `make test`
#   scripts/install-deps.sh --fuzz   and clang 14 with its sanitizer and libFuzzer runtimes, for
#                                    `make fuzz` / `make test-sanitize` (docs/reliability.md)
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git clang-format
  # measurement backends
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo
  # the aarch64 device runner (make runner-aarch64) and its test under emulation
  g++-aarch64-linux-gnu qemu-user-static
  # model formats
  libonnx-dev libprotobuf-dev protobuf-compiler flatbuffers-compiler libflatbuffers-dev
  # store, predictors, utilities
  libsqlite3-dev sqlite3 libxgboost-dev xgboost nlohmann-json3-dev libcli11-dev libfmt-dev
  libeigen3-dev pybind11-dev python3-dev
  # the Python module (docs/python.md): its build (pip install . without downloads), its tests,
  # and PyTorch with torchvision for exporting real models to ONNX
  python3-numpy python3-pandas python3-pytest python3-setuptools python3-pybind11 python3-pip
  python3-torch python3-torchvision
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # remote devices (docs/remote.md): the ssh transport and its test's own sshd; adb for phones
  openssh-client openssh-server adb
  # HTML reports (docs/report.md): their test opens them in headless Chromium
  chromium
)
if [ "${1:-}" = "--fuzz" ]; then
  PACKAGES+=(clang-14 libclang-rt-14-dev)
elif [ $# -gt 0 ]; then
  echo "usage: scripts/install-deps.sh [--fuzz]" >&2
  exit 2
fi
# The build installs the reports' charting library (Vega) with npm (cmake/embed_charting.cmake).
# A machine with its own Node.js (e.g. NodeSource's, which bundles npm) keeps it: Debian's npm
# would conflict with it, so npm and nodejs are only asked for when no `npm` runs.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
