"""Predictions from Python: the same numbers as the CLI, in batches on threads, from
references, Model objects and NAS encodings; intervals; the per-kernel breakdown."""

import json
import math
import random

import numpy as np
import pytest

import nnlat
from conftest import nb201_cell, run_cli


def test_predictions_equal_the_cli(predictor_path):
    p = nnlat.Predictor.load(predictor_path)
    assert p.target == "local:xnnpack-t1:float" and p.method == "opwise-gbdt"
    refs = ["zoo:mobilenet_v2", "nb201:" + nb201_cell(random.Random(9))]
    ms = p.predict(refs)
    assert isinstance(ms, np.ndarray) and ms.dtype == np.float64 and ms.shape == (2,)
    assert np.all(np.isfinite(ms)) and np.all(ms > 0)
    cli = run_cli("predict", "--predictor", predictor_path, "--json", "--no-breakdown", *refs)
    assert cli.returncode == 0, cli.stderr
    expected = [json.loads(line)["latency_ms"] for line in cli.stdout.splitlines()]
    assert ms.tolist() == pytest.approx(expected, rel=1e-9)


def test_batches_threads_models_and_encodings_agree(predictor_path):
    p = nnlat.load_predictor(predictor_path)
    rng = random.Random(1)
    cells = [nb201_cell(rng) for _ in range(300)]
    one = p.predict(["nb201:" + c for c in cells])
    assert np.array_equal(p.predict(["nb201:" + c for c in cells], threads=2), one)
    assert np.array_equal(p.predict(["nb201:" + c for c in cells], threads=0), one)
    assert np.array_equal(p.predict_encodings(cells, "nb201", threads=2), one)
    models = [nnlat.load_model("nb201:" + c) for c in cells[:5]]
    assert np.array_equal(p.predict(models), one[:5])
    assert p.predict(models[0]).shape == (1,)
    ms, low, high = p.predict(cells[:3] and ["nb201:" + c for c in cells[:3]], intervals=True)
    assert np.all(low <= ms) and np.all(ms <= high)


def test_breakdown_rows(predictor_path):
    p = nnlat.Predictor.load(predictor_path)
    rows = nnlat.breakdown(p, "zoo:mobilenet_v2", as_frame=False)
    assert len(rows) > 50
    assert {"kernel", "type", "family", "latency_ms", "share", "extrapolated"} <= set(rows[0])
    assert math.isclose(sum(r["share"] for r in rows), 1.0, rel_tol=1e-9)
    pandas = pytest.importorskip("pandas")
    frame = nnlat.breakdown(p, "zoo:mobilenet_v2")
    assert isinstance(frame, pandas.DataFrame) and len(frame) == len(rows)


def test_errors_name_the_model(predictor_path, tmp_path):
    p = nnlat.Predictor.load(predictor_path)
    with pytest.raises(nnlat.NotFoundError, match=r"model 1 \(zoo:nope\)"):
        p.predict(["zoo:mobilenet_v2", "zoo:nope"], threads=2)
    with pytest.raises(nnlat.InvalidArgumentError, match="unknown encoding space"):
        p.predict_encodings(["x"], "nb999")
    with pytest.raises(nnlat.InvalidArgumentError, match="encoding 0"):
        p.predict_encodings(["|not_an_op~0|+|"], "nb201")
    with pytest.raises(nnlat.InvalidArgumentError, match="references"):
        p.predict([3.5])
    with pytest.raises(nnlat.InvalidArgumentError, match="threads"):
        p.predict(["zoo:mobilenet_v2"], threads=-1)
    broken = tmp_path / "p.json"
    broken.write_text('{"format": "nnlat-predictor", "version": 99}')
    with pytest.raises(nnlat.ParseError, match=str(broken)):
        nnlat.Predictor.load(str(broken))
    with pytest.raises(nnlat.NotFoundError):
        nnlat.load_predictor(str(tmp_path / "missing.json"))


def test_a_ready_phone_predictor_by_name(tmp_path, monkeypatch):
    monkeypatch.setenv("NNLAT_CACHE_DIR", str(tmp_path / "cache"))  # built here, not in the user's cache
    targets = {p["target"]: p for p in nnlat.ready_predictors()}
    assert "pixel4:gpu:float" in targets and "pixel4:1large:float" in targets
    p = nnlat.load_predictor("pixel4:1large:float")  # a CPU core set: whole-network features, quick to train
    assert p.target == "pixel4:1large:float"
    ms = p.predict(["zoo:mobilenet_v2", "zoo:resnet18"])
    assert np.all(np.isfinite(ms)) and np.all(ms > 0) and ms[1] > ms[0]
    built = {q["target"]: q for q in nnlat.ready_predictors()}["pixel4:1large:float"]
    assert built["built"] and 0 < built["cv_mape"] < 1
    # A core set trained with the transformers keeps a CNN-only model: each network goes to the
    # file `nnlat predict --target` would use (CNNs to the companion, ViTs to the main file).
    assert p.cnn_path is not None and p.cnn_path != p.path
    main, cnn = nnlat.Predictor.load(p.path), nnlat.Predictor.load(p.cnn_path)
    models = ["zoo:mobilenet_v2", "zoo:deit_tiny_patch16_224"]
    routed = p.predict(models)
    assert routed[0] == cnn.predict(models[0])[0] and routed[1] == main.predict(models[1])[0]
    assert main.predict(models[0])[0] != routed[0]  # the two models differ, so routing is seen
    assert p.predict_encodings(["k3e6-" * 15 + "k3e6"], space="mbv2")[0] == \
        cnn.predict_encodings(["k3e6-" * 15 + "k3e6"], space="mbv2")[0]
    with pytest.raises(nnlat.NotFoundError, match="pixel4:gpu:float"):
        nnlat.load_predictor("nowhere:gpu:float")
