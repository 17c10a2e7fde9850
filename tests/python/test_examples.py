"""The examples run (small sizes) against the predictor trained in conftest."""

import os
import subprocess
import sys

import numpy as np
import pytest

import nnlat

EXAMPLES = os.path.join(os.environ.get("NNLAT_SOURCE_DIR", "."), "examples")


def run_example(name, *args):
    result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args], capture_output=True, text=True,
                            env=dict(os.environ), timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_random_search(predictor_path):
    out = run_example("random_search_nb201.py", "--predictor", predictor_path, "--n", "2000", "--seed", "3")
    assert "2000 cells predicted" in out
    front = [line.split() for line in out.splitlines()[3:]]
    assert front
    ms = [float(f[0]) for f in front]
    params = [int(f[1]) for f in front]
    assert ms == sorted(ms) and params == sorted(params)  # a front: slower only when bigger


def test_evolution_keeps_the_budget(predictor_path):
    p = nnlat.Predictor.load(predictor_path)
    from conftest import nb201_cell
    import random
    budget = float(np.median(p.predict_encodings([nb201_cell(random.Random(i)) for i in range(200)], "nb201")))
    out = run_example("evolution_latency_budget.py", "--predictor", predictor_path, "--budget-ms", str(budget),
                      "--cycles", "200", "--population", "20", "--sample", "5")
    best_ms = float(out.split()[-3])
    assert best_ms <= budget + 0.5e-4  # the example prints 4 decimals: the budget cell itself may round up


def test_torch_model(predictor_path):
    pytest.importorskip("torchvision")
    out = run_example("torch_model.py", "--model", "mobilenet_v3_small", "--resolution", "96", "--predictor",
                      predictor_path, "--top", "3")
    imported, torch_count = [int(x.replace(",", "")) for x in (out.split()[1], out.split()[4].lstrip("("))]
    assert abs(imported - torch_count) <= 0.01 * torch_count
    assert "predicted on" in out
