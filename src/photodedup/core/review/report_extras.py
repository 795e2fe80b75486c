"""What the JSON report adds for issue #21: each file's companions, and what each group's
keeper would gain from the copies marked for the Trash (the same words the review shows)."""

from __future__ import annotations

import os
from typing import Any

from photodedup.core.review.carry_over import describe_gains, plan_carry_over
from photodedup.core.analyse.companions import companions_of
from photodedup.core.analyse.photo_tags import read_tags


def add_companions_and_gains(group: dict[str, Any]) -> None:
    """Fill ``"companions"`` on every file of a report group and ``"keeper_gains"`` on the group."""
    for file in group["files"]:
        file["companions"] = [{"path": os.path.abspath(c.path), "kind": c.kind} for c in companions_of(file["path"])]
    kept = [f for f in group["files"] if f["keeper"]]
    marked = [f for f in group["files"] if not f["keeper"]]
    if not kept or not marked:
        group["keeper_gains"] = {"keeper": kept[0]["path"] if kept else "", "text": "", "conflicts": [], "from": []}
        return
    keeper = next((f for f in kept if f.get("suggested_keeper")), kept[0])["path"]
    plan = plan_carry_over(read_tags(keeper), [(f["path"], read_tags(f["path"])) for f in marked])
    group["keeper_gains"] = {"keeper": keeper, "text": describe_gains(plan), "conflicts": plan.conflicts,
                             "from": plan.sources}
