"""The one place TensorFlow is imported (lazily: only when the Keras model or tf.lite is needed).

LiteRT runs the shipped model; TensorFlow is for the Keras reference model (the self-test's
second backend, the weight tools) and for tf.lite where LiteRT has no wheels (Windows).
"""

from __future__ import annotations

import os


def import_tensorflow():
    """Import TensorFlow quietly (its start-up banner is noise to a person)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import tensorflow as tf

    return tf
