"""The person's choices while reviewing groups: keeper, files marked for trash, dismissed groups.

Plain Python (no Qt), so the rules are tested on their own. What may be marked is not
decided here but by the scan's ``TrashPolicy`` (core/policy.py): a protected file, a file
in a trash folder or outside the scanned folders is never marked; a group never has every
file marked. A dismissed group stays hidden in later scans as long as it holds the same photos.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from photodedup.core.models import Group, GroupMember
from photodedup.core.policy import TrashPolicy
from photodedup.core.trash import TrashGroup, trash_group_for


def group_key(group: Group) -> str:
    """Names a group by the photos in it (content hashes), stable across scans and paths."""
    digest = hashlib.blake2b(digest_size=12)
    for content_hash in sorted({m.info.content_hash for m in group.members}):
        digest.update(content_hash.encode())
    return digest.hexdigest()


@dataclass
class GroupChoice:
    """One group under review: which file is kept and which are marked for trash."""

    group: Group
    keeper: str
    marked: set[str] = field(default_factory=set)

    @property
    def members(self) -> list[GroupMember]:
        return self.group.members

    @property
    def marked_bytes(self) -> int:
        return sum(m.info.file.size for m in self.members if m.path in self.marked)

    @property
    def reclaimable_bytes(self) -> int:
        return self.group.reclaimable_bytes


KEPT_ELSEWHERE = "This file is the kept copy of another group; choose another keeper there first."


class Review:
    """The groups of a scan and what the person decided about each."""

    def __init__(self, groups: Sequence[Group], policy: TrashPolicy | None = None, dismissed: Iterable[str] = (),
                 suggest_trash: bool = True) -> None:
        self.policy = policy or TrashPolicy()
        self.dismissed = set(dismissed)
        self.suggest_trash = suggest_trash  # False in the copy check: copies are found, not judged
        self.choices: list[GroupChoice] = []
        for group in groups:
            if group_key(group) in self.dismissed:
                continue
            choice = GroupChoice(group, group.keeper.path)
            if suggest_trash:
                self._mark_all_but_keeper(choice)
            self.choices.append(choice)

    def is_protected(self, path: str) -> bool:
        return self.policy.is_protected(path)

    def _mark_all_but_keeper(self, choice: GroupChoice) -> None:
        """Suggest every other file for trash, except the ones the policy keeps."""
        choice.marked = self.policy.default_marks([m.path for m in choice.members], choice.keeper, choice.group.kind)

    def set_keeper(self, choice: GroupChoice, path: str) -> None:
        """Keep ``path``; every other unprotected file of the group is marked for trash."""
        if path not in {m.path for m in choice.members}:
            raise ValueError(f"{path} is not in this group")
        choice.keeper = path
        self._mark_all_but_keeper(choice)

    def toggle(self, choice: GroupChoice, path: str) -> str | None:
        """Mark or unmark ``path``; returns why it can't be marked, or None when done."""
        if path in choice.marked:
            choice.marked.discard(path)
            return None
        refusal = self.policy.why_not_mark([m.path for m in choice.members], choice.marked, path)
        if refusal is not None:
            return refusal
        if any(other is not choice and other.keeper == path for other in self.choices):
            # A best shot is also its copies' keeper: marking it here would leave that group empty.
            return KEPT_ELSEWHERE
        choice.marked.add(path)
        if path == choice.keeper:
            choice.keeper = next(m.path for m in choice.members if m.path not in choice.marked)
        return None

    def dismiss(self, choice: GroupChoice) -> str:
        """"Not duplicates": hide the group now and in later scans; returns its key to remember."""
        key = group_key(choice.group)
        self.dismissed.add(key)
        self.choices.remove(choice)
        return key

    @property
    def marked_count(self) -> int:
        return sum(len(c.marked) for c in self.choices)

    @property
    def marked_bytes(self) -> int:
        return sum(c.marked_bytes for c in self.choices)

    def trash_plan(self) -> list[TrashGroup]:
        """What the safe trash should do: per group, the marked files and the ones kept
        (the safe trash checks the plan against ``self.policy`` once more)."""
        return [trash_group_for(c.group, c.marked) for c in self.choices if c.marked]

    def forget(self, trashed_paths: Iterable[str]) -> None:
        """Drop files that went to the trash; groups left with one file disappear."""
        gone = set(trashed_paths)
        remaining = []
        for choice in self.choices:
            members = [m for m in choice.members if m.path not in gone]
            choice.marked -= gone
            if len(members) < 2:
                continue
            choice.group = Group(members)
            if choice.keeper in gone:
                choice.keeper = members[0].path
            for member in members:
                member.keeper = member.path == choice.keeper
            remaining.append(choice)
        self.choices = remaining
