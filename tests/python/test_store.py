"""The store from Python: targets, measurements and kernel timings as records; profile,
train and eval with the CLI's options and their errors."""

import math

import pytest

import nnlat
from conftest import FAST, TARGET


def test_store_records(measured):
    store = nnlat.Store.open(measured["db"])
    assert store.targets() == [TARGET]
    stats = store.stats()
    rows = store.measurements(TARGET)
    assert len(rows) == stats["network_measurements"] + stats["kernel_measurements"]
    networks = [r for r in rows if r["kind"] == "network"]
    assert len(networks) == len(measured["networks"])
    assert all(r["median_ms"] > 0 and r["samples_ms"] for r in rows)
    assert isinstance(store.kernel_timings(TARGET), dict)
    with pytest.raises(nnlat.NotFoundError):
        store.measurements("nowhere:cpu:float")
    pandas = pytest.importorskip("pandas")
    frame = nnlat.frame(rows)
    assert isinstance(frame, pandas.DataFrame) and "median_ms" in frame.columns


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("not a database")
    with pytest.raises(nnlat.Error, match=str(bad)):
        nnlat.Store.open(str(bad))


def test_profile_resumes_and_eval_reports(measured, predictor_path):
    again = nnlat.profile_networks(measured["networks"], target=TARGET, db=measured["db"], references=[], **FAST)
    assert again["measured"] == 0 and again["already_done"] == len(measured["networks"])
    report = nnlat.evaluate(measured["db"], target=TARGET, cv="4", baselines=["flops"], calibrate=False)
    assert report["target"] == TARGET and report["networks_measured"] == len(measured["networks"])
    assert math.isfinite(report["mape"]) and math.isfinite(report["baselines"]["flops"]["mape"])


def test_options_are_checked_like_the_cli(measured):
    with pytest.raises(nnlat.InvalidArgumentError, match="unknown option.*warmup.*known: warmup_runs"):
        nnlat.profile_networks(["zoo:mobilenet_v2"], db=measured["db"], warmup=1)
    with pytest.raises(nnlat.ParseError, match="warmup_runs must be an integer"):
        nnlat.profile_networks(["zoo:mobilenet_v2"], db=measured["db"], warmup_runs=1.5)
    with pytest.raises(nnlat.InvalidArgumentError, match="min_repeats"):
        nnlat.profile_networks(["zoo:mobilenet_v2"], db=measured["db"], min_repeats=0)
    with pytest.raises(nnlat.InvalidArgumentError, match="unknown option"):
        nnlat.train(measured["db"], TARGET, str(measured["folder"] / "x.json"), gbdt_round=3)


def test_analyze_returns_the_cli_json(measured):
    report = nnlat.analyze(measured["db"], targets=[TARGET], top=2)
    assert report["schema"] == "nnlat-analyze" and report["targets"] == [TARGET]
    assert report["flops"][0]["all"]["networks"] == len(measured["networks"])
    assert len(report["noise"][0]["noisiest"]) <= 2
    with pytest.raises(nnlat.NotFoundError):
        nnlat.analyze(measured["db"], targets=["nowhere:cpu:float"])
