"""Companions in the safe trash: after a photo is trashed, its sidecars, Live Photo video and
Takeout JSON follow it, each journalled (as the photo's companion) before it moves."""

from __future__ import annotations

import os
from collections.abc import Callable

from photodedup.core.trash import freedesktop as freedesktop_trash
from photodedup.core.analyse.companions import travelling_companions
from photodedup.core.analyse.exact import hash_file
from photodedup.core.trash.journal import Journal, TrashRecord

from photodedup.core.trash.types import FileOutcome


def trash_companions(photo: "FileOutcome", journal: Journal, batch_name: str, dry_run: bool,
                     send: Callable[[str, int, int], "FileOutcome"], located: set[str]) -> list["FileOutcome"]:
    """Move the companions of a photo that just went to the Trash (or, in a dry run, would).

    ``send(path, size, mtime_ns)`` is the safe trash's own call; one outcome per companion, each
    with ``companion_of`` set. A companion another photo still uses stays, and says so."""

    if photo.status not in ("trashed", "would trash"):
        return []
    going, staying = travelling_companions(photo.path)
    outcomes = [FileOutcome(c.path, "skipped", f"kept: {why}", companion_of=photo.path) for c, why in staying]
    for companion in going:
        try:
            status = os.stat(companion.path)
            content_hash = hash_file(companion.path)
        except OSError as error:
            outcomes.append(FileOutcome(companion.path, "skipped", f"cannot be read: {error.strerror or error}",
                                        companion_of=photo.path))
            continue
        if dry_run:
            outcomes.append(FileOutcome(companion.path, "would trash", "", status.st_size, companion_of=photo.path))
            continue
        try:
            record_id = journal.begin(batch_name, os.path.abspath(companion.path), status.st_size, content_hash,
                                      companion_of=photo.record_id)
        except OSError as error:
            outcomes.append(FileOutcome(companion.path, "failed", f"the trash journal could not be written ({error}); "
                                        "left in place", status.st_size, companion_of=photo.path))
            continue
        outcome = send(companion.path, status.st_size, status.st_mtime_ns)
        outcome.record_id, outcome.companion_of = record_id, photo.path
        if freedesktop_trash.SUPPORTED:
            if outcome.status == "trashed":
                found = freedesktop_trash.locate(companion.path, exclude=located)
                if found is not None:
                    outcome.location = found.file
                    located.add(found.file)
            else:
                freedesktop_trash.drop_orphan_info(companion.path)
        journal.finish(record_id, "trashed" if outcome.status == "trashed" else "failed", outcome.location,
                       outcome.reason)
        outcomes.append(outcome)
    return outcomes


def unreadable_companion(photo: str) -> str | None:
    """The name of a companion that would go with ``photo`` but can't be read, or None. The photo then stays:
    moving it alone would leave its sidecar behind, its rating never carried to the keeper (third adversarial
    pass: a chmod 000 sidecar)."""
    for companion in travelling_companions(photo)[0]:
        try:
            with open(companion.path, "rb"):
                pass
        except OSError:
            return os.path.basename(companion.path)
    return None


def with_companions(chosen: list[TrashRecord], records: list[TrashRecord]) -> list[TrashRecord]:
    """The records chosen for a restore and the companions of each, every companion after its photo."""
    chosen_ids = {r.id for r in chosen}
    result: list[TrashRecord] = []
    for record in chosen:
        result.append(record)
        result += [r for r in records if r.companion_of == record.id and r.id not in chosen_ids]
    return result
