"""The person's choices while reviewing groups: keeper, files marked for trash, dismissed groups.

Plain Python (no Qt), so the rules are tested on their own. What may be marked is not
decided here but by the scan's ``TrashPolicy`` (core/review/policy.py): a protected file, a file
in a trash folder or outside the scanned folders is never marked; a group never has every
file marked. A dismissed ("not duplicates") group stays hidden in later scans as long as it holds
no photo it did not hold when it was dismissed (a new copy shows it again; one trashed does not).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from photodedup.core.models import Group, GroupMember
from photodedup.core.review.policy import TrashPolicy, in_folders
from photodedup.core.trash.safe_trash import TrashGroup, trash_group_for


HIDDEN_PREFIX = "photos:"  # a dismissed group, remembered as its photos' content hashes


def hidden_entry(group: Group) -> str:
    """How a dismissed group is remembered (in settings): the content hashes of its photos."""
    return HIDDEN_PREFIX + ",".join(sorted({m.info.content_hash for m in group.members}))


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
    kept: dict[str, str] = field(default_factory=dict)  # files the policy always keeps, with the reason
    decided: bool = False  # the person changed the keeper or a mark (kept across rescans)

    @property
    def members(self) -> list[GroupMember]:
        return self.group.members

    @property
    def marked_bytes(self) -> int:
        return sum(m.info.file.size for m in self.members if m.path in self.marked)

    @property
    def freeable_bytes(self) -> int:
        """What trashing every file but the keeper could free: files the policy keeps don't count,
        nor a group of similar shots (different pictures: nothing is suggested there)."""
        if self.group.kind != "copies":
            return 0
        return sum(m.info.file.size for m in self.members if m.path != self.keeper and m.path not in self.kept)


# How the list of groups can be ordered: name → (what a person reads, sort key of a group).
SORT_ORDERS: dict[str, tuple[str, object]] = {
    "saving": ("Space freed", lambda c: -c.freeable_bytes),
    "size": ("Total size", lambda c: -sum(m.info.file.size for m in c.members)),
    "photos": ("Number of photos", lambda c: -len(c.members)),
    "name": ("Name", lambda c: os.path.basename(c.keeper).lower()),
    "folder": ("Folder", lambda c: os.path.dirname(c.keeper).lower()),
    "date": ("Date taken", lambda c: min((m.info.metadata.date_taken for m in c.members
                                           if m.info.metadata.date_taken), default="9999")),
}


KEPT_ELSEWHERE = "This file is the kept copy of another group; choose another keeper there first."


class Review:
    """The groups of a scan and what the person decided about each."""

    def __init__(self, groups: Sequence[Group], policy: TrashPolicy | None = None, dismissed: Iterable[str] = (),
                 suggest_trash: bool = True) -> None:
        self.policy = policy or TrashPolicy()
        self.dismissed = set(dismissed)
        self.decided: dict[str, tuple[str, str]] = {}  # path → (content hash, what the person said)
        self._on_purpose: dict[str, str] = {}  # path → "kept"/"marked": the last mark the person set
        self.suggest_trash = suggest_trash  # False in the copy check: copies are found, not judged
        self.choices: list[GroupChoice] = []
        self.hidden: list[GroupChoice] = []  # groups of this scan the person said are not duplicates
        for group in groups:
            choice = GroupChoice(group, group.keeper.path, kept=self.policy.kept_reasons([m.path for m in group.members]))
            if suggest_trash:
                self._mark_all_but_keeper(choice)
            (self.hidden if self._hides(group) else self.choices).append(choice)
        self.sort("saving")  # biggest saving first: the order of the number the summary adds up

    def sort(self, order: str) -> None:
        """Order the groups by one of SORT_ORDERS (ties by the keeper's path, so it is stable)."""
        key = SORT_ORDERS[order][1]
        self.choices.sort(key=lambda c: (key(c), c.keeper))

    def is_protected(self, path: str) -> bool:
        return self.policy.is_protected(path)

    def _mark_all_but_keeper(self, choice: GroupChoice) -> None:
        """Suggest every other file for trash, except the ones the policy keeps."""
        choice.marked = self.policy.default_marks([m.path for m in choice.members], choice.keeper,
                                                   choice.group.kind, choice.kept, _infos(choice))

    def _decide(self, choice: GroupChoice, path: str, state: str) -> None:
        """Remember what the person said about one file ("keeper", "kept" or "marked")."""
        content_hash = next(m.info.content_hash for m in choice.members if m.path == path)
        self.decided[path] = (content_hash, state)
        choice.decided = True
        if state in ("kept", "marked"):  # "keeper" says nothing about what happens once it isn't
            self._on_purpose[path] = state

    def set_keeper(self, choice: GroupChoice, path: str) -> None:
        """Keep ``path``. The old keeper is marked in its place, unless the person kept it on
        purpose; every other mark stays as it is. (The copy check marks nothing.)"""
        if path not in {m.path for m in choice.members}:
            raise ValueError(f"{path} is not in this group")
        old, choice.keeper = choice.keeper, path
        choice.marked.discard(path)
        self._decide(choice, path, "keeper")
        if not self.suggest_trash or old == path or choice.group.kind != "copies":
            return  # the copy check marks nothing; in similar shots the old best is another picture
        if self._on_purpose.get(old) == "kept" or old in choice.kept:
            self._decide(choice, old, "kept")
        elif self.policy.why_not_mark([m.path for m in choice.members], choice.marked, old) is None \
                and not self._keeper_elsewhere(choice, old, copies_only=True):
            choice.marked.add(old)
            self._decide(choice, old, "marked")
        self._keepers_stay()

    def _keeper_elsewhere(self, choice: GroupChoice, path: str, copies_only: bool = False) -> bool:
        return any(other is not choice and other.keeper == path and (not copies_only or other.group.kind == "copies")
                   for other in self.choices)

    def _keepers_stay(self) -> None:
        """A file kept in its copies' group is marked in none: keeping a photo there takes back a mark it
        had among similar shots, so a later trash can't take it once its copies are gone (the third
        adversarial pass trashed both copies of a picture that way). A best shot among similar shots
        binds nothing: choosing another keeper among its copies still marks it there."""
        keepers = {c.keeper for c in self.choices if c.group.kind == "copies"}
        for choice in self.choices:
            for path in choice.marked & keepers:
                choice.marked.discard(path)
                self._decide(choice, path, "kept")

    def toggle(self, choice: GroupChoice, path: str) -> str | None:
        """Mark or unmark ``path``; returns why it can't be marked, or None when done."""
        if path in choice.marked:
            choice.marked.discard(path)
            self._decide(choice, path, "kept")
            return None
        refusal = self.policy.why_not_mark([m.path for m in choice.members], choice.marked, path)
        if refusal is not None:
            return refusal
        if self._keeper_elsewhere(choice, path):
            # A best shot is also its copies' keeper: marking it here would leave that group empty.
            return KEPT_ELSEWHERE
        choice.marked.add(path)
        self._decide(choice, path, "marked")
        if path == choice.keeper:
            choice.keeper = next(m.path for m in choice.members if m.path not in choice.marked)
            self._keepers_stay()
        return None

    def _hides(self, group: Group, entries: Iterable[str] | None = None) -> list[str]:
        """The remembered dismissals that hide ``group`` (it holds no photo they didn't)."""
        hashes = {m.info.content_hash for m in group.members}
        key = group_key(group)
        return [entry for entry in (self.dismissed if entries is None else entries)
                if entry == key or (entry.startswith(HIDDEN_PREFIX)
                                    and hashes <= set(entry[len(HIDDEN_PREFIX):].split(",")))]

    def dismiss(self, choice: GroupChoice) -> str:
        """"Not duplicates": hide the group now and in later scans; returns the entry to remember."""
        entry = hidden_entry(choice.group)
        self.dismissed.add(entry)
        self.choices.remove(choice)
        choice.marked = set()
        self.hidden.append(choice)
        return entry

    def show_again(self, choice: GroupChoice) -> list[str]:
        """Undo "not duplicates" for a hidden group; returns the remembered entries to forget."""
        forget = self._hides(choice.group)
        self.dismissed -= set(forget)
        self.hidden.remove(choice)
        if self.suggest_trash:
            self._mark_all_but_keeper(choice)
        self.choices.append(choice)
        self._keepers_stay()
        return forget

    def mark_all(self, marked: bool, folder: str | None = None) -> int:
        """Mark (the suggestion: every copy but the keeper) or unmark every group's files, or
        only those in ``folder``; returns how many files changed."""
        changed = 0
        for choice in self.choices:
            inside = {m.path for m in choice.members if folder is None or in_folders(m.path, [folder])}
            if marked:
                wanted = self.policy.default_marks([m.path for m in choice.members], choice.keeper,
                                                   choice.group.kind, choice.kept, _infos(choice)) & inside
                new = choice.marked | wanted
            else:
                new = choice.marked - inside
            for path in new ^ choice.marked:
                self._decide(choice, path, "marked" if path in new else "kept")
            changed += len(new ^ choice.marked)
            choice.marked = new
        self._keepers_stay()
        return changed

    def folders(self) -> list[str]:
        """The folders holding files of the groups under review, by path."""
        return sorted({os.path.dirname(m.path) for c in self.choices for m in c.members})

    @property
    def freeable_bytes(self) -> int:
        return sum(c.freeable_bytes for c in self.choices)

    def decisions(self) -> dict[str, tuple[str, str]]:
        """What the person said about each file: path → (content hash, "keeper"/"kept"/"marked")."""
        return dict(self.decided)

    def apply(self, decisions: dict[str, tuple[str, str]]) -> None:
        """Put back an earlier review's decisions, file by file (a rescan, a regroup, an undo):
        they hold for every file still with the same content, whatever group it is in now."""
        for path, value in decisions.items():
            self.decided.setdefault(path, value)
        for choice in self.choices:
            said = {m.path: self.decided[m.path][1] for m in choice.members
                    if m.path in self.decided and self.decided[m.path][0] == m.info.content_hash}
            if not said:
                continue
            choice.decided = True
            keeper = next((p for p, state in said.items() if state == "keeper"), None)
            if keeper is not None and keeper != choice.keeper:
                choice.keeper = keeper
                if self.suggest_trash:
                    self._mark_all_but_keeper(choice)
            for path, state in said.items():
                if state == "kept" or path == choice.keeper:
                    choice.marked.discard(path)
                elif state == "marked" and self.suggest_trash and path not in choice.kept \
                    and choice.group.kind == "copies":  # a mark never follows a file into a group of other shots
                    choice.marked.add(path)
            choice.marked.discard(choice.keeper)  # the keeper stays, so a group never has every file marked
        self._keepers_stay()

    @property
    def marked_count(self) -> int:
        return sum(len(c.marked) for c in self.choices)

    @property
    def marked_bytes(self) -> int:
        return sum(c.marked_bytes for c in self.choices)

    def trash_plan(self, choices: Sequence[GroupChoice] | None = None) -> list[TrashGroup]:
        """What the safe trash should do: per group (all, or ``choices``), the marked files and
        the ones kept (the safe trash checks the plan against ``self.policy`` once more)."""
        return [trash_group_for(c.group, c.marked) for c in (self.choices if choices is None else choices) if c.marked]

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
        self._keepers_stay()


def _infos(choice: GroupChoice) -> dict:
    """path → ImageInfo of a group's files: what the suggestion's witness rules read."""
    return {m.path: m.info for m in choice.members}
