#!/usr/bin/env python3
"""A PyTorch model's latency on a phone, with nothing but the model: a torchvision network
(random weights) exported through ONNX, predicted on a ready phone predictor, with the
kernels its time goes to.

    python3 examples/torch_model.py --model mobilenet_v3_small --predictor pixel4:gpu:float
"""

import argparse

import torch
import torchvision

import nnlat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="mobilenet_v3_small", help="a torchvision.models classification model")
    parser.add_argument("--resolution", type=int, default=224)
    parser.add_argument("--predictor", default="pixel4:gpu:float", help="ready target or predictor file")
    parser.add_argument("--top", type=int, default=10, help="kernels shown")
    args = parser.parse_args()

    module = getattr(torchvision.models, args.model)()
    model = nnlat.from_torch(module, torch.randn(1, 3, args.resolution, args.resolution), name=args.model)
    torch_params = sum(p.numel() for p in module.parameters())
    print(f"{args.model}: {model.params:,} parameters imported ({torch_params:,} in PyTorch), {model.macs / 1e6:.1f} MMACs")

    predictor = nnlat.load_predictor(args.predictor)
    ms, low, high = predictor.predict(model, intervals=True)
    print(f"predicted on {predictor.target} ({predictor.method}): {ms[0]:.3f} ms [{low[0]:.3f} .. {high[0]:.3f}]")
    rows = sorted(nnlat.breakdown(predictor, model, as_frame=False), key=lambda r: -r["latency_ms"])
    print(f"{'kernel':<40} {'type':<20} {'ms':>9} {'share':>7}")
    for r in rows[: args.top]:
        print(f"{r['kernel'][:40]:<40} {r['type'][:20]:<20} {r['latency_ms']:>9.4f} {100 * r['share']:>6.1f}%")


if __name__ == "__main__":
    main()
