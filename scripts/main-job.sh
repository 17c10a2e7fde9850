#!/usr/bin/env bash
# The main job run by `make run`: the whole loop on this machine's CPU (XNNPACK, 1 thread),
# about 6 minutes on 2 cores (5 min 31 s on 2026-12-05, after the build):
#   1. profile end to end: 12 NAS-Bench-201 and 12 MobileNetV2-space networks, 10 zoo networks,
#      twice (the second run gives the run-to-run noise floor that step 5 prints), each time in
#      the default three interleaved rounds with reference networks (docs/measurements.md)
#   2. profile kernels: every distinct kernel of those networks, and 300 sampled around them,
#      in a single pass (--rounds 1) to keep the job short; scripts/accuracy-campaign.sh
#      measures kernels in rounds too
#   3. train the default op-wise GBDT predictor (nnlat-predictor.json)
#   4. predict the whole zoo, with the per-kernel breakdown of MobileNetV2
#   5. 5-fold cross-validation by network (held-out networks' kernels never trained on),
#      beside the FLOPs, lookup-table and whole-network baselines, printed and drawn with the
#      learning curve and MobileNetV2's breakdown into ./nnlat-report.html (docs/report.md)
# Measurements go to ./nnlat.db (append-only): a second run resumes and measures only what is
# missing. Sampled networks are written to ./nnlat-run/.
set -euo pipefail
NNLAT=${1:-build/nnlat}
DB=${NNLAT_DB:-nnlat.db}
WORK=${NNLAT_RUN_DIR:-nnlat-run}
TARGET=local:xnnpack-t1:float
ZOO=(zoo:mobilenet_v2 zoo:mobilenet_v3_small zoo:mobilenet_v1 zoo:mnasnet_a1 zoo:efficientnet_lite0
     zoo:shufflenet_v2 zoo:squeezenet1_1 zoo:regnetx_200mf zoo:ghostnet "zoo:mobilenet_v2?width=0.5&res=160")

mkdir -p "$WORK"
"$NNLAT" devices
"$NNLAT" sample nb201 --n 12 --seed 1 --out "$WORK/nb201" >/dev/null
"$NNLAT" sample mbv2 --n 12 --seed 1 --out "$WORK/mbv2" >/dev/null
NETS=("$WORK/nb201" "$WORK/mbv2" "${ZOO[@]}")

echo; echo "== 1. end-to-end latency of 34 networks on $TARGET (twice: the second run is the noise floor)"
"$NNLAT" profile networks --target "$TARGET" --db "$DB" --quiet "${NETS[@]}" | tail -1
"$NNLAT" profile networks --target "$TARGET" --db "$DB" --quiet --repeat 2 "${NETS[@]}" | tail -1
echo; echo "== 2. isolated kernels of those networks, and 300 sampled around them"
"$NNLAT" profile kernels --target "$TARGET" --db "$DB" --quiet --min-time 0.1 --rounds 1 --from "${NETS[@]}" |
  tail -1
"$NNLAT" profile kernels --target "$TARGET" --db "$DB" --quiet --min-time 0.1 --rounds 1 --around "${NETS[@]}" \
  --n 300 --seed 1 | tail -1
echo; echo "== 3. train the op-wise GBDT predictor"
"$NNLAT" train --db "$DB" --target "$TARGET" --method opwise-gbdt -o nnlat-predictor.json
echo; echo "== 4. predict the zoo"
"$NNLAT" predict --predictor nnlat-predictor.json zoo:mobilenet_v2 --top 10
"$NNLAT" zoo | awk 'NR > 1 {print "zoo:" $1}' | xargs "$NNLAT" predict --predictor nnlat-predictor.json --no-breakdown
echo; echo "== 5. accuracy on held-out networks (5-fold cross-validation by network), and the HTML report"
REPORT=${NNLAT_REPORT:-nnlat-report.html}
"$NNLAT" report --db "$DB" --target "$TARGET" --method opwise-gbdt --cv 5 --network mobilenet_v2 -o "$REPORT"
echo; echo "The report: $(realpath "$REPORT") (one self-contained HTML file: open it in a browser)"
