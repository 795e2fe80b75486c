"""MobileNetV2 in Keras, layer for layer the same as torchvision's.

Only imported from embedder.py (and the dev-time weight converter), after TensorFlow
is wanted: importing this module imports TensorFlow.
"""

from __future__ import annotations

import numpy as np

from photodedup.core.embed.tensorflow_import import import_tensorflow

keras = import_tensorflow().keras

IMAGE_SIZE = 224
FEATURE_DIM = 1280
NUM_CLASSES = 1000
BN_EPSILON = 1e-5
# (expansion t, output channels c, repeats n, first stride s), torchvision's table.
INVERTED_RESIDUAL_SETTINGS = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)
BN_PARTS = ("gamma", "beta", "moving_mean", "moving_variance")


def _batch_norm(x, name: str):
    return keras.layers.BatchNormalization(epsilon=BN_EPSILON, name=name)(x)


def _relu6(x, name: str):
    return keras.layers.ReLU(max_value=6.0, name=name)(x)


def _conv3x3(x, filters: int, stride: int, name: str):
    x = keras.layers.ZeroPadding2D(1, name=name + "_pad")(x)
    return keras.layers.Conv2D(filters, 3, strides=stride, padding="valid", use_bias=False, name=name)(x)


def _depthwise3x3(x, stride: int, name: str):
    x = keras.layers.ZeroPadding2D(1, name=name + "_pad")(x)
    return keras.layers.DepthwiseConv2D(3, strides=stride, padding="valid", use_bias=False, name=name)(x)


def _conv1x1(x, filters: int, name: str):
    return keras.layers.Conv2D(filters, 1, padding="valid", use_bias=False, name=name)(x)


def build_mobilenet_v2() -> keras.Model:
    """The network with two outputs: pooled 1280-d features and the 1000 ImageNet logits.

    Layer names are torchvision's module names with '.' replaced by '_'.
    """
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3), name="image")
    x = _conv3x3(inputs, 32, 2, "features_0_0")
    x = _relu6(_batch_norm(x, "features_0_1"), "features_0_relu")
    channels = 32
    index = 1
    for expansion, out_channels, repeats, first_stride in INVERTED_RESIDUAL_SETTINGS:
        for repeat in range(repeats):
            stride = first_stride if repeat == 0 else 1
            prefix = f"features_{index}_conv"
            block_input = x
            hidden = channels * expansion
            part = 0
            if expansion != 1:
                x = _conv1x1(x, hidden, f"{prefix}_0_0")
                x = _relu6(_batch_norm(x, f"{prefix}_0_1"), f"{prefix}_0_relu")
                part = 1
            x = _depthwise3x3(x, stride, f"{prefix}_{part}_0")
            x = _relu6(_batch_norm(x, f"{prefix}_{part}_1"), f"{prefix}_{part}_relu")
            x = _conv1x1(x, out_channels, f"{prefix}_{part + 1}")
            x = _batch_norm(x, f"{prefix}_{part + 2}")
            if stride == 1 and channels == out_channels:
                x = keras.layers.Add(name=f"features_{index}_add")([block_input, x])
            channels = out_channels
            index += 1
    x = _conv1x1(x, FEATURE_DIM, "features_18_0")
    x = _relu6(_batch_norm(x, "features_18_1"), "features_18_relu")
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    logits = keras.layers.Dense(NUM_CLASSES, name="classifier_1")(pooled)
    return keras.Model(inputs, [pooled, logits], name="mobilenet_v2")


def load_weights(model: keras.Model, weights: dict[str, np.ndarray]) -> None:
    """Set every layer's weights from a name->array mapping; every key must be used."""
    unused = set(weights)
    for layer in model.layers:
        keys = weight_names_of(layer)
        if not keys:
            continue
        arrays = []
        for key in keys:
            if key not in weights:
                raise ValueError(f"weights file has no tensor {key!r}")
            arrays.append(np.asarray(weights[key], dtype=np.float32))
            unused.discard(key)
        layer.set_weights(arrays)
    if unused:
        raise ValueError(f"weights file has tensors the model does not use: {sorted(unused)[:5]}")


def weight_names_of(layer) -> list[str]:
    if isinstance(layer, keras.layers.BatchNormalization):
        return [f"{layer.name}.{part}" for part in BN_PARTS]
    if isinstance(layer, keras.layers.Dense):
        return [f"{layer.name}.kernel", f"{layer.name}.bias"]
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D)):
        return [f"{layer.name}.kernel"]
    return []
