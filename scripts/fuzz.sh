#!/usr/bin/env bash
# Runs every fuzz target of `make fuzz` for SECONDS each, one after another, from its seed
# corpus (fuzz/corpus/KIND) with its dictionary (fuzz/dict/KIND.dict), and keeps any crash,
# timeout, leak or out-of-memory input as a regression file under
# tests/fuzz-regressions/KIND/, which `make test` then replays (fuzz.replay.KIND).
#
#   scripts/fuzz.sh SECONDS [KIND...]     (default: every target)
#
# Environment: FUZZ_DIR (build-fuzz), FUZZ_TIMEOUT (seconds one input may take, 25),
# FUZZ_RSS_MB (memory limit, 2048), FUZZ_JOBS (targets run at once, 1: each target is one
# process on one core, so `make test-sanitize` runs as many as it has cores). The corpus grown by a run stays in
# $FUZZ_DIR/corpus/KIND (reused by the next run, never committed); one line per target
# (executions, coverage, features, crashes) goes to $FUZZ_DIR/fuzz-summary.tsv.
# Exit status: 0 when no target crashed, 1 otherwise, 2 on a usage error.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || ! [[ "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh SECONDS [KIND...]" >&2
  exit 2
fi
seconds=$1
shift
FUZZ_DIR=${FUZZ_DIR:-build-fuzz}
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-25}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
FUZZ_JOBS=${FUZZ_JOBS:-1}
if ! [[ "$FUZZ_JOBS" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz.sh: FUZZ_JOBS must be a positive number, not '$FUZZ_JOBS'" >&2
  exit 2
fi
kinds=("$@")
if [ ${#kinds[@]} -eq 0 ]; then
  kinds=(onnx tflite json_graph model_ref csv mlbench predictor_file protocol options)
fi

summary="$FUZZ_DIR/fuzz-summary.tsv"
printf 'target\tseconds\texecutions\texec_per_s\tcoverage\tfeatures\tcorpus\tcrashes\n' >"$summary"
for kind in "${kinds[@]}"; do
  if [ ! -x "$FUZZ_DIR/fuzz_$kind" ]; then
    echo "fuzz.sh: $FUZZ_DIR/fuzz_$kind is missing (run make fuzz first)" >&2
    exit 2
  fi
done

# A crash found on a machine whose files are lost afterwards (CI keeps only its output) must
# still be reproducible: print the sanitizer's report and, when it is small enough, the input
# itself as base64 (`base64 -d > FILE` and `build-fuzz/fuzz_KIND FILE` replay it).
report_crash() {
  local kind=$1 artifact=$2 log=$3
  echo "fuzz.sh: $kind: the end of its log:" >&2
  grep -v -E '^#[0-9]+|^[[:space:]]*"|^###### ' "$log" | tail -40 | sed 's/^/  | /' >&2
  local bytes
  bytes=$(wc -c <"$artifact")
  if [ "$bytes" -le 16384 ]; then
    echo "fuzz.sh: $kind: the input ($bytes bytes), base64:" >&2
    base64 -w 100 "$artifact" | sed 's/^/  = /' >&2
  else
    echo "fuzz.sh: $kind: the input is $bytes bytes: too long to print" >&2
  fi
}

# One target: run it, keep its crashes, append its summary line; the exit status says
# whether it crashed (so that targets can run side by side and be counted after).
fuzz_one() {
  local kind=$1
  local binary="$FUZZ_DIR/fuzz_$kind"
  local corpus="$FUZZ_DIR/corpus/$kind"
  local artifacts="$FUZZ_DIR/artifacts/$kind"
  local log="$FUZZ_DIR/fuzz-$kind.log"
  local status=0 execs rate last cov ft corp crashes artifact
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/*
  local dict=()
  [ -f "fuzz/dict/$kind.dict" ] && dict=(-dict="fuzz/dict/$kind.dict")
  echo "fuzz.sh: $kind for ${seconds}s"
  # -fork would survive a crash and go on; one process stops at the first crash, which is
  # kept, so the next run starts from the fix.
  "$binary" "$corpus" "fuzz/corpus/$kind" "${dict[@]}" -max_total_time="$seconds" -timeout="$FUZZ_TIMEOUT" \
    -rss_limit_mb="$FUZZ_RSS_MB" -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  crashes=0
  for artifact in "$artifacts"/*; do
    [ -f "$artifact" ] || continue
    # A slow unit is a note, not a failure (the first input of a target trains its small
    # predictor, ~11 s under ASan on a loaded 2-core VM); a real hang is a timeout-* artifact.
    case "$(basename "$artifact")" in slow-unit-*)
      echo "fuzz.sh: $kind: slow input $artifact (not kept; see $log)" >&2
      continue
      ;;
    esac
    crashes=$((crashes + 1))
    mkdir -p "tests/fuzz-regressions/$kind"
    cp "$artifact" "tests/fuzz-regressions/$kind/"
    echo "fuzz.sh: $kind: kept $(basename "$artifact") in tests/fuzz-regressions/$kind/ (log: $log)" >&2
    report_crash "$kind" "$artifact" "$log"
  done
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    echo "fuzz.sh: $kind exited with $status and left no input; see $log" >&2
    tail -20 "$log" >&2
    crashes=1
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$crashes" | tee -a "$summary"
  [ "$crashes" -eq 0 ]
}

failed=0
running=0
for kind in "${kinds[@]}"; do
  if [ "$running" -ge "$FUZZ_JOBS" ]; then
    wait -n || failed=1
    running=$((running - 1))
  fi
  fuzz_one "$kind" &
  running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
  wait -n || failed=1
  running=$((running - 1))
done
exit $failed
