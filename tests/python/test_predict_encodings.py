"""Predictor.predict_encodings: the memoised fast path from Python (NB201 strings, NB101
(adjacency, ops) pairs, mbv2 encodings), equal to predict() on the built networks, the same on
any thread count, errors as Python exceptions naming the encoding."""

import random

import numpy as np
import pytest

import nnlat
from conftest import nb201_cell

NB101_CELL = (
    [[0, 1, 1, 0, 0],
     [0, 0, 0, 1, 0],
     [0, 0, 0, 1, 0],
     [0, 0, 0, 0, 1],
     [0, 0, 0, 0, 0]],
    ["input", "conv3x3-bn-relu", "maxpool3x3", "conv1x1-bn-relu", "output"],
)
MBV2 = ["k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6-k3e6",
        "k5e3se-skip-k7e6hs-skip-skip-k3e1-skip-skip-skip-k5e6sehs-skip-skip-k3e3-skip-skip-k7e1"]


def test_nb201_equals_predict_on_references_on_any_thread_count(predictor_path):
    p = nnlat.Predictor.load(predictor_path)
    rng = random.Random(3)
    cells = [nb201_cell(rng) for _ in range(500)]  # repeats included: 500 draws of 15,625
    ms = p.predict_encodings(cells, "nb201")
    assert isinstance(ms, np.ndarray) and ms.dtype == np.float64 and ms.shape == (500,)
    assert np.array_equal(ms[:40], p.predict(["nb201:" + c for c in cells[:40]]))
    assert np.array_equal(p.predict_encodings(cells, "nb201", threads=2), ms)
    assert np.array_equal(p.predict_encodings(cells, "nb201", threads=0), ms)
    again, low, high = p.predict_encodings(cells, "nb201", intervals=True)
    assert np.array_equal(again, ms) and np.all(low <= ms) and np.all(ms <= high)


def test_nb101_pairs_and_mbv2_strings(predictor_path, tmp_path):
    p = nnlat.Predictor.load(predictor_path)
    spec = tmp_path / "cell.json"
    spec.write_text('{"matrix": %s, "ops": %s}' % (NB101_CELL[0], str(NB101_CELL[1]).replace("'", '"')))
    expected = p.predict(["nb101:" + str(spec)])
    assert np.array_equal(p.predict_encodings([NB101_CELL], "nb101"), expected)
    assert np.array_equal(p.predict_encodings([(np.array(NB101_CELL[0]), NB101_CELL[1])], "nb101"), expected)
    text = "ops=in,c3,mp,c1,out;adj=01100,00010,00010,00001,00000"
    assert np.array_equal(p.predict_encodings([text], "nb101"), expected)
    mbv2 = p.predict_encodings(MBV2, "mbv2", threads=2)
    assert np.array_equal(mbv2, p.predict(["space:mbv2:" + e for e in MBV2]))


def test_errors_name_the_encoding(predictor_path):
    p = nnlat.Predictor.load(predictor_path)
    cells = [nb201_cell(random.Random(i)) for i in range(100)]
    cells[57] = "|nor_conv_3x3~0|+|bogus~0|none~1|+|none~0|none~1|none~2|"
    with pytest.raises(nnlat.InvalidArgumentError, match=r"encoding 57: .*bogus"):
        p.predict_encodings(cells, "nb201", threads=2)
    with pytest.raises(nnlat.InvalidArgumentError, match="unknown encoding space 'nb999'"):
        p.predict_encodings(cells, "nb999")
    with pytest.raises(nnlat.InvalidArgumentError, match="16 layer tokens"):
        p.predict_encodings(["k3e6"], "mbv2")
    with pytest.raises(nnlat.InvalidArgumentError, match="encoding 1 must be a str"):
        p.predict_encodings([cells[0], 3], "nb201")
    with pytest.raises(nnlat.InvalidArgumentError, match="sequence of encodings"):
        p.predict_encodings(cells[0], "nb201")
    with pytest.raises(nnlat.InvalidArgumentError, match="threads"):
        p.predict_encodings(cells[:3], "nb201", threads=-1)


def test_help_describes_the_spaces():
    doc = nnlat.Predictor.predict_encodings.__doc__
    assert "nb201" in doc and "nb101" in doc and "mbv2" in doc and "GIL" in doc
