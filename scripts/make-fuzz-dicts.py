#!/usr/bin/env python3
"""Writes fuzz/dict/KIND.dict, the libFuzzer dictionary of each fuzz target, from the names
the project itself uses (op table, the readers' keys), so a dictionary follows the code it
fuzzes. Run from the repository root after changing a reader's names; the files are
committed (scripts/fuzz.sh passes them with -dict)."""
import glob
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def literals(*patterns):
    """Lower-case string literals of the given source files: keys, field and type names."""
    out = set()
    for pattern in patterns:
        for path in glob.glob(str(ROOT / pattern), recursive=True):
            out |= set(re.findall(r'"([a-z][a-z_0-9]*)"', Path(path).read_text()))
    return sorted(out)


def op_columns():
    rows = re.findall(r'^NNLAT_OP\(\w+, "([^"]*)", [^,]+, [^,]+, [^,]+, "([^"]*)", "([^"]*)"\)',
                      (ROOT / "include/nnlat/ir/ops.inc").read_text(), re.M)
    return rows  # (canonical, onnx, tflite)


def write(kind, comment, entries):
    lines = [f"# {comment} (scripts/make-fuzz-dicts.py)"]
    for entry in dict.fromkeys(entries):  # keeps order, drops repeats
        if not entry:
            continue
        escaped = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\x{ord(c):02x}" for c in entry)
        lines.append(f'"{escaped}"')
    (ROOT / "fuzz/dict" / f"{kind}.dict").write_text("\n".join(lines) + "\n")


ops = op_columns()
quoted = lambda names: [f'"{n}"' for n in names]
write("onnx", "ONNX: op types and attribute names that the importer reads",
      [o for _, o, _ in ops] + literals("src/formats/onnx/onnx_import*.cpp"))
write("tflite", "TFLite: the file identifier and the builtin op names",
      ["TFL3"] + [t for _, _, t in ops])
write("json_graph", "nnlat JSON graph: keys, op names, dtypes",
      quoted(literals("src/formats/json_format.cpp")) + quoted(c for c, _, _ in ops) +
      ['"float32"', '"int8"', "[1,3,8,8]", "{}", "[]", "null", "1e308", "-1"])
write("model_ref", "model references: prefixes, zoo query keys, NAS-Bench-201 ops, space names",
      ["zoo:", "nb201:", "space:", "nb101:", "space:mbv2:", "?width=", "&res=", "&classes=", "&batch=",
       "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3", "skip_connect", "none", "~0|", "~1|", "~2|", "|+|",
       '"matrix"', '"ops"', "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3", "input", "output"] +
      literals("src/models/nas/*.cpp"))
write("csv", "CSV of measurements: the fixed columns, numbers and quoting",
      ["arch", "pixel4", "board", "arch,pixel4,board\n", '"', '""', ",", "\n", "\r\n", "nan", "inf", "-1",
       "1e-320", "1e308", "0", "-", "mobilenetv2", "resnet18"])
write("mlbench", "mobile ML benchmark files: header fields, the #ops separator, TFLite op names",
      ["\n#ops\n", "|", "|gpu|float", "|cpu|float", "|mean", "|std", "|kernel", "model", "pixel4", "-",
       "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD", "aten::add", "vulkan_prepack::run_conv2d_context",
       "1x224x224x3"] + literals("src/campaigns/mlbench/*.cpp"))
write("predictor_file", "predictor files: keys of the format and its sections",
      quoted(literals("src/predictors/*.cpp", "src/predictors/methods/*.cpp")) +
      ['"nnlat-predictor"', "1e308", "-1", "0", "null", "[]", "{}"])
write("protocol", "device runner protocol lines: keys and message types",
      quoted(literals("src/backends/remote/runner_protocol.cpp", "src/measure/*.cpp")) +
      ['"local:xnnpack-t1:float"', "1e308", "-1", "null", "true"])
write("options", "option JSON: protocol, regressor options, devices entries",
      quoted(literals("src/measure/measurement.cpp", "src/backends/remote/remote_device.cpp",
                      "src/predictors/regressor*.cpp")) + ["1e308", "-1", "0", "null", "[64,64]"])
