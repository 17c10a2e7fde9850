#!/usr/bin/env bash
# Reproduces the tables of docs/transfer.md: few-shot transfer, leave one target out. Each
# target of the store in turn is the new target; the sources are the other targets (all of
# them, `--from-all`, or those matching SOURCES, a grep -E pattern on target names); K random
# networks of the target are measured (20 draws), the rest predicted. Per target and K, the
# mean and spread over the draws of Spearman ρ, Kendall τ, MAPE and ±10% of
#   transfer         multi-source transfer (docs/transfer.md)
#   transfer-ref     the same with REFS reference networks among the K (--reference-networks)
#   transfer-single  today's single-source transfer from the source closest on the K networks
#   flops, e2e-ridge, e2e-gbdt   trained on the K networks alone
# as CSV rows on stdout: target,K,method,spearman,spearman_std,kendall_tau,mape,mape_std,acc10
#   scripts/transfer-campaign.sh DB [TARGET_PATTERN] [SOURCES]
# e.g. the phones (after `nnlat import mlbench`, docs/phones.md):
#   scripts/transfer-campaign.sh phones.db ':gpu:float$'                # GPUs, every other setting as a source
#   scripts/transfer-campaign.sh phones.db ':gpu:float$' '^[a-z0-9]+:[0-9]'  # CPU -> GPU: CPU core sets only
# and the local NAS-Bench-201 targets (scripts/nb201-local-targets.sh):
#   scripts/transfer-campaign.sh nb201-local.db
# NNLAT (default build/nnlat), KS (default "5 10 20 50"), REPEATS (default 20), REFS (default 5),
# BASELINES (default flops,e2e-ridge,e2e-gbdt,transfer-single), SEED (the draws; default 0, eval's)
# METHOD (default transfer; transfer-select or transfer-gbdt: docs/transfer.md) and EVAL_FLAGS
# (more flags for the method's eval, e.g. --encoding-features) override.
set -euo pipefail
DB=$1
PATTERN=${2:-.}
SOURCES=${3:-}
NNLAT=${NNLAT:-build/nnlat}
KS=${KS:-"5 10 20 50"}
REPEATS=${REPEATS:-20}
REFS=${REFS:-5}
SEED=${SEED:-0}
METHOD=${METHOD:-transfer}
BASELINES=${BASELINES:-flops,e2e-ridge,e2e-gbdt,transfer-single}
read -r -a eval_flags <<<"${EVAL_FLAGS:-}"
PY=/usr/bin/python3

targets=$("$NNLAT" db stats --db "$DB" --json | $PY -c '
import json, sys
for t in json.load(sys.stdin)["per_target"]:
    if t["networks"] > 0: print(t["target"])' | grep -E -- "$PATTERN" || true)
all_targets=$("$NNLAT" db stats --db "$DB" --json | $PY -c '
import json, sys
for t in json.load(sys.stdin)["per_target"]:
    if t["networks"] > 0: print(t["target"])')

# One CSV row per method of an `eval --json` object.
rows() {
  $PY -c '
import json, sys
target, k, tag = sys.argv[1:4]
j = json.load(sys.stdin)
reports = [(j["method"], j)] + list(j["baselines"].items())
for name, r in reports:
    if tag and name != sys.argv[4]: continue
    m, s = r["repeat_mean"], r["repeat_std"]
    cells = [m["spearman"], s["spearman"], m["kendall_tau"], m["mape"], s["mape"], m["acc10"]]
    print(",".join([target, k, name + tag] + ["%.4f" % v for v in cells]))' "$@"
}

echo "target,K,method,spearman,spearman_std,kendall_tau,mape,mape_std,acc10"
for target in $targets; do
  if [ -n "$SOURCES" ]; then
    from=(--from "$(grep -E -- "$SOURCES" <<<"$all_targets" | grep -vxF -- "$target" | paste -sd, -)")
  else
    from=(--from-all)
  fi
  for k in $KS; do
    "$NNLAT" eval --db "$DB" --target "$target" "${from[@]}" --method "$METHOD" --train-size "$k" \
      --repeats "$REPEATS" --seed "$SEED" --no-intervals --baselines "$BASELINES" ${eval_flags[@]+"${eval_flags[@]}"} \
      --json | rows "$target" "$k" "" "$METHOD"
    if [ "$REFS" -gt 0 ] && [ "$k" -ge "$REFS" ]; then
      "$NNLAT" eval --db "$DB" --target "$target" "${from[@]}" --method transfer --train-size "$k" \
        --repeats "$REPEATS" --seed "$SEED" --no-intervals --baselines none --reference-networks "$REFS" --json |
        rows "$target" "$k" "-ref" transfer
    fi
  done
done
