"""Join near-duplicate photos into groups without chaining different photos together."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from photodedup.core.models import Group, GroupMember, ImageInfo
from photodedup.core.progress import NULL_PROGRESS, Progress

# Angular distance sqrt(2 - 2·cos) between unit embeddings; calibrated with
# bench/accuracy.py (README, "How the matching works"). Pairs up to SURE_THRESHOLD are
# copies on the embedding's word alone; pairs up to DEFAULT_THRESHOLD are candidates that
# a verification (local features) must confirm.
SURE_THRESHOLD = 0.30
DEFAULT_THRESHOLD = 0.55
# A group's widest pair may reach SPREAD_FACTOR × threshold: a crop and a rotated copy
# are both close to the original but further from each other.
SPREAD_FACTOR = 1.6
MAX_NEIGHBOURS = 16
# Candidate pairs handed to ``prepare`` at once: enough to keep every core busy, few enough
# that pairs a merge makes pointless (both photos already in one group) are rarely verified.
VERIFY_WAVE = 32
PAIRS_BLOCK = 512  # rows whose listed others' vectors are gathered at once (16 × 512 × 5 KB: 42 MB)


class NeighbourIndex(Protocol):
    def neighbour_table(self, count: int, progress: Progress = NULL_PROGRESS) -> np.ndarray: ...


def find_clusters(
    vectors: np.ndarray,
    index: NeighbourIndex,
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress = NULL_PROGRESS,
    spread: float | None = None,
    verify: Callable[[int, int], bool] | None = None,
    sure: float = SURE_THRESHOLD,
    prepare: Callable[[list[tuple[int, int]]], None] | None = None,
    structured: Callable[[int, int], bool] | None = None,
) -> list[list[int]]:
    """Clusters (lists of row numbers of ``vectors``, 2+ each) of near-identical photos.

    Candidate pairs under ``threshold`` come from the index; clusters are merged closest pair
    first and only while every pair inside the merged cluster stays under ``spread`` (default
    SPREAD_FACTOR × threshold), so A~B and B~C never pull a C that is far from A into A's group.
    With ``verify``, a pair further apart than ``sure`` only links when verify(a, b) confirms it
    (asked lazily, only for pairs that would change a group); ``prepare`` first gets each such
    pair with the next ones that may be asked (_wave), to verify them together, in parallel.
    With ``structured``, a close pair of which structured(a, b) is False (nearly featureless
    pictures, which look alike without being copies) must be verified too."""
    count = len(vectors)
    first, second, distance = _close_pairs(vectors, index, threshold, progress)
    # Which pairs need verifying: those past ``sure``, and close ones of nearly featureless pictures.
    checked = [verify is not None and (gap > sure or (structured is not None and not structured(a, b)))
               for a, b, gap in zip(first, second, distance)]

    widest = spread if spread is not None else SPREAD_FACTOR * threshold
    cluster_of = list(range(count))
    members: dict[int, list[int]] = {i: [i] for i in range(count)}

    def joinable(a: int, b: int) -> bool:  # once False, stays False: clusters only grow
        ca, cb = cluster_of[a], cluster_of[b]
        return ca != cb and _distance_matrix(vectors[members[ca]], vectors[members[cb]]).max() <= widest

    if verify is not None:
        progress.start("Checking look-alike pairs", sum(checked))  # pairs, not photos: the count says so
    prepared: set[tuple[int, int]] = set()
    looked_at = 0  # pairs before this one have been considered for a wave
    for number, (a, b) in enumerate(zip(first, second)):
        if number % 64 == 0:
            progress.check()
        if checked[number]:
            progress.advance()
        if not joinable(a, b):
            continue
        if checked[number]:
            if prepare is not None and (a, b) not in prepared:
                wave, looked_at = _wave(first, second, checked, joinable, max(looked_at, number))
                prepared.update(wave)
                prepare(wave)
            if not verify(a, b):
                continue
        ca, cb = cluster_of[a], cluster_of[b]
        keep, drop = (ca, cb) if len(members[ca]) >= len(members[cb]) else (cb, ca)
        for item in members[drop]:
            cluster_of[item] = keep
        members[keep] += members.pop(drop)
    return [sorted(m) for m in members.values() if len(m) > 1]


def _wave(first: list[int], second: list[int], checked: list[bool], joinable: Callable[[int, int], bool],
          start: int) -> tuple[list[tuple[int, int]], int]:
    """The next VERIFY_WAVE pairs from ``start`` that need verifying and could still join two
    clusters, verified together (pairs inside one group by then are never verified at all); and
    where the next wave starts looking."""
    wave, looked_at = [], start
    while looked_at < len(first) and len(wave) < VERIFY_WAVE:
        if checked[looked_at] and joinable(first[looked_at], second[looked_at]):
            wave.append((first[looked_at], second[looked_at]))
        looked_at += 1
    return wave, looked_at


def _close_pairs(vectors: np.ndarray, index: NeighbourIndex, threshold: float,
                 progress: Progress) -> tuple[list[int], list[int], list[float]]:
    """Each pair (first < second) of rows the index proposes within ``threshold``, once, closest
    first, with its distance. The index only proposes; the distance that decides is computed
    from the vectors."""
    table = index.neighbour_table(MAX_NEIGHBOURS, progress)
    remembered = getattr(index, "remembered_pairs", None)  # neighbours.LibraryIndex: saved with its table
    if remembered is None:
        return _pairs_within(vectors, table, threshold, progress)
    return remembered(table, threshold, lambda rows=None: _pairs_within(vectors, table, threshold, progress, rows))


def _pairs_within(vectors: np.ndarray, table: np.ndarray, threshold: float, progress: Progress,
                  asked: np.ndarray | None = None) -> tuple[list[int], list[int], list[float]]:
    """Each row's (of ``asked``, default all) listed others within ``threshold``, PAIRS_BLOCK rows at a
    time: their rows gathered in one call and multiplied as a stack (numpy does each row's product as
    it did one row at a time: the same distances), not a call a row."""
    count = len(vectors)
    asked = np.arange(count) if asked is None else np.asarray(asked, dtype=np.int64)
    progress.start("Grouping", len(asked))
    firsts, seconds, gaps = [], [], []  # candidate pairs as arrays, not Python objects: up to 8 a photo
    for start in range(0, len(asked), PAIRS_BLOCK):
        progress.check()
        items = asked[start:start + PAIRS_BLOCK]
        rows = table[items]
        listed = (rows >= 0) & (rows != items[:, None])
        others = np.where(listed, rows, items[:, None])  # the row itself where nothing is listed: left out below
        cosines = np.matmul(vectors[others], np.asarray(vectors[items])[:, :, None])[..., 0]
        distances = np.sqrt(np.maximum(0.0, 2.0 - 2.0 * cosines))
        close = listed & (distances <= threshold)
        firsts.append(np.minimum(items[:, None], others)[close])
        seconds.append(np.maximum(items[:, None], others)[close])
        gaps.append(distances[close])
        progress.advance(len(items))
    return _unique_pairs(firsts, seconds, gaps, count)


def _unique_pairs(firsts: list[np.ndarray], seconds: list[np.ndarray], gaps: list[np.ndarray],
                  count: int) -> tuple[list[int], list[int], list[float]]:
    """Each pair (first < second) once, closest first; a pair found from both ends keeps the
    distance found last."""
    if not firsts:
        return [], [], []
    first, second = np.concatenate(firsts).astype(np.int64), np.concatenate(seconds).astype(np.int64)
    distance = np.concatenate(gaps)
    _, last = np.unique((first * count + second)[::-1], return_index=True)  # int64: no overflow
    latest = len(first) - 1 - last
    first, second, distance = first[latest], second[latest], distance[latest]
    order = np.lexsort((second, first, distance))
    return first[order].tolist(), second[order].tolist(), distance[order].tolist()


def _distance_matrix(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    cosines = np.clip(left @ right.T, -1.0, 1.0)
    return np.sqrt(np.maximum(0.0, 2.0 - 2.0 * cosines))


def vector_distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(_distance_matrix(a[None], b[None])[0, 0])


def make_group(
    infos: Sequence[ImageInfo],
    keeper: int,
    describe: Callable[[ImageInfo, ImageInfo], str] | None = None,
) -> Group:
    """A Group of ``infos`` with ``infos[keeper]`` as keeper; each member's distance and reason.

    ``describe(keeper, copy)`` says in words what confirmed the copy (what the pixels showed).
    """
    kept = infos[keeper]
    members = []
    for position, info in enumerate(infos):
        if position == keeper:
            members.append(GroupMember(info, keeper=True, distance=0.0, reason="exact" if _has_exact(infos, info) else "near"))
            continue
        if info.content_hash and info.content_hash == kept.content_hash:
            members.append(GroupMember(info, distance=0.0, reason="exact", detail="byte-identical file"))
            continue
        distance = vector_distance(kept.vector, info.vector)
        detail = f"similar picture (distance {distance:.3f})"
        if describe is not None:
            detail += f"; {describe(kept, info)}"
        members.append(GroupMember(info, distance=distance, reason="near", detail=detail))
    return Group(members)


def _has_exact(infos: Sequence[ImageInfo], info: ImageInfo) -> bool:
    """True when every file of the group is byte-identical to ``info``."""
    return all(other.content_hash == info.content_hash for other in infos)


def _grow_picture(seed: int, neighbours: list[list[int]], seed_of: dict[int, int], verify: Callable[[int, int], bool],
                  prepare: Callable[[list[tuple[int, int]]], None] | None, progress: Progress) -> list[int]:
    """The rows that are copies of ``seed``: its candidates, then theirs, each joining only when
    verify(seed, row) confirms it (recorded in ``seed_of``); a seed left alone is not recorded."""
    seed_of[seed] = seed
    members, asked = [seed], {seed}
    frontier = list(neighbours[seed])
    while frontier:
        round_ = list(dict.fromkeys(n for n in frontier if n not in seed_of and n not in asked))
        frontier = []
        if prepare is not None and round_:
            prepare([(min(seed, n), max(seed, n)) for n in round_])
        for other in round_:
            asked.add(other)
            progress.advance()
            if verify(min(seed, other), max(seed, other)):
                seed_of[other] = seed
                members.append(other)
                frontier.extend(neighbours[other])
    if len(members) == 1:
        del seed_of[seed]  # alone: may still join a later seed's picture
    return members


def find_pictures(
    vectors: np.ndarray,
    index: NeighbourIndex,
    verify: Callable[[int, int], bool],
    seed_key: Callable[[int], object],
    threshold: float = DEFAULT_THRESHOLD,
    progress: Progress = NULL_PROGRESS,
    prepare: Callable[[list[tuple[int, int]]], None] | None = None,
    extra_pairs: Sequence[tuple[int, int]] = (),
    apart: list[tuple[int, int, float]] | None = None,
) -> list[list[int]]:
    """Clusters (rows, 2+ each) that are each one picture: copies of a seed.

    Photos are taken as seeds best first (smallest ``seed_key``: the likely original). A seed's
    cluster grows outward through the candidates (index neighbours under ``threshold`` and
    ``extra_pairs``) of the seed and of each file that joined it, but a file joins only when
    verify(seed, file) confirms it: a file close to two pictures never chains them together, and
    each candidate pair is verified at most once. ``prepare`` gets each round of pairs first, to
    verify them in parallel. ``apart`` receives the candidate pairs left in different clusters.
    """
    count = len(vectors)
    first, second, distance = _close_pairs(vectors, index, threshold, progress)
    candidates: dict[tuple[int, int], float] = dict(zip(zip(first, second), distance))
    for a, b in extra_pairs:
        if a != b:
            candidates.setdefault((min(a, b), max(a, b)), vector_distance(vectors[a], vectors[b]))
    neighbours: list[list[int]] = [[] for _ in range(count)]
    for a, b in _in_order(candidates, by_distance=True):
        neighbours[a].append(b)
        neighbours[b].append(a)
    progress.start("Checking look-alike pairs", len(candidates))  # pairs, not photos: the count says so
    seed_of: dict[int, int] = {}
    clusters = []
    # Only rows with a candidate can seed a picture: their order is the same, and the others' keys
    # (99,000 of 108,000 rows on a warm rescan of bench/corpus-100k) are never computed.
    for seed in sorted((row for row in range(count) if neighbours[row]), key=lambda row: (seed_key(row), row)):
        if seed in seed_of:
            continue
        progress.check()
        members = _grow_picture(seed, neighbours, seed_of, verify, prepare, progress)
        if len(members) > 1:
            clusters.append(sorted(members))
    if apart is not None:
        apart.extend((a, b, candidates[a, b]) for a, b in _in_order(candidates, by_distance=False)
                     if seed_of.get(a, -1 - a) != seed_of.get(b, -1 - b))
    return clusters


ORDER_BLOCK = 8192  # pairs handed out as Python numbers at a time


def _in_order(candidates: dict[tuple[int, int], float], by_distance: bool):
    """The candidate pairs closest first (then by pair), or by pair: the order ``sorted`` gives with
    the key (distance, pair) or the pair, sorted by numpy, which lets go of the interpreter's lock
    while it sorts. ``sorted`` holds it throughout, and the window waits as long (bench/scale_gui.py
    --stalls): on 800,000 made pairs on the loaded machine, the longest gap of a 2-ms heartbeat
    thread was 2,193 ms with ``sorted``, 64 ms this way, the same order."""
    count = len(candidates)
    if not count:
        return
    ends = np.fromiter((end for pair in candidates for end in pair), dtype=np.int64, count=2 * count).reshape(count, 2)
    keys = (ends[:, 1], ends[:, 0])
    if by_distance:
        keys += (np.fromiter(candidates.values(), dtype=np.float64, count=count),)
    order = np.lexsort(keys)
    firsts, seconds = ends[order, 0], ends[order, 1]
    for start in range(0, count, ORDER_BLOCK):
        yield from zip(firsts[start:start + ORDER_BLOCK].tolist(), seconds[start:start + ORDER_BLOCK].tolist())
