#!/usr/bin/env python3
"""Vision-transformer latency on the phones' CPU core sets (docs/transformers.md).

Imports the mobile-ml-benchmark files into two stores under WORK: the CNN files alone
(FRAMEWORK-cnn.db) and the transformer file alone (FRAMEWORK-vit.db: every checkpoint the
zoo builds). Then, per core set, evaluates on the transformer networks and prints one
markdown row per method and protocol:
  5-fold CV by network and leave-one-family-out: e2e-gbdt, e2e-ridge, flops, and transfer
  from the same core set of another phone (its measured transformers as the source)
  CNN-only, applied as is: e2e-gbdt / e2e-ridge / flops trained on the CNNs of the same
  target (`nnlat train` on cnn.db), evaluated on every transformer (`eval --predictor`).
Every command is printed before it runs. Usage:
  scripts/vit-phones.py NNLAT DATA_DIR WORK [tflite|torch] [TARGET ...]
"""
import json
import os
import subprocess
import sys

DEFAULT_TARGETS = ["pixel4:1large:float", "s10:1large:float", "iphonexs:1large:float", "pixel4:4small:float",
                   "iphonexs:2large:float"]


def run(cmd):
    print("$ " + " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out.stdout


def percent(x):
    return f"{100 * x:.1f}%" if abs(x) < 10 else f"{100 * x:.2g}%"  # the CNN-only ridge's blow-ups


def metrics(j):
    return f"{percent(j['mape'])} | {100 * j['acc10']:.1f}% | {j['spearman']:.3f}"


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    nnlat, data, work = sys.argv[1:4]
    framework = sys.argv[4] if len(sys.argv) > 4 else "tflite"
    targets = sys.argv[5:] or DEFAULT_TARGETS
    if framework == "torch":
        targets = [t.replace(":", ":torch-", 1) if ":torch-" not in t else t for t in targets]
    os.makedirs(work, exist_ok=True)
    cnn_db, vit_db = (os.path.join(work, f"{framework}-{n}.db") for n in ("cnn", "vit"))
    vit_csv = os.path.join(data, f"{framework}_transformer_e2e.csv")
    if not os.path.exists(cnn_db):
        run([nnlat, "import", "mlbench", "--e2e", os.path.join(data, f"{framework}_cnn_e2e.csv"), "--ops",
             os.path.join(data, f"{framework}_cnn_ops_gpu.csv"), "--db", cnn_db])
    if not os.path.exists(vit_db):
        run([nnlat, "import", "mlbench", "--e2e", vit_csv, "--db", vit_db])
    stats = json.loads(run([nnlat, "db", "stats", "--db", vit_db, "--json"]))
    measured = {t["target"] for t in stats["per_target"]}
    print("| target | protocol | method | MAPE | ±10% | Spearman |")
    print("|---|---|---|---|---|---|")
    for target in targets:
        device, rest = target.split(":", 1)
        for cv, label in (("5", "5-fold CV"), ("family", "leave-one-family-out")):
            j = json.loads(run([nnlat, "eval", "--db", vit_db, "--target", target, "--method", "e2e-gbdt", "--cv", cv,
                                "--no-intervals", "--baselines", "flops,e2e-ridge", "--json"]))
            print(f"| `{target}` | {label} (n={j['n']}) | e2e-gbdt | {metrics(j)} |")
            for b in ("e2e-ridge", "flops"):
                print(f"| `{target}` | {label} | {b} | {metrics(j['baselines'][b])} |")
            source = next((f"{d}:{rest}" for d in ("pixel4", "s10", "iphonexs")
                           if d != device and f"{d}:{rest}" in measured), None)
            if source:
                t = json.loads(run([nnlat, "eval", "--db", vit_db, "--target", target, "--from", source, "--method",
                                    "transfer", "--cv", cv, "--no-intervals", "--baselines", "none", "--json"]))
                print(f"| `{target}` | {label} | transfer from `{source}` (its transformers) | {metrics(t)} |")
        for m in ("e2e-gbdt", "e2e-ridge", "flops"):
            model = os.path.join(work, f"cnn-{target.replace(':', '_')}-{m}.json")
            run([nnlat, "train", "--db", cnn_db, "--target", target, "--method", m, "-o", model])
            j = json.loads(run([nnlat, "eval", "--db", vit_db, "--target", target, "--predictor", model,
                                "--baselines", "none", "--json"]))
            print(f"| `{target}` | CNN-only, as is (bias {percent(j['bias'])}) | {m} | {metrics(j)} |")


if __name__ == "__main__":
    main()
