#!/usr/bin/env bash
# The main job run by `make run`: profile a small set of zoo networks on this machine's CPU
# through XNNPACK (1 and 2 threads), the distinct kernels of MobileNetV2, and print what the
# store holds. Measurements go to ./nnlat.db (append-only; a second run resumes and measures
# only what is missing). Training and prediction are not built yet.
set -euo pipefail
NNLAT=${1:-build/nnlat}
DB=${NNLAT_DB:-nnlat.db}
MODELS=(zoo:mobilenet_v2 zoo:mobilenet_v3_small zoo:mobilenet_v1 zoo:mnasnet_a1 zoo:efficientnet_lite0
        zoo:shufflenet_v2 zoo:squeezenet1_1 zoo:regnetx_200mf zoo:resnet18)

"$NNLAT" devices
echo
for target in local:xnnpack-t1:float local:xnnpack-t2:float; do
  echo "== end-to-end latency on $target"
  "$NNLAT" profile networks --target "$target" --db "$DB" "${MODELS[@]}"
  echo
done
echo "== isolated kernels of MobileNetV2 on local:xnnpack-t1:float"
"$NNLAT" profile kernels --target local:xnnpack-t1:float --db "$DB" --from zoo:mobilenet_v2 --min-time 0.1 >/dev/null
echo
"$NNLAT" db stats --db "$DB"
echo
"$NNLAT" db table --db "$DB"
