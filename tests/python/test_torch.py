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
