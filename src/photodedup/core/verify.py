"""Confirm a candidate pair by local features: the two pictures must share geometry.

Embeddings say "these look alike"; two halves of one meadow photo look alike too. ORB
keypoints matched between the two pictures and a RANSAC similarity transform (shift,
scale, rotation) say "one is a copy of the other": copies keep many geometrically
consistent matches, different pictures keep almost none (bench/accuracy.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_INLIERS = 12
METHOD = "orb800-ratio0.8-similarity6px-v1"  # cached results are only reused for the same method
FEATURES = 800
RATIO = 0.8
REPROJECTION_PIXELS = 6.0


@dataclass
class LocalFeatures:
    points: np.ndarray  # (N, 2) float32 keypoint positions
    descriptors: np.ndarray | None  # (N, 32) uint8 ORB descriptors


def _cv2():
    import cv2

    cv2.setNumThreads(1)
    return cv2


def extract_features(gray: np.ndarray) -> LocalFeatures:
    """ORB keypoints of a gray picture (contrast equalised so dark copies still have features)."""
    cv2 = _cv2()
    equalised = cv2.equalizeHist(np.ascontiguousarray(gray, dtype=np.uint8))
    orb = cv2.ORB_create(nfeatures=FEATURES)
    keypoints, descriptors = orb.detectAndCompute(equalised, None)
    points = np.float32([k.pt for k in keypoints]).reshape(-1, 2)
    return LocalFeatures(points, descriptors)


@dataclass
class Alignment:
    """How picture b lies over picture a: inlier count and the 2×3 similarity transform a → b."""

    inliers: int
    matrix: np.ndarray | None = None  # maps a's feature-image coordinates to b's

    @property
    def scale(self) -> float:
        return float(np.hypot(self.matrix[0, 0], self.matrix[1, 0])) if self.matrix is not None else 1.0

    @property
    def rotation_degrees(self) -> float:
        return float(np.degrees(np.arctan2(self.matrix[1, 0], self.matrix[0, 0]))) if self.matrix is not None else 0.0


def align(a: LocalFeatures, b: LocalFeatures) -> Alignment:
    """Matches between a and b consistent with one similarity transform, and that transform."""
    cv2 = _cv2()
    cv2.setRNGSeed(0)  # RANSAC: the same answer every run
    if a.descriptors is None or b.descriptors is None or len(a.points) < 8 or len(b.points) < 8:
        return Alignment(0)
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    good = [pair[0] for pair in matcher.knnMatch(a.descriptors, b.descriptors, k=2)
            if len(pair) == 2 and pair[0].distance < RATIO * pair[1].distance]
    if len(good) < 8:
        return Alignment(0)
    source = a.points[[m.queryIdx for m in good]]
    target = b.points[[m.trainIdx for m in good]]
    matrix, mask = cv2.estimateAffinePartial2D(source, target, method=cv2.RANSAC, ransacReprojThreshold=REPROJECTION_PIXELS)
    if mask is None:
        return Alignment(0)
    return Alignment(int(mask.sum()), matrix)


def count_inliers(a: LocalFeatures, b: LocalFeatures) -> int:
    """Matches between a and b consistent with one similarity transform."""
    return align(a, b).inliers
