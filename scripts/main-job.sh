#!/usr/bin/env bash
# The main job run by `make run`. Until the profiling backends land, it shows what nnlat can
# already do on this machine: the zoo with its costs, and one network's per-op table.
set -euo pipefail
NNLAT=${1:-build/nnlat}
"$NNLAT" zoo
echo
"$NNLAT" info zoo:mobilenet_v2
