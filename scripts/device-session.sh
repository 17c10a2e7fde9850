#!/usr/bin/env bash
# The one prepared run for a session that is lent the device machine (issue 13: an NVIDIA
# H200 and a 16-core Xeon, 15 minutes of device time a session, no packages there). It only
# measures, each step capped in time so the whole run stays inside BUDGET_S (default 420 s);
# stores are append-only and resumable, so a capped step keeps what it measured. Everything
# is evaluated afterwards on the build machine from the stores it leaves in OUT.
#
# On the build machine:
#   make bundle && tar czf device.tgz -C build bundle -C .. scripts/device-session.sh
# On the device machine (bash, awk, coreutils; OUT is where results go):
#   NNLAT_OPENCL_LIB=/usr/lib/libnvidia-opencl.so NNLAT=bundle/nnlat scripts/device-session.sh "$OUT"
# Back here (docs/gpu.md, docs/accuracy.md):
#   nnlat db drift --db OUT/gpu.db --target local:opencl-<platform>:float
#   nnlat eval --db OUT/gpu.db --target local:opencl-<platform>:float --cv 5      (and --cv family)
#   nnlat eval --db OUT/cpu.db --target local:xnnpack-t16:float --cv 5 ...
#
# Steps: the device list; the GPU: zoo + NB201 + mbv2 + block-space networks, twice with the
# default rounds protocol (noise floor, raw and drift-corrected), then their kernels in one
# pass; the CPU at 16, 4 and 1 threads: 8 zoo networks and 6 per sample space, twice, and their
# kernels. Sizes: GPU_NETS and CPU_NETS (networks per sample space), PROTOCOL (default:
# --min-time 0.1 --max-remeasure 1).
set -uo pipefail  # not -e: a capped step (exit 124) must not stop the others
OUT=${1:?usage: device-session.sh OUT_DIR}
NNLAT=${NNLAT:-bundle/nnlat}
BUDGET_S=${BUDGET_S:-420}
GPU_NETS=${GPU_NETS:-12}
CPU_NETS=${CPU_NETS:-6}
read -r -a PROTO <<<"${PROTOCOL:---min-time 0.1 --max-remeasure 1}"
mkdir -p "$OUT/nets"
start=$(date +%s)
# Runs a step capped at SECONDS (of a 420 s plan, scaled to BUDGET_S), logging it.
step() {
  local cap=$(($1 * BUDGET_S / 420))
  shift
  echo "== [$(date -u +%H:%M:%S), cap ${cap}s] $*" >>"$OUT/log.txt"
  timeout "$cap" "$@" >>"$OUT/log.txt" 2>&1
  echo "   exit $? (124: capped; what it measured is stored)" >>"$OUT/log.txt"
}

"$NNLAT" devices >"$OUT/devices.txt" 2>&1
"$NNLAT" devices --json >"$OUT/devices.json" 2>/dev/null
# GPU_TARGET overrides the first OpenCL GPU (e.g. local:opencl-pocl:float to try the script here).
GPU=${GPU_TARGET:-$(awk '/^OpenCL devices:/ {on = 1; next} on && / \(gpu, / {print $1; exit}' "$OUT/devices.txt")}
for space in nb201 mbv2 shuffle grouped fire dense inception se largedw; do
  "$NNLAT" sample "$space" --n "$GPU_NETS" --seed 1 --out "$OUT/nets/gpu-$space" >/dev/null
  "$NNLAT" sample "$space" --n "$CPU_NETS" --seed 2 --out "$OUT/nets/cpu-$space" >/dev/null
done
ZOO=()
while read -r name; do ZOO+=("zoo:$name"); done < <("$NNLAT" zoo | awk 'NR > 1 {print $1}')
mapfile -t GPU_SETS < <(find "$OUT/nets" -maxdepth 1 -name 'gpu-*' | sort)
mapfile -t CPU_SETS < <(find "$OUT/nets" -maxdepth 1 -name 'cpu-*' | sort)

if [ -n "$GPU" ]; then
  step 70 "$NNLAT" profile networks --target "$GPU" --db "$OUT/gpu.db" --quiet "${PROTO[@]}" "${ZOO[@]}" "${GPU_SETS[@]}"
  step 70 "$NNLAT" profile networks --target "$GPU" --db "$OUT/gpu.db" --quiet --repeat 2 "${PROTO[@]}" "${ZOO[@]}" \
    "${GPU_SETS[@]}"
  step 60 "$NNLAT" profile kernels --target "$GPU" --db "$OUT/gpu.db" --quiet --rounds 1 "${PROTO[@]}" \
    --from "${ZOO[@]}" "${GPU_SETS[@]}"
else
  echo "no OpenCL GPU (devices.txt)" >>"$OUT/log.txt"
fi
for t in 16 4 1; do
  CPU=(--target "local:xnnpack-t$t:float" --db "$OUT/cpu.db" --quiet "${PROTO[@]}")
  step 25 "$NNLAT" profile networks "${CPU[@]}" "${ZOO[@]:0:8}" "${CPU_SETS[@]}"
  step 25 "$NNLAT" profile networks "${CPU[@]}" --repeat 2 "${ZOO[@]:0:8}" "${CPU_SETS[@]}"
  step 20 "$NNLAT" profile kernels "${CPU[@]}" --rounds 1 --from "${ZOO[@]:0:8}" "${CPU_SETS[@]}"
done
echo "done in $(($(date +%s) - start)) s" >>"$OUT/log.txt"
