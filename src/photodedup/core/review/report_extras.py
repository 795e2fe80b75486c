"""What the JSON report adds for issue #21: each file's companions, and what each group's
keeper would gain from the copies marked for the Trash (the same words the review shows)."""

from __future__ import annotations

import os
from typing import Any

from photodedup.core.review.carry_over import describe_gains, plan_carry_over
from photodedup.core.analyse.companions import companion_names, companions_of
from photodedup.core.analyse.photo_tags import read_tags


def add_companions_and_gains(group: dict[str, Any], listings: dict[str, list[str]] | None = None) -> None:
    """Fill ``"companions"`` on every file of a report group and ``"keeper_gains"`` on the group
    (``listings``: folder → companion_names, shared by the groups of one report so that each
    folder is listed once)."""
    listings = {} if listings is None else listings

    def listing(path: str) -> list[str]:
        folder = os.path.dirname(path)
        if folder not in listings:
            listings[folder] = companion_names(folder)
        return listings[folder]

    for file in group["files"]:
        file["companions"] = [{"path": os.path.abspath(c.path), "kind": c.kind}
                              for c in companions_of(file["path"], listing(file["path"]))]
    kept = [f for f in group["files"] if f["keeper"]]
    marked = [f for f in group["files"] if not f["keeper"]]
    if not kept or not marked:
        group["keeper_gains"] = {"keeper": kept[0]["path"] if kept else "", "text": "", "conflicts": [], "from": []}
        return
    keeper = next((f for f in kept if f.get("suggested_keeper")), kept[0])["path"]
    plan = plan_carry_over(read_tags(keeper, listing(keeper)),
                           [(f["path"], read_tags(f["path"], listing(f["path"]))) for f in marked])
    group["keeper_gains"] = {"keeper": keeper, "text": describe_gains(plan), "conflicts": plan.conflicts,
                             "from": plan.sources}
