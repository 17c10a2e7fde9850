#!/usr/bin/env bash
# Reproduces the figures of docs/phones.md from the shared phone dataset:
#   scripts/phones-campaign.sh [BUILD_DIR] [DATASET_DIR] [DB]
# Imports the mobile ML benchmark, evaluates op-wise prediction on every GPU target (5-fold
# CV by network, baselines on the same folds), and few-shot transfer for several
# source -> target pairs at K = 5, 10, 20, 50 training networks (10 random draws each). The
# PyTorch Mobile files, when present, are imported beside TFLite's (targets
# device:torch-CONFIG:precision) and their GPU targets evaluated the same way.
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
