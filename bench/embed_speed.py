#!/usr/bin/env python3
"""Embedding speed: images/s for batch sizes 1, 16, 32, Keras vs TFLite (and TFLite threads).

    .venv/bin/python bench/embed_speed.py [--seconds 5]

Inputs are the shipped sample photos decoded to 224×224 and repeated. Timing is wall
clock after one warm-up batch; the machine is shared, so compare rows of one run.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from photodedup.core.analyse.decode import decode_image
from photodedup.core.embed.embedder import Embedder
from photodedup.core.resources import sample_path


def rate(embedder: Embedder, images: np.ndarray, batch: int, seconds: float) -> float:
    inputs = np.resize(images, (batch, *images.shape[1:]))
    embedder.embed(inputs)  # warm-up (allocation, XNNPACK packing)
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        embedder.embed(inputs)
        done += batch
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0, help="time per measurement")
    args = parser.parse_args()
    images = np.stack([decode_image(str(sample_path(n))).pixels for n in ("chelsea.jpg", "coffee.jpg", "astronaut.jpg")])
    cores = os.cpu_count() or 1
    configurations = [("keras", None), ("tflite", 1), ("tflite", cores)]
    reference = Embedder(backend="keras").embed(images)
    print(f"{'backend':<8} {'threads':>7} {'batch 1':>9} {'batch 16':>9} {'batch 32':>9}  cosine vs keras")
    for backend, threads in configurations:
        embedder = Embedder(backend=backend, threads=threads)
        rates = [rate(embedder, images, batch, args.seconds) for batch in (1, 16, 32)]
        agreement = float((embedder.embed(images) * reference).sum(axis=1).min())
        label = threads if threads else "tf"
        print(f"{backend:<8} {label!s:>7} " + " ".join(f"{r:9.1f}" for r in rates) + f"  {agreement:.6f}")
    print("(images/s on", cores, "cores)")


if __name__ == "__main__":
    main()
