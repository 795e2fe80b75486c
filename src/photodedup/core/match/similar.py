"""Groups of similar shots: different pictures of one scene (the pixels said they are not copies),
each shown by its copy group's keeper, with a suggested best shot and nothing marked."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from photodedup.core.match.group import SPREAD_FACTOR, vector_distance
from photodedup.core.match.measures import VerificationStore, best_shot, shots_facts
from photodedup.core.models import SIMILAR, Group, GroupMember, ImageInfo

# Pictures closer than this (embedding distance) that the pixels say are not copies are offered
# as similar shots; calibrated with bench/accuracy.py.
SIMILAR_THRESHOLD = 0.55


def similar_groups(infos: list[ImageInfo], apart: list[tuple[int, int, float]], keeper_of: dict[int, int],
                   gray_of: Callable[[ImageInfo], np.ndarray | None], cache: VerificationStore) -> list[Group]:
    """Groups of different pictures of one scene: candidate pairs left apart by the copy check,
    under SIMILAR_THRESHOLD or proposed by their thumbnails (each picture shown by its keeper),
    joined while every two of a group stay within the spread."""
    links = sorted({(min(keeper_of.get(a, a), keeper_of.get(b, b)), max(keeper_of.get(a, a), keeper_of.get(b, b)))
                    for a, b, gap in apart if gap <= SIMILAR_THRESHOLD}, key=lambda pair: (
                        vector_distance(infos[pair[0]].vector, infos[pair[1]].vector), pair))
    widest = SPREAD_FACTOR * SIMILAR_THRESHOLD
    group_of: dict[int, list[int]] = {}
    for a, b in links:
        if a == b:
            continue
        first, second = group_of.get(a, [a]), group_of.get(b, [b])
        if first is second:
            continue
        if max(vector_distance(infos[x].vector, infos[y].vector) for x in first for y in second) > widest:
            continue
        merged = sorted(first + second)
        for member in merged:
            group_of[member] = merged
    groups = []
    grouped = [[infos[p] for p in positions] for positions in {id(g): g for g in group_of.values()}.values()]
    measured = shots_facts([info for members in grouped for info in members], gray_of, cache)
    for members in grouped:
        facts = {info.file.path: measured[info.file.path] for info in members if info.file.path in measured}
        pixels = {info.file.path: info.picture_pixels for info in members}
        best, why = best_shot(facts, pixels) if facts else (members[0].file.path, "")
        group = Group([GroupMember(info, keeper=info.file.path == best, distance=0.0 if info.file.path == best else
                                   vector_distance(by_best(members, best).vector, info.vector),
                                   detail=(why or "best shot") if info.file.path == best else
                                   "another shot of the same scene (a different picture, not a copy)")
                       for info in members], kind=SIMILAR, note=why)
        groups.append(group)
    groups.sort(key=lambda g: (-len(g.members), g.keeper.path))
    return groups


def by_best(members: list[ImageInfo], path: str) -> ImageInfo:
    return next(i for i in members if i.file.path == path)
