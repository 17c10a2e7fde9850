#!/usr/bin/env bash
# The HTML reports opened in headless Chromium (issue 17): `nnlat report`, `eval --report` and
# `predict --report` on the shipped phone data (one GPU target, imported into a scratch store),
# each page loaded with --dump-dom and checked: the page's status element says every chart
# rendered, every chart's container holds an SVG with drawn marks, and Chromium logged no
# console error. A control corrupts one chart's spec and expects the same check to fail, so a
# page that draws nothing cannot pass. CTest runs it with label `report`:
#   tests/report_chromium_test.sh build/nnlat data/mobile-ml-benchmark
# Exits 77 (CTest: skipped) with a message when Chromium is not installed.
set -euo pipefail

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
  echo "SKIP: chromium is not installed (scripts/install-deps.sh installs Debian's chromium)"
  exit 77
fi
NNLAT_BIN=$(realpath "$1")
DATA=$(realpath "$2")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
TARGET=pixel4:gpu:float
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Loads PAGE, writes its DOM to PAGE.dom and Chromium's log to PAGE.log, and checks them;
# prints the number of charts drawn. --virtual-time-budget lets the charts' promises settle
# before the DOM is dumped.
check_page() {
  local page=$1 expected=$2
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$TMP/profile" \
    --enable-logging=stderr --v=0 --virtual-time-budget=30000 --dump-dom "file://$page" >"$page.dom" 2>"$page.log" ||
    return 1
  python3 - "$page.dom" "$page.log" "$expected" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
log = open(sys.argv[2], encoding="utf-8", errors="replace").read()
expected = int(sys.argv[3])
errors = [l for l in log.splitlines() if "CONSOLE" in l and re.search(r"error|uncaught", l, re.I)]
if errors:
    sys.exit("console errors:\n" + "\n".join(errors))
status = re.search(r'<p id="nnlat-status" data-state="(\w+)">([^<]*)<', dom)
if not status or status.group(1) != "ok":
    sys.exit("page status: " + (status.group(1) + ": " + status.group(2) if status else "missing"))
charts = re.findall(r'<div id="(chart-[\w-]+)" class="chart[^"]*"[^>]*>(.*?)</div>\s*<figcaption', dom, re.S)
if len(charts) != expected:
    sys.exit(f"{len(charts)} chart containers in the DOM, expected {expected}")
for name, body in charts:
    marks = len(re.findall(r'<(?:path|rect|line|circle|text)\b', body))
    if "<svg" not in body or marks < 5:
        sys.exit(f"{name}: no rendered SVG ({marks} SVG elements)")
    print(f"{name}: {marks} SVG elements")
PY
}

"$NNLAT_BIN" import mlbench --e2e "$DATA/tflite_cnn_e2e.csv" --ops "$DATA/tflite_cnn_ops_gpu.csv" \
  --db "$TMP/phones.db" >"$TMP/import.log" 2>&1 || fail "import: $(cat "$TMP/import.log")"

# 1. nnlat report: every chart it lists must be drawn.
"$NNLAT_BIN" report --db "$TMP/phones.db" --target "$TARGET" -o "$TMP/report.html" --cv 3 --kernels 200,0 \
  --repeats 1 --json >"$TMP/report.json"
charts=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["charts"]))' "$TMP/report.json")
[ "$charts" -ge 6 ] || fail "nnlat report listed $charts charts, expected at least 6"
check_page "$TMP/report.html" "$charts" || fail "report.html (Chromium log: $TMP/report.html.log)"
echo "report.html: $charts charts rendered"

# 2. eval --report and predict --report.
"$NNLAT_BIN" eval --db "$TMP/phones.db" --target "$TARGET" --cv 3 --no-intervals --report "$TMP/eval.html" >/dev/null
check_page "$TMP/eval.html" 4 || fail "eval.html"
echo "eval.html: 4 charts rendered"
"$NNLAT_BIN" train --db "$TMP/phones.db" --target "$TARGET" -o "$TMP/p.json" >/dev/null
"$NNLAT_BIN" predict --predictor "$TMP/p.json" zoo:mobilenet_v2 zoo:mnasnet_a1 --report "$TMP/predict.html" >/dev/null
check_page "$TMP/predict.html" 1 || fail "predict.html"
echo "predict.html: 1 chart rendered"

# 3. The control: an unknown mark type in one spec must make the same check fail.
sed 's/"mark":"bar"/"mark":"no-such-mark"/' "$TMP/eval.html" >"$TMP/broken.html"
cmp -s "$TMP/eval.html" "$TMP/broken.html" && fail "the control found no bar chart to break"
if check_page "$TMP/broken.html" 4 >/dev/null 2>&1; then
  fail "a page with a broken chart passed the check"
fi
echo "control: a broken chart fails the check"
echo "PASS"
