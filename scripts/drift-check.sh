#!/usr/bin/env bash
# Does a predictor keep its accuracy on a store measured later on the same machine (issue 13)?
#   scripts/drift-check.sh build/nnlat local:xnnpack-t1:float accuracy.db later.db
# Trains opwise-gbdt on TRAIN_DB (e.g. the one scripts/accuracy-campaign.sh filled), measures
# the same networks again into a fresh LATER_DB (default rounds protocol, which re-measures the
# reference networks), then evaluates the predictor on LATER_DB as trained and calibrated
# against the reference networks (`eval --calibrate`): the `bias` column is the systematic
# error the drift between the two stores causes. Resumable like every campaign.
set -euo pipefail
NNLAT=${1:-build/nnlat}
TARGET=${2:-local:xnnpack-t1:float}
TRAIN_DB=${3:-accuracy.db}
LATER_DB=${4:-later.db}
WORK=${NNLAT_RUN_DIR:-accuracy-run}
PREDICTOR="$WORK/${TARGET//:/_}-drift-check.json"
[ -f "$WORK/networks.txt" ] || { echo "drift-check: run scripts/accuracy-campaign.sh first (no $WORK/networks.txt)" >&2; exit 2; }
mapfile -t NETS <"$WORK/networks.txt"
"$NNLAT" train --db "$TRAIN_DB" --target "$TARGET" --method opwise-gbdt -o "$PREDICTOR" | head -1
"$NNLAT" profile networks --target "$TARGET" --db "$LATER_DB" --quiet "${NETS[@]}" | tail -1
echo "== as trained"
"$NNLAT" eval --db "$LATER_DB" --predictor "$PREDICTOR" | sed -n 2,3p
echo "== calibrated against the reference networks"
"$NNLAT" eval --db "$LATER_DB" --predictor "$PREDICTOR" --calibrate | sed -n 2,4p
