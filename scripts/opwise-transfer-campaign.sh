#!/usr/bin/env bash
# Reproduces the op-wise transfer table of docs/transfer.md: each phone GPU of a store in turn
# is the target with another GPU of the same framework as the source (PAIRS, "target<source"
# items); K random target networks (with their per-kernel rows) are measured, the rest
# predicted; per target and K, one CSV row per method of the same draws:
#   opwise-transfer  the source's opwise-gbdt kernel predictor adapted on the K (--opwise-from)
#   transfer         network-level single-source transfer from the same source (--from)
#   opwise-gbdt      trained on the K networks alone
#   scripts/opwise-transfer-campaign.sh DB
# NNLAT (default build/nnlat), KS (default "5 10 20"), REPEATS (default 20), SEED (default 0)
# and PAIRS (default the three TFLite GPUs) override.
set -euo pipefail
DB=$1
NNLAT=${NNLAT:-build/nnlat}
KS=${KS:-"5 10 20"}
REPEATS=${REPEATS:-20}
SEED=${SEED:-0}
PAIRS=${PAIRS:-"pixel4:gpu:float<s10:gpu:float s10:gpu:float<pixel4:gpu:float iphonexs:gpu:float<s10:gpu:float"}
PY=/usr/bin/python3

echo "target,source,K,method,spearman,spearman_std,kendall_tau,mape,mape_std,acc10"
for pair in $PAIRS; do
  target=${pair%%<*}
  source=${pair##*<}
  for k in $KS; do
    "$NNLAT" eval --db "$DB" --target "$target" --from "$source" --method transfer --train-size "$k" \
      --repeats "$REPEATS" --seed "$SEED" --no-intervals --baselines opwise-gbdt --opwise-from "$source" --json |
      $PY -c '
import json, sys
target, source, k = sys.argv[1:4]
j = json.load(sys.stdin)
reports = [("opwise-transfer", j["opwise_transfer"]), (j["method"], j)] + list(j["baselines"].items())
for name, r in reports:
    m, s = r["repeat_mean"], r["repeat_std"]
    cells = [m["spearman"], s["spearman"], m["kendall_tau"], m["mape"], s["mape"], m["acc10"]]
    print(",".join([target, source, k, name] + ["%.4f" % v for v in cells]))' "$target" "$source" "$k"
  done
done
