"""Carry-over in the safe trash: before a copy goes, what the keeper lacks is written to the
keeper's XMP sidecar, journalled first with the sidecar's old content (or its absence); a
restore of that copy puts the sidecar back exactly as it was."""

from __future__ import annotations

import base64
import glob
import hashlib
import os
import time
from collections.abc import Sequence

from photodedup.core.review.carry_over import describe, merged_for_sidecar, plan_carry_over
from photodedup.core.analyse.companions import sidecar_for
from photodedup.core.trash.journal import Journal, TrashRecord
from photodedup.core.analyse.photo_tags import read_tags
from photodedup.core.trash.sidecar_write import commit_sidecar, discard_sidecar_temporary, prepare_sidecar, put_back

from photodedup.core.trash.types import RestoreOutcome

SIDECAR_EVENT, SIDECAR_RESTORED = "sidecar", "sidecar restored"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def carry_before_trash(copy: str, keeper: str, journal: Journal, batch: str, dry_run: bool) -> tuple[str, str | None]:
    """Carry what ``keeper`` lacks from ``copy`` into the keeper's sidecar: (what was carried, in
    words; why the copy must not be trashed, or None). Nothing to carry is no reason to stop."""
    keeper_tags = read_tags(keeper)
    plan = plan_carry_over(keeper_tags, [(copy, read_tags(copy))])
    message = describe(plan)
    if plan.is_empty():
        return message, None
    sidecar = sidecar_for(keeper)
    if dry_run:
        return f"would write to {os.path.basename(sidecar)}: {message}", None
    if os.path.islink(sidecar):
        return message, f"the keeper's sidecar {sidecar} is a symbolic link; not written, the copy was left in place"
    try:
        prepared = prepare_sidecar(sidecar, merged_for_sidecar(keeper_tags, plan.gains))
    except (OSError, ValueError) as error:
        return message, (f"what the keeper would gain could not be written to {sidecar} ({error}); the copy was left "
                         "in place (--no-carry-over trashes it without)")
    try:
        journal.append_event({
            "event": SIDECAR_EVENT, "batch": batch, "path": os.path.abspath(sidecar),
            "old": None if prepared.old is None else base64.b64encode(prepared.old).decode("ascii"),
            "new_sha256": _digest(prepared.new), "copy": os.path.abspath(copy), "keeper": os.path.abspath(keeper),
            "time": time.time()})
        commit_sidecar(prepared)
    except OSError as error:
        discard_sidecar_temporary(prepared.temporary)
        return message, f"the keeper's sidecar could not be written ({error}); the copy was left in place"
    return f"{os.path.basename(sidecar)}: {message}", None


def sidecar_changes(journal: Journal) -> list[dict]:
    """Every sidecar change in the journal, oldest first, each with ``"reverted"`` and ``"kept"``
    (a restore left it in place once, and said why)."""
    changes: dict[int, dict] = {}
    for event in journal.events():
        if event.get("event") == SIDECAR_EVENT and isinstance(event.get("path"), str) and isinstance(event.get("batch"), str):
            changes[event["id"]] = {**event, "reverted": False, "kept": False}
        elif event.get("event") == SIDECAR_RESTORED and event.get("change") in changes:
            changes[event["change"]]["reverted"] = True
        elif event.get("event") == "note" and event["id"] in changes:
            changes[event["id"]]["kept"] = True
    return list(changes.values())


def latest_batch(candidates: Sequence[TrashRecord], journal: Journal) -> str | None:
    """The newest batch with something to undo: trashed files, or a sidecar written just before a crash."""
    newest = [(r.id, r.batch) for r in candidates]
    newest += [(c["id"], c["batch"]) for c in sidecar_changes(journal) if not (c["reverted"] or c["kept"])]
    return max(newest)[1] if newest else None


def revert_sidecars(journal: Journal, chosen: Sequence[TrashRecord], batch: str | None) -> list["RestoreOutcome"]:
    """Put back, newest first, the sidecars written for the copies being restored (all of ``batch``'s,
    or those of ``chosen``). Only while the copy is back in its place: if it is not, the sidecar
    holds the only record of what it carried, and stays."""

    wanted = {(r.batch, r.path) for r in chosen}
    outcomes = []
    for change in reversed(sidecar_changes(journal)):
        if change["reverted"] or (batch is not None and change["kept"]):  # --last asks once; an id asks again
            continue
        if not (change["batch"] == batch or (change["batch"], change.get("copy")) in wanted):
            continue
        path = change["path"]

        def refuse(reason: str) -> None:
            journal.note(change["id"], "sidecar kept: " + reason)
            outcomes.append(RestoreOutcome(change["id"], path, "refused", reason))

        if not isinstance(change.get("copy"), str) or not os.path.isfile(change["copy"]):
            refuse("the copy its metadata came from is not back in its folder, so the keeper's sidecar keeps it")
            continue
        try:
            with open(path, "rb") as handle:
                current = handle.read()
        except FileNotFoundError:
            current = None
        except OSError as error:
            refuse(f"cannot be read: {error.strerror or error}")
            continue
        old = base64.b64decode(change["old"]) if isinstance(change.get("old"), str) else None
        if current == old:
            pass  # a crash before the rename, or put back already: nothing to do
        elif current is None or _digest(current) != change.get("new_sha256"):
            refuse("it was changed since photodedup wrote it (edited in another program?); left as it is")
            continue
        else:
            try:
                put_back(path, old)
            except OSError as error:
                refuse(f"could not be put back: {error.strerror or error}")
                continue
        _remove_leftovers(path)
        journal.append_event({"event": SIDECAR_RESTORED, "change": change["id"], "path": path, "time": time.time()})
        outcomes.append(RestoreOutcome(change["id"], path, "restored",
                                       "sidecar put back as it was" if old is not None else "sidecar removed (there was none)"))
    return outcomes


def _remove_leftovers(sidecar: str) -> None:
    """The temporary sidecars a crash left beside ``sidecar`` (never in place, never the person's)."""
    folder, name = os.path.split(os.path.abspath(sidecar))
    for leftover in glob.glob(os.path.join(glob.escape(folder), f".{glob.escape(name)}.photodedup-*.tmp")):
        discard_sidecar_temporary(leftover)
