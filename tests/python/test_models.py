"""Models from every kind of reference, their costs, and errors as the CLI words them."""

import json

import pytest

import nnlat
from conftest import run_cli


def test_zoo_model_with_costs_and_ops():
    m = nnlat.load_model("zoo:mobilenet_v2")
    assert m.reference == "zoo:mobilenet_v2"
    entry = next(e for e in nnlat.zoo() if e["name"] == "mobilenet_v2")
    assert abs(m.params / 1e6 - entry["published_mparams"]) / entry["published_mparams"] < 0.02
    assert abs(m.macs / 1e6 - entry["published_mmacs"]) / entry["published_mmacs"] < 0.02
    ops = m.ops()
    assert len(ops) == m.num_ops > 50
    assert sum(o["params"] for o in ops) == m.params
    assert m.info()["name"] == m.name


def test_every_reference_kind_loads():
    cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    for ref in ["nb201:" + cell, "zoo:resnet18?width=0.5&res=64"]:
        m = nnlat.load_model(ref)
        assert m.macs > 0 and m.params > 0
    # The graph in nnlat's JSON format loads back as a file.
    graph = json.loads(nnlat.load_model("zoo:resnet18").to_json())
    assert graph["nodes"]


def test_info_matches_the_cli():
    cli = run_cli("info", "--json", "zoo:resnet18")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout.splitlines()[0]) == nnlat.load_model("zoo:resnet18").info()


def test_errors_are_exceptions_with_the_cli_message(tmp_path):
    with pytest.raises(nnlat.NotFoundError) as unknown:
        nnlat.load_model("zoo:no_such_net")
    assert isinstance(unknown.value, LookupError) and isinstance(unknown.value, nnlat.Error)
    cli = run_cli("info", "zoo:no_such_net")
    assert cli.returncode == 2
    assert cli.stderr.strip() == "nnlat: error: " + str(unknown.value)

    bad = tmp_path / "broken.onnx"
    bad.write_bytes(b"\x08\x07garbage that is not a protobuf")
    with pytest.raises(nnlat.Error) as malformed:
        nnlat.load_model(str(bad))
    assert str(bad) in str(malformed.value)
    assert isinstance(malformed.value, ValueError)


def test_everything_public_has_help():
    for name in nnlat.__all__:
        obj = getattr(nnlat, name)
        assert obj.__doc__ and len(obj.__doc__) > 20, name
        if isinstance(obj, type) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if not attr.startswith("_"):
                    assert getattr(member, "__doc__", None), f"{name}.{attr}"
