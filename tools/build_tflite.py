#!/usr/bin/env python3
"""Dev-time: convert the shipped Keras MobileNetV2 to TensorFlow Lite (float16 weights).

Run after tools/convert_weights.py, in the project's environment (needs tensorflow):

    .venv/bin/python tools/build_tflite.py

Writes resources/models/mobilenet_v2_imagenet_fp16.tflite and prints its sha256, which
goes into photodedup/core/embed/embedder.py (TFLITE_SHA256). It then checks that the TFLite model
agrees with the Keras one on the sample photos (cosine > 0.999) and exits 1 if not.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from photodedup.core.embed import mobilenet  # noqa: E402
from photodedup.core.embed.embedder import TFLITE_FILE, WEIGHTS_FILE, Embedder  # noqa: E402
from photodedup.core.embed.weights_file import file_sha256, read_weights  # noqa: E402


def main() -> int:
    models = ROOT / "resources" / "models"
    model = mobilenet.build_mobilenet_v2()
    mobilenet.load_weights(model, read_weights(models / WEIGHTS_FILE))
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.target_spec.supported_types = [tf.float16]
    out = models / TFLITE_FILE
    out.write_bytes(converter.convert())
    print(f"wrote {out} ({out.stat().st_size} bytes)\nsha256 {file_sha256(out)}")

    fixture = np.load(ROOT / "tests" / "fixtures" / "mobilenet_reference.npz")
    keras_vectors = Embedder(backend="keras", verify_checksum=False).embed(fixture["images"])
    lite_vectors = Embedder(backend="tflite", verify_checksum=False).embed(fixture["images"])
    cosines = (keras_vectors * lite_vectors).sum(axis=1)
    print(f"cosine TFLite vs Keras per sample: {np.round(cosines, 6).tolist()}")
    return 0 if cosines.min() > 0.999 else 1


if __name__ == "__main__":
    sys.exit(main())
