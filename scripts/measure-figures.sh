#!/usr/bin/env bash
# Reproduces the figures of docs/measurements.md on this machine (run it on an otherwise
# idle machine; it takes about 10-15 minutes on 2 cores):
#   1. run-to-run noise: CV over 3 independent campaigns of each zoo network's median, 1 and 2 threads
#   2. ratio of summed isolated-kernel medians to the end-to-end median per zoo network (1 thread)
#   3. profiling throughput (kernels per minute) and per-measurement overhead
# Usage: [SECTIONS="1 2 3"] [NOISE_THREADS="1 2"] scripts/measure-figures.sh [BUILD_DIR] [OUT_DIR]
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-$(mktemp -d)}
NNLAT="$BUILD/nnlat"
mkdir -p "$OUT"
ZOO=$("$NNLAT" zoo --json | grep -o '"name": "[^"]*"' | awk -F'"' '{print "zoo:" $4}')

SECTIONS=${SECTIONS:-1 2 3}
NOISE_THREADS=${NOISE_THREADS:-1 2}
section() { [[ " $SECTIONS " == *" $1 "* ]]; }

if section 1; then
echo "## 1. run-to-run noise (3 campaigns per thread count, default protocol)"
for threads in $NOISE_THREADS; do
  for rep in 1 2 3; do
    "$NNLAT" profile networks --quiet --target "local:xnnpack-t$threads:float" --db "$OUT/noise-t$threads-$rep.db" $ZOO >/dev/null
    "$NNLAT" db export --db "$OUT/noise-t$threads-$rep.db" --format csv -o "$OUT/noise-t$threads-$rep.csv" 2>/dev/null
  done
  # columns: kind,id,target,backend,name,...,median_ms(12),...,cv(15)
  cat "$OUT"/noise-t$threads-*.csv | awk -F, -v t="$threads" '
    $1 == "network" { n[$5]++; s[$5] += $12; ss[$5] += $12 * $12; w[$5] += $15 }
    END {
      printf "threads=%s  %-22s %10s %12s %12s\n", t, "network", "mean ms", "run-to-run CV", "within CV"
      for (k in n) { m = s[k] / n[k]; v = (ss[k] - n[k] * m * m) / (n[k] - 1); if (v < 0) v = 0
        printf "threads=%s  %-22s %10.3f %12.4f %12.4f\n", t, k, m, sqrt(v) / m, w[k] / n[k]; cv += sqrt(v) / m; c++ }
      printf "threads=%s  mean run-to-run CV over %d networks: %.4f\n", t, c, cv / c }' | sort
done
fi

if section 2 || section 3; then
echo "## 2. summed isolated kernels vs end-to-end (1 thread, xnnpack rules)"
DB2="$OUT/kernels.db"
"$NNLAT" profile networks --quiet --target local:xnnpack-t1:float --db "$DB2" $ZOO >/dev/null
start=$(date +%s.%N)
"$NNLAT" profile kernels --quiet --target local:xnnpack-t1:float --db "$DB2" --from $ZOO --json > "$OUT/kernels.json"
end=$(date +%s.%N)
"$NNLAT" db kernel-sum --db "$DB2" --target local:xnnpack-t1:float $ZOO

echo "## 3. profiling throughput and overhead (kernel campaign above, default protocol)"
measured=$(grep -o '"measured": [0-9]*' "$OUT/kernels.json" | awk '{print $2}')
"$NNLAT" db export --db "$DB2" --format csv --target local:xnnpack-t1:float -o "$OUT/kernels.csv" 2>/dev/null
awk -F, -v wall="$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" -v n="$measured" '
  $1 == "kernel" { timed += $13 * $17 / 1000 }   # mean_ms * n_samples: time inside timed runs
  END { printf "kernels measured: %d in %.1f s -> %.1f kernels/min\n", n, wall, n / wall * 60
        printf "timed runs: %.1f s; overhead (warm-up, prepare, re-measures, store): %.1f ms per kernel\n",
               timed, (wall - timed) / n * 1000 }' "$OUT/kernels.csv"
fi
echo "raw data in $OUT"
