#!/usr/bin/env python3
"""Random search over NAS-Bench-201: sample cells, predict their latency on a target in one
batched call, and print the Pareto front of predicted latency against parameter count.

    python3 examples/random_search_nb201.py --predictor pred.json --n 100000 --threads 0
    python3 examples/random_search_nb201.py --predictor pixel4:gpu:float   # a ready predictor
"""

import argparse
import random
import time

import nnlat

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def random_cell(rng: random.Random) -> str:
    e = [rng.choice(OPS) for _ in range(6)]
    return f"|{e[0]}~0|+|{e[1]}~0|{e[2]}~1|+|{e[3]}~0|{e[4]}~1|{e[5]}~2|"


def pareto_front(points):
    """The points no other point beats on both latency and parameters (fewer ms, more params)."""
    front, best_params = [], -1
    for ms, params, cell in sorted(points, key=lambda p: (p[0], -p[1])):
        if params > best_params:
            front.append((ms, params, cell))
            best_params = params
    return front


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predictor", required=True, help="predictor file, or a ready target such as pixel4:gpu:float")
    parser.add_argument("--n", type=int, default=100_000, help="cells to sample")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="prediction threads (0: one per core)")
    args = parser.parse_args()

    predictor = nnlat.load_predictor(args.predictor)
    rng = random.Random(args.seed)
    cells = [random_cell(rng) for _ in range(args.n)]
    start = time.perf_counter()
    latency_ms = predictor.predict_encodings(cells, "nb201", threads=args.threads)
    elapsed = time.perf_counter() - start
    print(f"{args.n} cells predicted for {predictor.target} in {elapsed:.2f} s ({args.n / elapsed:,.0f}/s)")

    params = {c: nnlat.load_model("nb201:" + c).params for c in set(cells)}  # at most 15,625 distinct cells
    front = pareto_front([(ms, params[c], c) for ms, c in zip(latency_ms.tolist(), cells)])
    print(f"Pareto front (predicted latency vs parameters), {len(front)} cells:")
    print(f"{'ms':>10} {'params':>10}  cell")
    for ms, p, cell in front:
        print(f"{ms:>10.4f} {p:>10}  {cell}")


if __name__ == "__main__":
    main()
