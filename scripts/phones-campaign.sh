#!/usr/bin/env bash
# Reproduces the figures of docs/phones.md from the shared phone dataset:
#   scripts/phones-campaign.sh [BUILD_DIR] [DATASET_DIR] [DB]
# Imports the mobile ML benchmark, evaluates op-wise prediction on every GPU target (5-fold
# CV by network, baselines on the same folds), and few-shot transfer for several
# source -> target pairs at K = 5, 10, 20, 50 training networks (10 random draws each). The
# PyTorch Mobile files, when present, are imported beside TFLite's (targets
# device:torch-CONFIG:precision) and their GPU targets evaluated the same way, then
# cross-framework transfer (each phone's TFLite target as the source of its PyTorch Mobile
# target, GPU and every CPU core set both measured) at K = 5, 10, 20 as markdown rows.
set -euo pipefail
BUILD=${1:-build}
DATA=${2:-../shared/datasets/mobile-ml-benchmark}
DB=${3:-phones.db}
NNLAT="$BUILD/nnlat"

# The op-wise GPU figures of each target given: 5-fold CV by network, baselines on the same folds.
opwise_gpu_figures() {
  for target in "$@"; do
    echo
    echo "### $target"
    echo '```'
    "$NNLAT" eval --db "$DB" --target "$target" --method opwise-gbdt --cv 5 --baselines flops,lut,e2e-ridge,e2e-gbdt |
      sed -n '1,/^per network family/p' | sed '/^per network family/d;/^$/d'
    echo '```'
  done
}

"$NNLAT" import mlbench --e2e "$DATA/tflite_cnn_e2e.csv" --ops "$DATA/tflite_cnn_ops_gpu.csv" --db "$DB"

echo
echo "## Op-wise prediction on phone GPUs (5-fold CV by network)"
opwise_gpu_figures $(awk -F, 'NR==1 { for (i = 4; i <= NF; i++) if ($i ~ /\|gpu\|float$/) { split($i, p, "|"); print p[1] ":gpu:float" } }' "$DATA/tflite_cnn_ops_gpu.csv")

if [ -f "$DATA/torch_cnn_ops_gpu.csv" ]; then
  "$NNLAT" import mlbench --e2e "$DATA/torch_cnn_e2e.csv" --ops "$DATA/torch_cnn_ops_gpu.csv" --db "$DB"
  echo
  echo "## Op-wise prediction on phone GPUs under PyTorch Mobile (5-fold CV by network)"
  opwise_gpu_figures $("$NNLAT" db stats --db "$DB" | grep -oE '[A-Za-z0-9._-]+:torch-(vulkan|metal):float' | sort -u)
fi

# One markdown row per K of few-shot transfer from SOURCE to TARGET beside the baselines
# trained on the same K networks (10 random draws, means): rho / MAPE / +-10% per method, and
# how the source's networks were matched (by id / by name / predicted by the source model).
transfer_rows() {
  local source=$1 target=$2 baselines=$3
  shift 3
  for k in "$@"; do
    "$NNLAT" eval --db "$DB" --target "$target" --from "$source" --method transfer --train-size "$k" --repeats 10 \
      --no-intervals --baselines "$baselines" |
      awk -v pair="$source -> $target" -v k="$k" -v methods="transfer,$baselines" '
        BEGIN { n = split(methods, m, ",") }
        NR > 2 && !($1 in row) { row[$1] = sprintf("%s / %s / %s", $10, $3, $7) }
        /^transfer source/ { matched = $4 "/" $9 "/" $12 }
        END {
          s = "| " pair " | " k
          for (i = 1; i <= n; i++) s = s " | " ((m[i] in row) ? row[m[i]] : "-")
          print s " | " matched " |"
        }'
  done
}

# The core sets (configs other than gpu) that both frameworks measured on DEVICE, as
# "TFLite-target,PyTorch-target" pairs.
# (The stats are read once: `nnlat ... | grep -q` under pipefail fails when grep stops early.)
shared_core_sets() {
  local stats
  stats=$("$NNLAT" db stats --db "$DB")
  grep -oE "\b$1:[A-Za-z0-9]+:float\b" <<<"$stats" | grep -v ':gpu:' | sort -u |
    while read -r tflite; do
      config=${tflite#*:}
      torch="$1:torch-${config%%:*}:float"
      if grep -qF "$torch" <<<"$stats"; then echo "$tflite,$torch"; fi
    done
}

if [ -f "$DATA/torch_cnn_ops_gpu.csv" ]; then
  echo
  echo "## Cross-framework transfer: a TFLite target + K networks measured under PyTorch Mobile"
  echo "(rho / MAPE / +-10%; matched: networks by id / by name / predicted by the source model)"
  echo
  echo "| TFLite -> PyTorch Mobile | K | transfer | opwise-gbdt | e2e-gbdt | e2e-ridge | flops | matched |"
  echo "|---|---|---|---|---|---|---|---|"
  for pair in pixel4:gpu:float,pixel4:torch-vulkan:float s10:gpu:float,s10:torch-vulkan:float \
    iphonexs:gpu:float,iphonexs:torch-metal:float; do
    transfer_rows "${pair%,*}" "${pair#*,}" opwise-gbdt,e2e-gbdt,e2e-ridge,flops 5 10 20
  done
  echo
  echo "| TFLite -> PyTorch Mobile (CPU core sets) | K | transfer | e2e-gbdt | e2e-ridge | flops | matched |"
  echo "|---|---|---|---|---|---|---|"
  for device in pixel4 s10 iphonexs; do
    for pair in $(shared_core_sets "$device"); do
      transfer_rows "${pair%,*}" "${pair#*,}" e2e-gbdt,e2e-ridge,flops 5 10 20
    done
  done
fi

echo
echo "## Few-shot transfer (K training networks on the target, 10 random draws, mean)"
for pair in pixel4:1large:float,pixel4:4small:float pixel4:1large:float,pixel4:gpu:float \
  pixel4:gpu:float,s10:gpu:float s10:1large:float,iphonexs:1large:float pixel4:1large:float,pixel4:1large:quant; do
  source=${pair%,*}
  target=${pair#*,}
  echo
  echo "### $source -> $target"
  echo '```'
  for k in 5 10 20 50; do
    echo "K = $k"
    "$NNLAT" eval --db "$DB" --target "$target" --from "$source" --method transfer --train-size "$k" --repeats 10 \
      --no-intervals --baselines e2e-gbdt,e2e-ridge,flops | sed -n '3,6p'
  done
  echo '```'
done
