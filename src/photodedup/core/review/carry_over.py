"""What the keeper would gain from its copies, and carrying it over before a copy is trashed.

The rules (issue #21): keywords, people, creators and albums are joined; the highest rating
wins; label, title, copyright, GPS and date taken are taken only where the keeper has none;
captions are joined when they differ. Where the files disagree and no rule decides, it is a
conflict: reported, and the keeper's value (or none) stays. Gains go to the keeper's XMP
sidecar (core/trash/sidecar_write.py), never into the keeper's own bytes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from photodedup.core.analyse.photo_tags import FIELD_NAMES, LIST_FIELDS, PhotoTags, display

SINGLE_WHERE_MISSING = ("label", "title", "copyright", "gps", "date_taken")
GAIN_ORDER = ("keywords", "rating", "label", "title", "description", "people", "creators", "copyright", "albums",
              "date_taken", "gps")


@dataclass
class CarryOver:
    """What the keeper gains (only the new values) and the conflicts, in words."""

    gains: PhotoTags = field(default_factory=PhotoTags)
    conflicts: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # the copies something comes from

    def is_empty(self) -> bool:
        return self.gains.is_empty()


def plan_carry_over(keeper: PhotoTags, copies: Sequence[tuple[str, PhotoTags]]) -> CarryOver:
    """What ``keeper`` lacks that ``copies`` (path, tags) have, by the rules above."""
    plan = CarryOver()
    sources: set[str] = set()
    for name in LIST_FIELDS:
        have = set(getattr(keeper, name))
        new = []
        for path, tags in copies:
            for value in getattr(tags, name):
                if value not in have and value not in new:
                    new.append(value)
                    sources.add(path)
        setattr(plan.gains, name, new)
    ratings = [(tags.rating, path) for path, tags in copies if tags.rating]
    if ratings and max(ratings)[0] > (keeper.rating or 0):
        plan.gains.rating, source = max(ratings)
        sources.add(source)
    for name in SINGLE_WHERE_MISSING:
        offered = {}
        for path, tags in copies:
            if getattr(tags, name):
                offered.setdefault(getattr(tags, name), path)
        mine = getattr(keeper, name)
        label = FIELD_NAMES[name]
        if mine:
            for value, path in offered.items():
                if value != mine:
                    plan.conflicts.append(f"{label}: the keeper's {_shown(name, mine)} stays; "
                                          f"{os.path.basename(path)} has {_shown(name, value)}")
        elif len(offered) == 1:
            (value, path), = offered.items()
            setattr(plan.gains, name, value)
            sources.add(path)
        elif len(offered) > 1:
            plan.conflicts.append(f"{label}: the copies disagree ("
                                  + ", ".join(f"{_shown(name, v)} in {os.path.basename(p)}" for v, p in offered.items())
                                  + "); none was carried over")
    captions = [keeper.description] if keeper.description else []
    for path, tags in copies:
        if tags.description and not any(tags.description in c for c in captions):
            captions.append(tags.description)
            sources.add(path)
    if len(captions) > (1 if keeper.description else 0):
        plan.gains.description = "\n\n".join(captions)
    plan.sources = [path for path, _tags in copies if path in sources]
    return plan


def _shown(name: str, value) -> str:
    tags = PhotoTags()
    setattr(tags, name, value)
    return f"“{display(tags, name)}”"


def describe_gains(plan: CarryOver) -> str:
    """"gains 3 keywords, rating ★★★★ and GPS from IMG_4380-web.jpg"; "" when nothing."""
    parts = []
    gains = plan.gains
    for name in GAIN_ORDER:
        value = getattr(gains, name)
        if not value:
            continue
        label = FIELD_NAMES[name]
        if name in LIST_FIELDS:
            singular = {"keywords": "keyword", "creators": "creator", "people": "person", "albums": "album"}[name]
            plural = {"people": "people"}.get(name, label if label.endswith("s") else label + "s")
            parts.append(f"{len(value)} {singular if len(value) == 1 else plural}")
        elif name == "rating":
            parts.append(f"rating {display(gains, 'rating')}")
        elif name == "description":
            parts.append("a caption")
        else:
            parts.append(label)
    if not parts:
        return ""
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"gains {listed} from " + ", ".join(os.path.basename(p) for p in plan.sources)


def describe(plan: CarryOver) -> str:
    """The gains and the conflicts in one line for the CLI and the review."""
    text = describe_gains(plan)
    if plan.conflicts:
        text += ("; " if text else "") + "conflicts: " + "; ".join(plan.conflicts)
    return text


def merged_for_sidecar(current: PhotoTags, gains: PhotoTags) -> PhotoTags:
    """What the keeper's sidecar should say: its own tags (file and sidecar) with the gains added."""
    merged = PhotoTags()
    for f in fields(PhotoTags):
        mine, new = getattr(current, f.name), getattr(gains, f.name)
        if f.name in LIST_FIELDS:
            setattr(merged, f.name, list(dict.fromkeys(mine + new)) if new else [])
        else:
            setattr(merged, f.name, new or None if f.name in ("rating", "gps") else new)
    return merged
