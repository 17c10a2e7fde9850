#!/usr/bin/env bash
# Cross-checks `nnlat profile networks` against an independent timer (Google Benchmark,
# bench/bench_xnnpack_networks.cpp) on the same graph, target and machine, side by side.
# Usage: scripts/check-independent-timing.sh [BUILD_DIR] [MODEL] [THREADS]
set -euo pipefail
BUILD=${1:-build}
MODEL=${2:-mobilenet_v2}
THREADS=${3:-1}
DB=$(mktemp -d)/check.db
nnlat_ms=$("$BUILD/nnlat" profile networks --target "local:xnnpack-t$THREADS:float" --db "$DB" "zoo:$MODEL" \
  --json --quiet | grep -o '"median_ms": [0-9.e+-]*' | head -1 | awk '{print $2}')
bench_ms=$("$BUILD/bench_xnnpack_networks" --benchmark_filter="run_network/$MODEL/threads:$THREADS/" \
  --benchmark_repetitions=5 --benchmark_report_aggregates_only=true 2>/dev/null |
  awk '/_median/ {print $2}')
ratio=$(awk -v a="$nnlat_ms" -v b="$bench_ms" 'BEGIN {printf "%.3f", a / b}')
echo "model=$MODEL threads=$THREADS nnlat_profile_median_ms=$nnlat_ms google_benchmark_median_ms=$bench_ms ratio=$ratio"
awk -v r="$ratio" 'BEGIN {exit !(r > 0.9 && r < 1.1)}' && echo "within 10%" || { echo "NOT within 10%"; exit 1; }
