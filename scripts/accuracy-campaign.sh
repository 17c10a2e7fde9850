#!/usr/bin/env bash
# The accuracy figures of docs/accuracy.md on this machine's CPU, for one target:
#   scripts/accuracy-campaign.sh build/nnlat local:xnnpack-t1:float accuracy.db
# 97 networks (20 NAS-Bench-201, 20 MobileNetV2-space, 5 from each of the 8 block spaces of
# docs/nas-spaces.md, 17 zoo networks and variants) are measured end to end twice with the
# default rounds protocol (the second campaign is the noise floor), their distinct kernels and
# 600 kernels sampled around them in isolation (the kernel-profiling time is printed), then
# 5-fold cross-validation by network (each fold predicts ~19 networks whose kernels it never
# saw), leave-one-family-out (`--cv family`), and the drift report of the store.
# Resumable: rerun the same command after an interruption.
# NNLAT_SEED (default 1) picks the NAS samples and the sampled kernels: another seed gives a
# fresh store of other networks, to confirm figures on networks no one has looked at.
# (Figures in docs/accuracy.md dated before 2026-12-05 came from the 57-network, single-pass
# version of this script: `git show a9478f2:scripts/accuracy-campaign.sh`.)
set -euo pipefail
NNLAT=${1:-build/nnlat}
TARGET=${2:-local:xnnpack-t1:float}
DB=${3:-accuracy.db}
WORK=${NNLAT_RUN_DIR:-accuracy-run}
SEED=${NNLAT_SEED:-1}
ZOO=(zoo:mobilenet_v2 zoo:mobilenet_v3_small zoo:mobilenet_v1 zoo:mnasnet_a1 zoo:efficientnet_lite0
     zoo:shufflenet_v2 zoo:squeezenet1_1 zoo:regnetx_200mf zoo:resnet18 zoo:mobilenet_v3_large zoo:proxylessnas_mobile
     zoo:ghostnet zoo:efficientnet_b0 "zoo:mobilenet_v2?width=0.5&res=160" "zoo:mobilenet_v1?width=0.75&res=192"
     "zoo:mnasnet_a1?width=0.75" zoo:regnetx_400mf)
mkdir -p "$WORK"
"$NNLAT" sample nb201 --n 20 --seed "$SEED" --out "$WORK/nb201" >/dev/null
"$NNLAT" sample mbv2 --n 20 --seed "$SEED" --out "$WORK/mbv2" >/dev/null
BLOCKS=()
for space in shuffle grouped fire dense inception se largedw mixed; do
  "$NNLAT" sample "$space" --n 5 --seed "$SEED" --out "$WORK/$space" >/dev/null
  BLOCKS+=("$WORK/$space")
done
NETS=("$WORK/nb201" "$WORK/mbv2" "${BLOCKS[@]}" "${ZOO[@]}")
printf '%s\n' "${NETS[@]}" >"$WORK/networks.txt"  # what scripts/drift-check.sh measures again

"$NNLAT" profile networks --target "$TARGET" --db "$DB" --quiet "${NETS[@]}" | tail -1
"$NNLAT" profile networks --target "$TARGET" --db "$DB" --quiet --repeat 2 "${NETS[@]}" | tail -1
start=$(date +%s)
"$NNLAT" profile kernels --target "$TARGET" --db "$DB" --quiet --min-time 0.1 --from "${NETS[@]}" | tail -1
"$NNLAT" profile kernels --target "$TARGET" --db "$DB" --quiet --min-time 0.1 --around "${NETS[@]}" --n 600 \
  --seed "$SEED" | tail -1
echo "kernel profiling took $(( $(date +%s) - start )) s in this run (0 s when resumed from a finished campaign)"
for method in opwise-gbdt opwise-rf opwise-linear opwise-mlp; do
  "$NNLAT" eval --db "$DB" --target "$TARGET" --method "$method" --cv 5 --baselines none --no-intervals | sed -n 3p
done
"$NNLAT" eval --db "$DB" --target "$TARGET" --method opwise-gbdt --cv 5 --csv "$WORK/${TARGET//:/_}-cv.csv"
"$NNLAT" eval --db "$DB" --target "$TARGET" --method opwise-gbdt --cv family --no-intervals \
  --csv "$WORK/${TARGET//:/_}-family.csv"
"$NNLAT" db drift --db "$DB" --target "$TARGET"
