"""Check the shipped model: file checksums and the classes of the shipped sample photos."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# (sample file, acceptable top-1 ImageNet classes, what they are)
EXPECTED_SAMPLES = (
    ("chelsea.jpg", frozenset(range(281, 286)), "a cat (classes 281-285)"),
    ("coffee.jpg", frozenset({967}), "espresso (class 967)"),
)


@dataclass
class SelfTestReport:
    lines: list[str]
    ok: bool


def run_selftest(backend: str = "tflite", say: Callable[[str], None] = lambda line: None) -> SelfTestReport:
    """Verify checksums, then classify the samples with the shipped model."""
    from photodedup.core.analyse.decode import decode_image
    from photodedup.core.embed.embedder import Embedder, verify_model_files
    from photodedup.core.resources import sample_path

    lines: list[str] = []

    def report(line: str) -> None:
        lines.append(line)
        say(line)

    errors = verify_model_files()
    if errors:
        for error in errors:
            report(f"FAIL {error}")
        report("FAIL the model files are damaged or missing: reinstall photodedup")
        return SelfTestReport(lines, False)
    report("ok   model file checksums")
    embedder = Embedder(backend=backend, verify_checksum=False)
    images = np.stack([decode_image(str(sample_path(name))).pixels for name, _, _ in EXPECTED_SAMPLES])
    pooled, logits = embedder.features_and_logits(images)
    ok = True
    for (name, expected, label), row in zip(EXPECTED_SAMPLES, logits):
        top5 = [int(c) for c in np.argsort(-row)[:5]]
        passed = top5[0] in expected
        ok &= passed
        report(f"{'ok  ' if passed else 'FAIL'} {name}: top-5 classes {top5}, expected top-1 {label}")
    norms = np.linalg.norm(embedder.embed(images), axis=1)
    if not np.allclose(norms, 1.0, atol=1e-4) or not np.all(np.isfinite(pooled)):
        report(f"FAIL embeddings are not finite unit vectors (norms {norms.tolist()})")
        ok = False
    else:
        report(f"ok   embeddings are unit vectors of {pooled.shape[1]} dimensions ({backend})")
    return SelfTestReport(lines, ok)
