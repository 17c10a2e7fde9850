"""Shared fixtures of the Python module's tests: a tiny store measured on this machine through
the module itself (fast protocol, NB201 cells), and a predictor trained on it."""

import os
import random
import subprocess

import pytest

import nnlat

TARGET = "local:xnnpack-t1:float"
# As the CLI tests measure: a few runs each, no minimum time, one round. The figures mean
# little; what is tested is the plumbing between Python, the library and the store.
FAST = dict(warmup_runs=1, min_repeats=3, min_time_s=0.0, max_remeasure=0, rounds=1)
NB201_OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def nb201_cell(rng: random.Random) -> str:
    e = [rng.choice(NB201_OPS) for _ in range(6)]
    return f"|{e[0]}~0|+|{e[1]}~0|{e[2]}~1|+|{e[3]}~0|{e[4]}~1|{e[5]}~2|"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    """The nnlat binary of this build (NNLAT_BINARY, set by CTest)."""
    return subprocess.run([os.environ.get("NNLAT_BINARY", "nnlat"), *args], capture_output=True, text=True)


@pytest.fixture(scope="session")
def measured(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nnlat")
    db = str(folder / "m.db")
    rng = random.Random(4)
    nets = ["nb201:" + nb201_cell(rng) for _ in range(8)]
    nnlat.profile_networks(nets, target=TARGET, db=db, references=[], **FAST)
    nnlat.profile_kernels(from_models=nets, target=TARGET, db=db, references=[], **FAST)
    nnlat.profile_kernels(around=nets, n=40, seed=2, target=TARGET, db=db, references=[], **FAST)
    return {"folder": folder, "db": db, "networks": nets}


@pytest.fixture(scope="session")
def predictor_path(measured):
    path = str(measured["folder"] / "p.json")
    summary = nnlat.train(measured["db"], TARGET, path)
    assert summary["predictor"] == path
    return path
