"""The thumbnails' candidates at scale (issue 22): up to the limit every pair is scored, exactly as
before; beyond it a photo's nearest turn-free thumbnails are, and turned or mirrored copies are
still found. Made thumbnails, the real Annoy index."""

from __future__ import annotations

import numpy as np

from photodedup.core.match.turned import (TURNED_CORRELATION, TURNED_PER_PHOTO, TURNED_SIDE, _TURNS, SWAPPING,
                                          turn_free, turned_candidates, turned_partners_of, unit_thumbs)


def reference_candidates(thumbs, aspects, rows=None, correlation=TURNED_CORRELATION, per_photo=TURNED_PER_PHOTO):
    """group.turned_candidates as it was before issue 22 (every pair, in one block), kept to compare."""
    count = len(thumbs)
    side = thumbs.shape[-1] // TURNED_SIDE
    small = thumbs.reshape(count, TURNED_SIDE, side, TURNED_SIDE, side).astype(np.float32).mean(axis=(2, 4))

    def unit(stack):
        flat = stack.reshape(len(stack), -1)
        flat = flat - flat.mean(axis=1, keepdims=True)
        return flat / np.maximum(np.linalg.norm(flat, axis=1, keepdims=True), 1e-6)

    base = unit(small)
    textured = small.reshape(count, -1).std(axis=1) >= 4.0
    asking = np.arange(count) if rows is None else np.asarray(sorted(rows))
    log_aspect = np.log(aspects)
    found = {}
    for number, turn in enumerate(_TURNS):
        scores = unit(np.ascontiguousarray(turn(small[asking]))) @ base.T
        for row, col in zip(*(i.tolist() for i in np.nonzero(scores >= correlation))):
            a = int(asking[row])
            expected = -log_aspect[a] if number in SWAPPING else log_aspect[a]
            if a == col or not (textured[a] and textured[col]) or abs(expected - log_aspect[col]) > 0.3:
                continue
            found.setdefault(a, []).append((-float(scores[row, col]), col))
    pairs = set()
    for a, matches in found.items():
        best = {b: score for score, b in sorted(matches, reverse=True)}
        for b in sorted(best, key=lambda b: (best[b], b))[:per_photo]:
            pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def library(count: int, seed: int = 3):
    """``count`` smooth random thumbnails, every fifth followed by a turned, mirrored or re-saved
    copy of it (noise of ±6 grey levels): (thumbs, aspects, planted pairs)."""
    rng = np.random.default_rng(seed)
    coarse = rng.integers(0, 255, (count, 8, 8)).astype(np.float32)
    thumbs = np.kron(coarse, np.ones((4, 4), np.float32))
    thumbs += rng.normal(0, 12, thumbs.shape)
    aspects = np.full(count, 1.5)
    planted = []
    for original in range(0, count - 1, 5):
        turn = (original // 5) % len(_TURNS)
        thumbs[original + 1] = _TURNS[turn](thumbs[original]) + rng.normal(0, 6, (32, 32))
        aspects[original + 1] = 1 / 1.5 if turn in SWAPPING else 1.5
        planted.append((original, original + 1))
    return np.clip(thumbs, 0, 255).astype(np.uint8), aspects, planted


def test_below_the_limit_every_pair_is_scored_as_before():
    thumbs, aspects, planted = library(600)
    pairs = turned_candidates(thumbs, aspects)
    assert pairs == reference_candidates(thumbs, aspects)
    assert set(planted) <= set(pairs)
    tiny = [3, 17, 40, 41, 300]
    assert turned_candidates(thumbs, aspects, rows=tiny, correlation=0.4) == \
        reference_candidates(thumbs, aspects, rows=tiny, correlation=0.4)


def test_above_the_limit_turned_and_mirrored_copies_are_still_found():
    thumbs, aspects, planted = library(600)
    asked = []

    def neighbours(descriptors, count):  # the real Annoy index, in memory
        from photodedup.core.match.index import VectorIndex

        asked.append(descriptors.shape)
        return VectorIndex.build(descriptors).neighbour_table(count)

    pairs = turned_candidates(thumbs, aspects, neighbours=neighbours, exact_up_to=64)
    assert asked == [(600, 36)], "the index was asked, once"
    assert set(planted) <= set(pairs)
    assert set(pairs) <= set(reference_candidates(thumbs, aspects)) | set(planted)


def test_the_turn_free_thumbnail_is_the_same_for_every_turn_and_mirror():
    thumbs, _, _ = library(5)
    base, _ = unit_thumbs(thumbs)
    free = turn_free(np.stack([turn(base[0]) for turn in _TURNS]))
    assert np.allclose(free, free[0], atol=1e-5)
    assert not np.allclose(turn_free(base[2:3]), free[0], atol=0.1)  # another picture (row 1 is its copy)


def reference_partners(original_thumbs, original_aspects, other_thumbs, other_aspects):
    """copy_check's turned partners as they were before issue 22 (every original, each photo)."""
    def unit(thumb):
        side = thumb.shape[-1] // TURNED_SIDE
        small = thumb.astype(np.float32).reshape(TURNED_SIDE, side, TURNED_SIDE, side).mean(axis=(1, 3))
        flat = (small - small.mean()).ravel()
        return flat / max(float(np.linalg.norm(flat)), 1e-6) if small.std() >= 4.0 else np.zeros_like(flat)

    base = np.stack([unit(t) for t in original_thumbs])
    partners = {}
    for row, thumb in enumerate(other_thumbs):
        best = {}
        for number in range(1, len(_TURNS)):
            scores = base @ unit(np.ascontiguousarray(_TURNS[number](thumb)))
            for position in np.flatnonzero(scores >= TURNED_CORRELATION).tolist():
                expected = -np.log(other_aspects[row]) if number in SWAPPING else np.log(other_aspects[row])
                if abs(expected - np.log(original_aspects[position])) <= 0.3:
                    best[position] = max(best.get(position, -1.0), float(scores[position]))
        if best:
            partners[row] = sorted(best, key=lambda p: -best[p])[:TURNED_PER_PHOTO]
    return partners


def test_the_copy_checks_turned_partners_scale_the_same_way():
    thumbs, aspects, planted = library(500)
    originals = [a for a, _ in planted] + list(range(2, 500, 5))
    others = [b for _, b in planted]
    args = thumbs[originals], aspects[originals], thumbs[others], aspects[others]
    exact = turned_partners_of(*args)
    assert exact == reference_partners(*args)
    turned = {row for row, (a, _) in enumerate(planted) if (a // 5) % len(_TURNS) != 0}  # "as is" is not asked
    assert {row for row, found in exact.items() if originals.index(planted[row][0]) in found} == turned
    indexed = turned_partners_of(*args, exact_up_to=16)
    assert {row for row, found in indexed.items() if originals.index(planted[row][0]) in found} == turned
