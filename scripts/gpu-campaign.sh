#!/usr/bin/env bash
# The GPU loop of issue 6 on an OpenCL device (docs/gpu.md): what a session with a real GPU
# runs to fill docs/gpu.md's figures.
#   0. the device (nnlat devices -> $WORK/devices.txt and .json: platform, device, driver)
#   1. profile end to end: NAS-Bench-201 and MobileNetV2-space samples and the zoo, twice (the
#      second run is the noise floor); every measurement stores each kernel's implementation
#      and device time, and the end-to-end - sum-of-kernels gap is printed
#   2. profile kernels (tflite-gpu rules): every distinct kernel, and some sampled around them
#   3. 5-fold cross-validation by network of the op-wise GBDT beside the FLOPs, lookup-table
#      and whole-network baselines
# Usage: scripts/gpu-campaign.sh [NNLAT] [TARGET]; NNLAT (or $NNLAT) defaults to build/nnlat,
# e.g. NNLAT=bundle/nnlat for the self-contained bundle of `make bundle` on a machine with no
# packages (docs/gpu.md): the script needs bash, awk and coreutils only, no python.
# NNLAT_OPENCL_LIB=/usr/lib/libnvidia-opencl.so points the bundle at a vendor driver that is
# not registered in /etc/OpenCL/vendors. TARGET defaults to the first OpenCL GPU
# (local:opencl-<platform>:float). Sizes: NB201=N MBV2=N AROUND=N ZOO="zoo:a zoo:b ..." and
# PROTOCOL="--min-time 0.2 ..." override the defaults (QUICK=1: a smoke run in a minute on
# pocl). Measurements go to $NNLAT_DB (default nnlat-gpu.db), append-only: a second run
# resumes.
set -euo pipefail
NNLAT=${1:-${NNLAT:-build/nnlat}}
DB=${NNLAT_DB:-nnlat-gpu.db}
WORK=${NNLAT_RUN_DIR:-nnlat-gpu-run}
mkdir -p "$WORK"
"$NNLAT" devices --json >"$WORK/devices.json" # the record, for the docs
"$NNLAT" devices >"$WORK/devices.txt"
# The plain-text list (app/devices.cpp, DevicesResult::to_text), one device a line after
# "OpenCL devices:":   local:opencl-<platform>:float  NAME (TYPE, PLATFORM), driver ..., ...
# Read with awk, not a JSON parser: the machines this runs on need not have python.
OPENCL_LINES=$(awk '/^OpenCL devices:/ {on = 1; next} on && /^  local:/' "$WORK/devices.txt")
TARGET=${2:-$(awk '/ \(gpu, / {print $1; exit}' <<<"$OPENCL_LINES")}
if [ -z "$TARGET" ]; then
  echo "gpu-campaign: no OpenCL GPU here (see $WORK/devices.txt); pass a target, e.g. local:opencl-pocl:float" >&2
  exit 2
fi
if [ "${QUICK:-0}" = 1 ]; then
  NB201=${NB201:-6} MBV2=${MBV2:-0} AROUND=${AROUND:-20}
  ZOO=${ZOO:-"zoo:mobilenet_v2?width=0.35&res=64 zoo:resnet18?width=0.25&res=64"}
  PROTOCOL=${PROTOCOL:-"--warmup 1 --min-repeats 3 --min-time 0 --max-remeasure 0"}
else
  NB201=${NB201:-50} MBV2=${MBV2:-30} AROUND=${AROUND:-300}
  ZOO=${ZOO:-$("$NNLAT" zoo | awk 'NR > 1 {printf "zoo:%s ", $1}')}
  PROTOCOL=${PROTOCOL:-""}
fi
read -r -a ZOO_REFS <<<"$ZOO"
read -r -a PROTO <<<"$PROTOCOL"
NETS=("${ZOO_REFS[@]}")
if [ "$NB201" -gt 0 ]; then
  "$NNLAT" sample nb201 --n "$NB201" --seed 1 --out "$WORK/nb201" >/dev/null
  NETS+=("$WORK/nb201")
fi
if [ "$MBV2" -gt 0 ]; then
  "$NNLAT" sample mbv2 --n "$MBV2" --seed 1 --out "$WORK/mbv2" >/dev/null
  NETS+=("$WORK/mbv2")
fi

echo "== 0. $TARGET"
echo "$OPENCL_LINES"
echo; echo "== 1. end-to-end latency (twice: the second run is the noise floor); device ms and the gap"
"$NNLAT" profile networks --target "$TARGET" --db "$DB" --quiet "${PROTO[@]}" "${NETS[@]}"
"$NNLAT" profile networks --target "$TARGET" --db "$DB" --quiet --repeat 2 "${PROTO[@]}" "${NETS[@]}" | tail -1
echo; echo "== 2. isolated kernels (tflite-gpu rules) and $AROUND sampled around them"
"$NNLAT" profile kernels --target "$TARGET" --db "$DB" --quiet "${PROTO[@]}" --from "${NETS[@]}" | tail -1
if [ "$AROUND" -gt 0 ]; then
  "$NNLAT" profile kernels --target "$TARGET" --db "$DB" --quiet "${PROTO[@]}" --around "${NETS[@]}" --n "$AROUND" \
    --seed 1 | tail -1
fi
echo; echo "== 3. accuracy on held-out networks (5-fold cross-validation by network)"
"$NNLAT" eval --db "$DB" --target "$TARGET" --method opwise-gbdt --cv 5
