#!/usr/bin/env python3
"""Writes a SYNTHETIC NAS-Bench-201 latency table: every one of the 15,625 NB201 cells (a row
each) x N made-up targets (a column each, named as nnlat targets `synthNN:cpu:float`).

The numbers are invented, not measured: per target, a base time for the skeleton plus a cost
per edge op (convolutions dearer than pooling, skip and none nearly free), each target with its
own random scale and op costs, times log-normal noise (sigma 3%). They are plausible in size
(a few ms, as a phone CPU runs an NB201 CIFAR network) and rank like latencies do, which is
all the NAS-scale store checks need (import time and size, eval time: docs/store.md). They say
nothing about any real device. The seed fixes them.

    /usr/bin/python3 scripts/make-synthetic-nb201-csv.py OUT.csv [--targets 27] [--seed 1]
"""

import argparse
import itertools
import math
import random

NB201_OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def encoding(ops):
    e = ops
    return f"|{e[0]}~0|+|{e[1]}~0|{e[2]}~1|+|{e[3]}~0|{e[4]}~1|{e[5]}~2|"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--targets", type=int, default=27)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    targets = []
    for t in range(args.targets):
        scale = math.exp(rng.uniform(-1.0, 1.5))
        cost = {
            "none": 0.0,
            "skip_connect": rng.uniform(0.0, 0.05),
            "nor_conv_1x1": rng.uniform(0.1, 0.4),
            "nor_conv_3x3": rng.uniform(0.4, 1.2),
            "avg_pool_3x3": rng.uniform(0.05, 0.3),
        }
        targets.append((f"synth{t + 1:02d}:cpu:float", scale, rng.uniform(0.5, 2.0), cost))
    with open(args.out, "w") as f:
        f.write("arch," + ",".join(name for name, *_ in targets) + "\n")
        for ops in itertools.product(NB201_OPS, repeat=6):
            cells = []
            for _, scale, base, cost in targets:
                ms = scale * (base + sum(cost[o] for o in ops)) * math.exp(rng.gauss(0.0, 0.03))
                cells.append(f"{ms:.5f}")
            f.write(encoding(ops) + "," + ",".join(cells) + "\n")


if __name__ == "__main__":
    main()
