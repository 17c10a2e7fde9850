#!/usr/bin/env python3
"""Times 100k NB201 predictions from Python (Predictor.predict_encodings, one thread) beside
the C++ figure of the same work (build/bench_encodings, encodings_memoised_100k_random/nb201:
one batch of 100k cells drawn uniformly with repeats, all seen before), on the same
predictor: the default opwise-gbdt trained on the synthetic target, written by the C++ side
(docs/performance.md, "NAS encodings").

    PYTHONPATH=build/python /usr/bin/python3 scripts/bench-python-encodings.py [--build build]

Prints the Python rate (memoised: a second pass over the same 100k cells; cold: a fresh
Predictor object, so its memos start empty), the C++ rate from the benchmark binary, and their
ratio. Timings, not tests: nothing is asserted.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import nnlat

NB201_OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def cell(rng):
    e = [rng.choice(NB201_OPS) for _ in range(6)]
    return f"|{e[0]}~0|+|{e[1]}~0|{e[2]}~1|+|{e[3]}~0|{e[4]}~1|{e[5]}~2|"


def best_rate(fn, n, repeats):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build", help="the build folder (bench_encodings, the predictor writer)")
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "p.json")
        # The benchmark's predictor, written by the benchmark binary itself.
        subprocess.run([os.path.join(args.build, "bench_encodings"), "--benchmark_filter=^$",
                        "--write_predictor=" + path], check=True, capture_output=True)
        rng = random.Random(1)
        cells = [cell(rng) for _ in range(args.n)]

        p = nnlat.Predictor.load(path)
        p.predict_encodings(cells, "nb201")  # fills the memos: every cell seen once
        memoised = best_rate(lambda: p.predict_encodings(cells, "nb201"), args.n, args.repeats)

        def cold():
            nnlat.Predictor.load(path).predict_encodings(cells, "nb201")
        cold_rate = best_rate(cold, args.n, 1)

        out = subprocess.run([os.path.join(args.build, "bench_encodings"),
                              "--benchmark_filter=encodings_memoised_100k_random/nb201", "--benchmark_min_time=1",
                              "--benchmark_repetitions=" + str(args.repeats), "--benchmark_format=json"],
                             check=True, capture_output=True, text=True).stdout
        runs = [b for b in json.loads(out)["benchmarks"] if b.get("run_type") == "iteration"]
        cpp = max(b["items_per_second"] for b in runs)

    print(f"python  memoised, {args.n} NB201 cells, one thread: {memoised:,.0f} predictions/s")
    print(f"python  first pass of a fresh Predictor (plans and kernels cold): {cold_rate:,.0f} predictions/s")
    print(f"C++     encodings_memoised_100k_random/nb201 (the same workload): {cpp:,.0f} predictions/s")
    print(f"C++ / Python (memoised): {cpp / memoised:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
