#!/usr/bin/env python3
"""Regularised evolution (Real et al., 2019) on NAS-Bench-201 under a latency budget: each
cycle samples a few members of the population, mutates one edge of the best, and retires the
oldest member. Candidates over the budget (predicted on the target) are not admitted.

nnlat predicts latency, not accuracy: the objective here is the parameter count, a stand-in
for a trained accuracy table that a real search would read (NAS-Bench-201's API).

    python3 examples/evolution_latency_budget.py --predictor pred.json --budget-ms 2.0
"""

import argparse
import collections
import random

import nnlat

OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def to_cell(edges) -> str:
    e = edges
    return f"|{e[0]}~0|+|{e[1]}~0|{e[2]}~1|+|{e[3]}~0|{e[4]}~1|{e[5]}~2|"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--predictor", required=True, help="predictor file, or a ready target such as pixel4:gpu:float")
    parser.add_argument("--budget-ms", type=float, required=True, help="predicted latency allowed")
    parser.add_argument("--population", type=int, default=50)
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--cycles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    predictor = nnlat.load_predictor(args.predictor)
    rng = random.Random(args.seed)
    params_memo = {}

    def objective(edges):
        cell = to_cell(edges)
        if cell not in params_memo:
            params_memo[cell] = nnlat.load_model("nb201:" + cell).params
        return params_memo[cell]

    def latency(edges_list):
        return predictor.predict_encodings([to_cell(e) for e in edges_list], "nb201")

    population = collections.deque()
    for _ in range(100):  # random cells until the population is full of cells within the budget
        batch = [tuple(rng.choice(OPS) for _ in range(6)) for _ in range(args.population)]
        for edges, ms in zip(batch, latency(batch).tolist()):
            if ms <= args.budget_ms and len(population) < args.population:
                population.append((edges, ms))
        if len(population) == args.population:
            break
    if len(population) < args.sample:
        raise SystemExit(f"only {len(population)} of {100 * args.population} random cells fit {args.budget_ms} ms: "
                         "raise the budget")
    best = max(population, key=lambda m: objective(m[0]))
    rejected = 0
    for _ in range(args.cycles):
        parent = max(rng.sample(list(population), args.sample), key=lambda m: objective(m[0]))
        child = list(parent[0])
        child[rng.randrange(6)] = rng.choice(OPS)
        child = tuple(child)
        ms = float(latency([child])[0])
        if ms > args.budget_ms:
            rejected += 1
            continue
        population.append((child, ms))
        population.popleft()
        if objective(child) > objective(best[0]):
            best = (child, ms)
    print(f"target {predictor.target}, budget {args.budget_ms} ms: {args.cycles} cycles, {rejected} over budget")
    print(f"best: {to_cell(best[0])}  {objective(best[0])} params  {best[1]:.4f} ms predicted")


if __name__ == "__main__":
    main()
