"""The network: MobileNetV2 with the shipped weights; the only place TensorFlow or LiteRT is imported."""
