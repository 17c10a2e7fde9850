"""nnlat: latency prediction of neural networks on devices, from Python.

The same library the `nnlat` command line uses, in-process::

    import nnlat
    p = nnlat.Predictor.load("pred.json")            # a file written by `nnlat train`
    p.predict(["zoo:mobilenet_v2", "model.onnx"])     # NumPy array of milliseconds
    p.predict_encodings(cells, space="nb201", threads=0)  # NAS encodings, memoised fast path
    nnlat.breakdown(p, "zoo:mobilenet_v2")            # per-kernel rows (a DataFrame with pandas)
    m = nnlat.from_torch(torch_module, example_input) # a torch.nn.Module through ONNX
    nnlat.load_model("zoo:resnet18").params

Errors are nnlat.Error subclasses (ParseError, NotFoundError, ...) carrying the CLI's message.
docs/python.md has the whole tour.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any, Iterable, Sequence

from ._nnlat import (  # noqa: F401  (re-exported)
    Error,
    GraphError,
    InternalError,
    InvalidArgumentError,
    IoError,
    Model,
    NotFoundError,
    ParseError,
    Predictor,
    ShapeError,
    Store,
    UnsupportedError,
    analyze,
    evaluate,
    load_model,
    profile_kernels,
    profile_networks,
    ready_predictor_path,
    ready_predictors,
    train,
    zoo,
)
from ._nnlat import _load_onnx  # noqa: F401  (export_params=False in from_torch)

__all__ = [
    "Error", "GraphError", "InternalError", "InvalidArgumentError", "IoError", "NotFoundError",
    "ParseError", "ShapeError", "UnsupportedError",
    "Model", "Predictor", "Store",
    "load_model", "zoo", "from_torch", "load_predictor", "breakdown", "frame",
    "profile_networks", "profile_kernels", "train", "evaluate", "analyze", "ready_predictors",
    "ready_predictor_path",
]


def frame(records: Sequence[dict[str, Any]]) -> Any:
    """Records (a list of dicts, as Store.measurements() returns) as a pandas DataFrame when
    pandas is installed, else the list itself."""
    try:
        import pandas
    except ImportError:
        return list(records)
    return pandas.DataFrame.from_records(list(records))


def breakdown(predictor: Predictor, model: str | Model, *, as_frame: bool | None = None) -> Any:
    """Where the predicted time of one model goes: one row per kernel in execution order
    (kernel, type, family, latency_ms, share of the kernel sum, extrapolated). A DataFrame
    when pandas is installed (as_frame=None) or as_frame=True; a list of dicts otherwise."""
    rows = predictor._breakdown(model)
    if as_frame is False:
        return rows
    if as_frame is None:
        return frame(rows)
    import pandas
    return pandas.DataFrame.from_records(rows)


def load_predictor(path_or_target: str) -> Predictor:
    """A predictor from a file written by `nnlat train`, or, given a target name such as
    'pixel4:gpu:float', the ready predictor nnlat ships for it (built from the public phone
    measurements on first use and cached). A CPU core set trained with the transformers also
    loads its CNN-only model (Predictor.cnn_path) and predicts each network without attention
    with it, as `nnlat predict --target` does."""
    if os.path.exists(path_or_target):
        return Predictor.load(path_or_target)
    if path_or_target.count(":") == 2 and not path_or_target.endswith(".json"):
        return Predictor._load_ready(path_or_target)
    raise NotFoundError(f"{path_or_target}: no such predictor file (a ready target is named like "
                        "pixel4:gpu:float; nnlat.ready_predictors() lists them)")


_TORCH_SYMBOLICS_ADDED = False


def _add_torch_symbolics(torch: Any) -> None:
    """ONNX symbolics that PyTorch 1.13's exporter lacks and torchvision 0.14 needs:
    aten::zero (Tensor.zero_(), which Swin V2 applies to a slice of its qkv bias) as x * 0."""
    global _TORCH_SYMBOLICS_ADDED
    if _TORCH_SYMBOLICS_ADDED:
        return
    _TORCH_SYMBOLICS_ADDED = True

    def zero(g: Any, self: Any, *args: Any) -> Any:
        return g.op("Mul", self, g.op("Constant", value_t=torch.tensor(0.0)))

    for opset in range(9, 18):
        try:
            torch.onnx.register_custom_op_symbolic("aten::zero", zero, opset)
        except Exception:  # noqa: BLE001  (a PyTorch that has its own, or refuses the name)
            pass


def from_torch(module: Any, example_input: Any, *, name: str | None = None, opset: int = 13,
               export_params: bool = True) -> Model:
    """A torch.nn.Module as an nnlat.Model: exported with torch.onnx.export (random or trained
    weights alike; eval mode) at `opset` for the shape of `example_input`, then imported as
    any ONNX file is. Raises the importer's error (e.g. nnlat.UnsupportedError naming an op).

    export_params=False writes no weights (much faster for large models): the exporter then
    gives every parameter as a graph input, which nnlat reads as a weight of that shape (only
    the input called "input" is an activation), so parameter counts are the same.

    The export runs with gradients enabled: under torch.no_grad() PyTorch's eval-mode
    nn.MultiheadAttention takes a fused fast path that ONNX cannot express. Tensor.zero_()
    (Swin V2), which PyTorch 1.13 cannot export, is exported as a multiplication by 0."""
    import torch  # imported here: nnlat does not need PyTorch otherwise

    _add_torch_symbolics(torch)

    was_training = module.training
    module.eval()
    try:
        with tempfile.TemporaryDirectory(prefix="nnlat-torch-") as folder:
            stem = name or type(module).__name__
            path = os.path.join(folder, f"{stem}.onnx")
            torch.onnx.export(module, (example_input,), path, opset_version=opset,
                              input_names=["input"], output_names=["output"], export_params=export_params,
                              # Without weights, PyTorch's own folding would turn constants computed
                              # from buffers into more graph inputs whose values nnlat then lacks
                              # (Swin V2's expand shapes); nnlat folds them itself.
                              do_constant_folding=export_params)
            if export_params:
                return load_model(path)
            return _load_onnx(path, ["input"])
    finally:
        module.train(was_training)
