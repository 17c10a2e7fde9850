"""Every classification model of the installed torchvision (Debian's python3-torchvision 0.14:
80 models), with random weights, exported by torch.onnx.export at opsets 13 and 17 and imported
by nnlat: its parameter count must be within 1% of PyTorch's sum(p.numel()).

How the list stays fast enough for `make test` (docs/testing.md has the measured times):
- small inputs where the architecture allows (parameter counts do not depend on the input
  size; ViTs are built for the smaller image size, which shrinks only their position
  embedding, and the count compared is that of the module exported);
- weights are exported only for models up to EXPORT_PARAMS_LIMIT parameters; larger ones are
  exported with export_params=False (their parameters become graph inputs, which nnlat reads
  as weights of that shape: nnlat.from_torch(..., export_params=False)), and their weights are
  not even initialised (no_weight_init). Both paths are tested.
- CTest runs the list in groups (NNLAT_TORCHVISION_GROUP, see CMakeLists.txt) so that
  `ctest -j` spreads it over the cores.

Run as a script (`python3 tests/python/test_torchvision.py [names...]`) it prints one line per
model and opset with the counts and times, the survey behind the table in docs/python.md.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import warnings

import pytest

import nnlat

torch = pytest.importorskip("torch")
torchvision = pytest.importorskip("torchvision")

OPSETS = (13, 17)
EXPORT_PARAMS_LIMIT = 30_000_000

# Input sizes other than 64x64, and why.
RESOLUTION = {
    "alexnet": 224,  # AdaptiveAvgPool2d(6): ONNX export needs the output size to divide the input's
    "inception_v3": 96,  # needs at least 75x75
    "maxvit_t": 224,  # window partitions of 7 at every stage
}
for _name in ("vgg11", "vgg11_bn", "vgg13", "vgg13_bn", "vgg16", "vgg16_bn", "vgg19", "vgg19_bn"):
    RESOLUTION[_name] = 224  # AdaptiveAvgPool2d(7), as alexnet
RESOLUTION["vit_h_14"] = 56  # a multiple of the patch size (14); the other ViTs use 64

# Models nnlat cannot import yet, with the reason (an expected failure, reported as xfail).
KNOWN_FAILURES: dict[str, str] = {}


def model_names() -> list[str]:
    models = torchvision.models
    if hasattr(models, "list_models"):
        return sorted(models.list_models(module=models))
    return sorted(n for n, f in vars(models).items() if callable(f) and n[0].islower() and not n.startswith("get_"))


def groups() -> dict[str, list[str]]:
    """The CTest entries: models grouped so that each group takes a comparable time."""
    names = model_names()
    out: dict[str, list[str]] = {"vit": [], "swin_v2": [], "swin_maxvit": [], "vgg_regnet": [],
                                 "efficientnet_convnext": [], "other": []}
    for n in names:
        if n.startswith("vit_"):
            out["vit"].append(n)
        elif n.startswith("swin_v2"):
            out["swin_v2"].append(n)
        elif n.startswith(("swin_", "maxvit")):
            out["swin_maxvit"].append(n)
        elif n.startswith(("vgg", "regnet", "alexnet")):
            out["vgg_regnet"].append(n)
        elif n.startswith(("efficientnet", "convnext")):
            out["efficientnet_convnext"].append(n)
        else:
            out["other"].append(n)
    return out


def selected() -> list[str]:
    group = os.environ.get("NNLAT_TORCHVISION_GROUP")
    if not group:
        return model_names()
    return groups()[group]


@contextlib.contextmanager
def no_weight_init():
    """Leaves new parameters uninitialised (torch.empty): for models exported without their
    weights, whose values nothing reads, initialising hundreds of millions of them is most of
    the test's time. The parameter shapes, all that is compared, do not change."""
    init = torch.nn.init
    names = [n for n in dir(init) if n.endswith("_") and not n.startswith("_") and callable(getattr(init, n))]
    saved = {n: getattr(init, n) for n in names}
    try:
        for n in names:
            setattr(init, n, lambda tensor, *args, **kwargs: tensor)
        yield
    finally:
        for n, f in saved.items():
            setattr(init, n, f)


def build(name: str, initialise: bool = True):
    """The module with random weights (or none: no_weight_init), and its example input."""
    kwargs = {}
    res = RESOLUTION.get(name, 64)
    if name.startswith("vit_"):
        kwargs["image_size"] = res
    if name in ("googlenet", "inception_v3"):
        # The auxiliary heads run only in training: no exporter writes them, so they are left
        # out of the module (and of PyTorch's count); init_weights=False skips a slow scipy init.
        kwargs.update(aux_logits=False, init_weights=False)
    with warnings.catch_warnings(), (contextlib.nullcontext() if initialise else no_weight_init()):
        warnings.simplefilter("ignore")
        if hasattr(torchvision.models, "get_model"):
            module = torchvision.models.get_model(name, weights=None, **kwargs)
        else:
            module = getattr(torchvision.models, name)(**kwargs)
    return module.eval(), torch.randn(1, 3, res, res)


def check(name: str, opsets=OPSETS) -> list[tuple[int, int, int, float]]:
    """(opset, nnlat's count, PyTorch's count, seconds of export + import) per opset; the
    module is built once (building the largest takes longer than exporting them)."""
    module, x = build(name, initialise=False)
    expected = sum(p.numel() for p in module.parameters())
    export_params = expected <= EXPORT_PARAMS_LIMIT
    if export_params:  # random weights where they are written into the file
        module, x = build(name)
    out = []
    for opset in opsets:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = nnlat.from_torch(module, x, name=name, opset=opset,
                                     export_params=export_params)
        out.append((opset, model.params, expected, time.perf_counter() - start))
    return out


@pytest.mark.parametrize("name", selected())
def test_torchvision_model_imports_with_pytorchs_parameter_count(name):
    if name in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[name])
    for opset, params, expected, _ in check(name):
        assert abs(params - expected) <= 0.01 * expected, f"{name} opset {opset}: nnlat counts {params}, PyTorch {expected}"


def test_the_list_is_torchvisions_whole_classification_list():
    names = model_names()
    assert len(names) >= 20
    assert {"resnet18", "shufflenet_v2_x1_0", "convnext_tiny", "vit_b_16", "swin_t"} <= set(names)
    assert sorted(sum(groups().values(), [])) == names  # every model is in exactly one CTest group


if __name__ == "__main__":
    for name in sys.argv[1:] or model_names():
        start = time.perf_counter()
        try:
            rows = check(name)
        except Exception as e:  # noqa: BLE001  (a survey: report and go on)
            print(f"ERR  {name}: {type(e).__name__}: {str(e).replace(chr(10), ' ')[:400]}", flush=True)
            continue
        for opset, params, expected, seconds in rows:
            ok = abs(params - expected) <= 0.01 * expected
            print(f"{'ok  ' if ok else 'FAIL'} {name} opset {opset}: nnlat {params} torch {expected} "
                  f"({100.0 * (params - expected) / expected:+.3f}%) {seconds:.1f}s", flush=True)
        print(f"     {name}: {time.perf_counter() - start:.1f}s with the build", flush=True)
