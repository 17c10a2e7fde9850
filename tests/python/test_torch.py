"""torch.nn.Module objects through torch.onnx.export: costs agree with PyTorch's own."""

import pytest

import nnlat

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")


@pytest.mark.parametrize("name", ["resnet18", "mobilenet_v2", "squeezenet1_1"])
def test_from_torch_counts_parameters_like_pytorch(name):
    module = getattr(torchvision.models, name)()
    model = nnlat.from_torch(module, torch.randn(1, 3, 64, 64), name=name)
    expected = sum(p.numel() for p in module.parameters())
    assert abs(model.params - expected) <= 0.01 * expected
    assert model.macs > 0
    assert module.training  # from_torch restores the module's mode


def test_a_module_nnlat_cannot_import_raises_an_error_naming_the_op():
    class RunningSum(torch.nn.Module):
        def forward(self, x):
            return torch.cumsum(x, dim=1)  # ONNX CumSum: not in nnlat's op table

    with pytest.raises(nnlat.UnsupportedError, match="CumSum"):
        nnlat.from_torch(RunningSum(), torch.randn(1, 8))


def test_a_token_shaped_layer_on_a_phone_gpu_is_a_finite_latency_or_a_clear_error(tmp_path, monkeypatch):
    # The ready GPU predictors learned fully-connected kernels from classifier heads only; a
    # transformer's MLP (197 tokens, 768 -> 3072) once came out as `inf ms`. Either a finite
    # latency or an error that says why: never a non-number.
    np = pytest.importorskip("numpy")
    monkeypatch.setenv("NNLAT_CACHE_DIR", str(tmp_path / "cache"))
    mlp = torch.nn.Sequential(torch.nn.Linear(768, 3072), torch.nn.GELU(), torch.nn.Linear(3072, 768))
    model = nnlat.from_torch(mlp, torch.randn(197, 768), name="vit_mlp")
    predictor = nnlat.load_predictor("pixel4:gpu:float")
    try:
        ms = predictor.predict([model])
    except nnlat.UnsupportedError as e:
        assert "model 0" in str(e) and "not a finite number" in str(e)
    else:
        assert np.all(np.isfinite(ms)) and np.all(ms > 0)
