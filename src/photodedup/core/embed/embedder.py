"""CNN embeddings: MobileNetV2 (ImageNet) pooled features, L2-normalised.

TensorFlow is imported only when an Embedder is built, never at module import.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from photodedup.core.resources import model_path
from photodedup.core.embed.tensorflow_import import import_tensorflow
from photodedup.core.embed.weights_file import file_sha256, read_weights

WEIGHTS_FILE = "mobilenet_v2_imagenet_fp16.npz"
TFLITE_FILE = "mobilenet_v2_imagenet_fp16.tflite"
# sha256 of the shipped files, printed by tools/convert_weights.py and tools/build_tflite.py.
WEIGHTS_SHA256 = "5aa3074d3934fc052dc17090409dcae02cd1f94df16982b6586099bc1c2e8b98"
TFLITE_SHA256 = "5516a37eeea3982dc97b7d1d7196a72e761780f3ae0c33cd18094cdf9c114723"
IMAGE_SIZE = 224
FEATURE_DIM = 1280
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32) * 255.0
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32) * 255.0


def preprocess(batch: np.ndarray) -> np.ndarray:
    """uint8 RGB (N, 224, 224, 3) -> float32 normalised with ImageNet mean/std (NHWC)."""
    batch = np.asarray(batch)
    if batch.ndim == 3:
        batch = batch[None]
    if batch.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE, 3):
        raise ValueError(f"expected (N, {IMAGE_SIZE}, {IMAGE_SIZE}, 3) RGB, got {batch.shape}")
    return (batch.astype(np.float32) - IMAGENET_MEAN) / IMAGENET_STD


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def default_weights_path() -> Path:
    return model_path(WEIGHTS_FILE)


def default_tflite_path() -> Path:
    return model_path(TFLITE_FILE)


def model_id() -> str:
    """A short id of the shipped weights; cached vectors are only valid for the same id."""
    return f"mobilenet_v2-{WEIGHTS_SHA256[:16]}"


def verify_model_files() -> list[str]:
    """Check the shipped model files against their checksums; return what is wrong."""
    errors = []
    for path, expected in ((default_weights_path(), WEIGHTS_SHA256), (default_tflite_path(), TFLITE_SHA256)):
        if not path.is_file():
            errors.append(f"model file missing: {path}")
            continue
        actual = file_sha256(path)
        if actual != expected:
            errors.append(f"model file damaged: {path} has sha256 {actual}, expected {expected}")
    return errors


class Embedder:
    """Turns batches of 224×224 RGB uint8 images into unit 1280-d float32 vectors.

    backend "tflite" (the default: XNNPACK, about 6× faster here) runs the shipped
    .tflite; "keras" builds the Keras model from the shipped weights. Both agree with
    torchvision's reference (tests/core/test_embed_model.py).
    """

    def __init__(self, backend: str = "tflite", threads: int | None = None, verify_checksum: bool = True) -> None:
        if backend not in ("tflite", "keras"):
            raise ValueError(f"unknown backend {backend!r}")
        if verify_checksum:
            errors = verify_model_files()
            if errors:
                raise RuntimeError("; ".join(errors) + ". Reinstall photodedup.")
        self.backend = backend
        self.model_id = model_id()
        self.threads = threads or os.cpu_count() or 1
        if backend == "tflite":
            self._runner = _TFLiteRunner(default_tflite_path(), self.threads)
        else:
            self._runner = _KerasRunner(default_weights_path())

    def features_and_logits(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw pooled features (N, 1280) and ImageNet logits (N, 1000)."""
        return self._runner.run(preprocess(images))

    def embed(self, images: np.ndarray) -> np.ndarray:
        """Unit-length vectors for a batch of uint8 images."""
        pooled, _ = self.features_and_logits(images)
        return l2_normalise(pooled)


class _KerasRunner:
    def __init__(self, weights_path: Path) -> None:
        from photodedup.core.embed import mobilenet  # imports TensorFlow

        self._model = mobilenet.build_mobilenet_v2()
        mobilenet.load_weights(self._model, read_weights(weights_path))

    def run(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pooled, logits = self._model(inputs, training=False)
        return np.asarray(pooled, dtype=np.float32), np.asarray(logits, dtype=np.float32)


def tflite_interpreter_class():
    """LiteRT's interpreter (TensorFlow Lite's successor package), else TensorFlow's own.

    LiteRT imports in about 0.1 s without holding the GIL for long; importing all of
    TensorFlow stalls other threads (the GUI) for 0.2 s and more.
    """
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        import warnings

        tf = import_tensorflow()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
            Interpreter = tf.lite.Interpreter
    return Interpreter


class _TFLiteRunner:
    """The shipped TensorFlow Lite model, run with XNNPACK."""

    def __init__(self, path: Path, threads: int) -> None:
        import warnings

        interpreter_class = tflite_interpreter_class()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self._interpreter = interpreter_class(model_path=str(path), num_threads=threads)
        self._batch = 0
        self._input_index = self._interpreter.get_input_details()[0]["index"]
        outputs = self._interpreter.get_output_details()
        # Tell pooled (N,1280) from logits (N,1000) by shape, not by order.
        self._pooled_index = next(o["index"] for o in outputs if o["shape"][-1] == FEATURE_DIM)
        self._logits_index = next(o["index"] for o in outputs if o["shape"][-1] != FEATURE_DIM)

    def run(self, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if inputs.shape[0] != self._batch:
            self._interpreter.resize_tensor_input(self._input_index, list(inputs.shape))
            self._interpreter.allocate_tensors()
            self._batch = inputs.shape[0]
        self._interpreter.set_tensor(self._input_index, np.ascontiguousarray(inputs))
        self._interpreter.invoke()
        pooled = self._interpreter.get_tensor(self._pooled_index).copy()
        logits = self._interpreter.get_tensor(self._logits_index).copy()
        return pooled, logits


def default_model_id() -> str:
    """What cached vectors depend on: the network's weights and how pixels are prepared."""
    from photodedup.core.analyse.decode import PREPARATION_ID

    return f"{model_id()}+{PREPARATION_ID}"
