"""Why a copy that is not marked was not suggested for the Trash: no file that stays can stand for it
(core/review/witness.py, asked through TrashPolicy.witness_gaps). Worked out from the marks as they
are now, each time the panels are drawn: when the person marks or keeps another file, what stays
changes, and so does the answer. No Qt here; the compare view shows it."""

from __future__ import annotations

from photodedup.core.review.choices import GroupChoice, Review

NOT_SUGGESTED = "Not suggested for the Trash: no file that stays can stand for it ({reason})"


def unmarked_without_stand_in(choice: GroupChoice | None, review: Review | None) -> dict[str, str]:
    """path → the reason, for each unmarked file of a group of copies (not the keeper, not kept by
    the policy) that no file staying can stand for: the keeper, the files the policy keeps, and the
    other unmarked files that the keeper can stand for. (Two full-size files beside a kept thumbnail
    would otherwise each stand for the other, and neither would say why it was not suggested.)"""
    if choice is None or review is None or not review.suggest_trash or choice.group.kind != "copies":
        return {}
    paths = [m.path for m in choice.members]
    infos = {m.path: m.info for m in choice.members}
    policy, keeper = review.policy, choice.keeper
    lacking = policy.witness_gaps(paths, keeper, choice.kept, infos)  # what the keeper can't stand for
    staying = [p for p in paths if p not in choice.marked and p != keeper and p not in choice.kept]
    reasons = {}
    for path in staying:
        if path not in lacking:
            continue
        others = {p: "stays" for p in staying if p != path and p not in lacking}
        reason = policy.witness_gaps(paths, keeper, {**choice.kept, **others}, infos).get(path)
        if reason is not None:
            reasons[path] = reason
    return reasons
