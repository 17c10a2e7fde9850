#!/usr/bin/env bash
# Runs every fuzz target of `make fuzz` for SECONDS each, one after another, from its seed
# corpus (fuzz/corpus/KIND) with its dictionary (fuzz/dict/KIND.dict), and keeps any crash,
# timeout, leak or out-of-memory input as a regression file under
# tests/fuzz-regressions/KIND/, which `make test` then replays (fuzz.replay.KIND).
#
#   scripts/fuzz.sh SECONDS [KIND...]     (default: every target)
#
# Environment: FUZZ_DIR (build-fuzz), FUZZ_TIMEOUT (seconds one input may take, 25),
# FUZZ_RSS_MB (memory limit, 2048). The corpus grown by a run stays in
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
kinds=("$@")
if [ ${#kinds[@]} -eq 0 ]; then
  kinds=(onnx tflite json_graph model_ref csv mlbench predictor_file protocol options)
fi

summary="$FUZZ_DIR/fuzz-summary.tsv"
printf 'target\tseconds\texecutions\texec_per_s\tcoverage\tfeatures\tcorpus\tcrashes\n' >"$summary"
failed=0
for kind in "${kinds[@]}"; do
  binary="$FUZZ_DIR/fuzz_$kind"
  if [ ! -x "$binary" ]; then
    echo "fuzz.sh: $binary is missing (run make fuzz first)" >&2
    exit 2
  fi
  corpus="$FUZZ_DIR/corpus/$kind"
  artifacts="$FUZZ_DIR/artifacts/$kind"
  log="$FUZZ_DIR/fuzz-$kind.log"
  mkdir -p "$corpus" "$artifacts"
  rm -f "$artifacts"/*
  dict=()
  [ -f "fuzz/dict/$kind.dict" ] && dict=(-dict="fuzz/dict/$kind.dict")
  echo "fuzz.sh: $kind for ${seconds}s"
  # -fork would survive a crash and go on; one process stops at the first crash, which is
  # kept, so the next run starts from the fix.
  status=0
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
  done
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    echo "fuzz.sh: $kind exited with $status and left no input; see $log" >&2
    tail -20 "$log" >&2
    crashes=1
  fi
  [ "$crashes" -eq 0 ] || failed=1
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$kind" "$seconds" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$crashes" | tee -a "$summary"
done
exit $failed
