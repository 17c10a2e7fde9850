#!/usr/bin/env bash
# Reproduces the method choice of the ready predictors for CPU targets (docs/ready-predictors.md):
#   scripts/ready-methods.sh [BUILD_DIR] [DATA_DIR] [DB]
# The CPU targets of the shipped phone data have end-to-end figures only (no per-kernel
# timings), so only whole-network methods can learn them: each is cross-validated (5 folds by
# network, the same folds for all) on every CPU target, one line per target, then the means.
set -euo pipefail
BUILD=${1:-build}
DATA=${2:-data/mobile-ml-benchmark}
DB=${3:-phones.db}
NNLAT="$BUILD/nnlat"

"$NNLAT" import mlbench --e2e "$DATA/tflite_cnn_e2e.csv" --ops "$DATA/tflite_cnn_ops_gpu.csv" --db "$DB" >/dev/null 2>&1
targets=$(head -1 "$DATA/tflite_cnn_e2e.csv" | tr ',' '\n' | grep '|mean$' | grep -v '|gpu|' | sed 's/|mean$//; s/|/:/g')
for t in $targets; do
  "$NNLAT" eval --db "$DB" --target "$t" --method e2e-gbdt --cv 5 --baselines e2e-ridge,flops --no-intervals --json
done | python3 -c '
import json, sys
rows = []
for line in sys.stdin:
    j = json.loads(line)
    b = j["baselines"]
    rows.append((j["target"], (j["mape"], j["acc10"]), (b["e2e-ridge"]["mape"], b["e2e-ridge"]["acc10"]),
                 (b["flops"]["mape"], b["flops"]["acc10"])))
print("target                   e2e-gbdt MAPE / ±10%   e2e-ridge MAPE / ±10%   flops MAPE / ±10%")
for t, *ms in rows:
    print(f"{t:<24}" + "".join(f"   {100 * m:6.2f}% / {100 * a:5.1f}%    " for m, a in ms))
print(f"{len(rows)} CPU targets; mean over them:")
for i, name in enumerate(["e2e-gbdt", "e2e-ridge", "flops"]):
    best = sum(1 for r in rows if r[1 + i][0] == min(x[0] for x in r[1:]))
    mape = sum(r[1 + i][0] for r in rows) / len(rows)
    acc = sum(r[1 + i][1] for r in rows) / len(rows)
    print(f"  {name:<10} MAPE {100 * mape:.2f}%, within ±10% {100 * acc:.1f}%, lowest MAPE on {best} targets")
'
