#!/usr/bin/env bash
# The local NAS-Bench-201 transfer dataset of docs/transfer.md: the same N sampled NB201 cells
# measured end to end on several local targets (XNNPACK fp32 with 1 thread unpinned and pinned
# to CPU 0 and CPU 1, with 2 threads, and the naive reference loops), so that each target can
# play the new target with the others as its sources (scripts/transfer-campaign.sh). Not by
# default: XNNPACK int8 (2022-02 has no int8 average pooling, which NB201 cells use) and pocl
# OpenCL (it compiles each new cell for ~30 s); name them in TARGETS to try.
#   scripts/nb201-local-targets.sh [DB]
# NNLAT (default build/nnlat), N (default 200 cells), SEED (1), PROTOCOL (default: a short
# protocol, fine for ranking cells that differ by tens of percent) and TARGETS override.
# Append-only: a second run resumes each target's campaign.
set -euo pipefail
DB=${1:-nb201-local.db}
NNLAT=${NNLAT:-build/nnlat}
N=${N:-200}
SEED=${SEED:-1}
WORK=${NNLAT_RUN_DIR:-nb201-local-run}
PROTOCOL=${PROTOCOL:-"--warmup 2 --min-repeats 5 --min-time 0.02 --max-remeasure 1"}
DEFAULT_TARGETS="local:xnnpack-t1:float local:xnnpack-t2:float local:reference:float local:xnnpack-t1-a0:float
  local:xnnpack-t1-a1:float"
TARGETS=${TARGETS:-$DEFAULT_TARGETS}
read -r -a PROTO <<<"$PROTOCOL"
mkdir -p "$WORK"
"$NNLAT" sample nb201 --n "$N" --seed "$SEED" --out "$WORK/nb201" >/dev/null
for target in $TARGETS; do
  echo "== $target" >&2
  "$NNLAT" profile networks --target "$target" --db "$DB" --quiet "${PROTO[@]}" "$WORK/nb201" | tail -1
done
