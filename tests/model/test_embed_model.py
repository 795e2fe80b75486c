"""The real model: Keras and TFLite against torchvision reference outputs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photodedup.core.embed import embedder as embed
from photodedup.core.analyse.decode import decode_image
from photodedup.core.resources import RESOURCES_ENV, resources_dir

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "mobilenet_reference.npz"


@pytest.fixture(scope="module")
def reference():
    return np.load(FIXTURE)


@pytest.fixture(scope="module")
def keras_embedder():
    return embed.Embedder(backend="keras")


@pytest.fixture(scope="module")
def tflite_embedder():
    return embed.Embedder(backend="tflite")


def cosine(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


def test_keras_matches_torch_with_the_same_weights(reference, keras_embedder):
    pooled, _ = keras_embedder.features_and_logits(reference["images"])
    # torch run with the very float16-rounded weights Keras loads: only float32 arithmetic differs.
    assert np.abs(pooled - reference["pooled_fp16_weights"]).max() < 1e-3


def test_shipped_weights_agree_with_full_precision_torch(reference, keras_embedder, tflite_embedder):
    for embedder in (keras_embedder, tflite_embedder):
        pooled, _ = embedder.features_and_logits(reference["images"])
        assert cosine(pooled, reference["pooled_fp32_weights"]).min() > 0.9999


def test_tflite_agrees_with_keras(reference, keras_embedder, tflite_embedder):
    assert cosine(keras_embedder.embed(reference["images"]), tflite_embedder.embed(reference["images"])).min() > 0.999


def test_top5_classes_of_the_samples(reference, tflite_embedder):
    _, logits = tflite_embedder.features_and_logits(reference["images"])
    top5 = np.argsort(-logits, axis=1)[:, :5]
    names = list(reference["names"])
    assert top5[names.index("chelsea.jpg")][0] in range(281, 286)  # a cat
    assert top5[names.index("coffee.jpg")][0] == 967  # espresso
    assert np.array_equal(top5, reference["top5_fp32_weights"])


def test_embeddings_are_unit_float32_and_batch_independent(tflite_embedder):
    images = np.stack([decode_image(str(resources_dir() / "samples" / n)).pixels
                       for n in ("chelsea.jpg", "coffee.jpg", "astronaut.jpg")])
    together = tflite_embedder.embed(images)
    alone = np.concatenate([tflite_embedder.embed(images[i : i + 1]) for i in range(3)])
    assert together.dtype == np.float32 and together.shape == (3, 1280)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.abs(together - alone).max() < 1e-4


def test_importing_embed_does_not_import_tensorflow():
    code = "import sys, photodedup.core.embed.embedder, photodedup.core.dedupe; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def run_selftest(env_resources: Path | None = None):
    import os

    env = dict(os.environ)
    if env_resources is not None:
        env[RESOURCES_ENV] = str(env_resources)
    return subprocess.run([sys.executable, "-m", "photodedup", "selftest"], capture_output=True, text=True, env=env, timeout=300)


def test_selftest_passes_on_the_shipped_model():
    done = run_selftest()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "chelsea.jpg: top-5" in done.stdout and "self-test passed" in done.stdout


@pytest.mark.parametrize("victim", [embed.WEIGHTS_FILE, embed.TFLITE_FILE])
def test_selftest_catches_a_corrupted_model_file(tmp_path, victim):
    copy = tmp_path / "resources"
    shutil.copytree(resources_dir(), copy)
    target = copy / "models" / victim
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    target.write_bytes(bytes(data))
    done = run_selftest(copy)
    assert done.returncode == 1
    assert "damaged" in done.stdout and victim in done.stdout
