"""Safe trash: move chosen copies to the system trash, one checked file at a time.

Before each file: the TrashPolicy (core/review/policy.py) must allow it, it must still be the
file that was scanned (size, mtime and content hash), it must not be a file kept in any
group of the plan, and its group must keep at least one other file that still exists
unchanged. One trash or restore runs at a time across processes (the journal's lock,
held for the whole action). Every action is journalled before the trash call. Success is
believed only once the path is really gone. Nothing here ever deletes a file permanently.
"""

from __future__ import annotations

import errno
import os
import stat as stat_module
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from photodedup.core.trash import freedesktop as freedesktop_trash
from photodedup.core.trash.carry import carry_before_trash, latest_batch, revert_sidecars
from photodedup.core.trash.companions import trash_companions, unreadable_companion, with_companions
from photodedup.core.analyse.exact import hash_file
from photodedup.core.trash.journal import Journal, TrashRecord
from photodedup.core.models import Group
from photodedup.core.review.policy import TrashPolicy
from photodedup.core.progress import NULL_PROGRESS, Cancelled, Progress
from photodedup.core.trash.types import FileOutcome, RestoreOutcome, ScannedFile, TrashGroup
from photodedup.core.analyse.scan import same_file_key

@dataclass
class _Batch:
    journal: Journal
    send: Callable[[str], None]
    dry_run: bool
    policy: TrashPolicy
    kept: set[tuple[int, int]] = field(default_factory=set)  # (device, inode) of every file kept in the plan
    name: str = ""
    located: set[str] = field(default_factory=set)
    carry_over: bool = False  # write what the keeper lacks to its XMP sidecar first (core/trash/carry.py)


def scanned(member_info) -> ScannedFile:
    """The ScannedFile for a pipeline ImageInfo."""
    file = member_info.file
    return ScannedFile(file.path, file.size, file.mtime_ns, member_info.content_hash)


def trash_group_for(group: Group, marked: set[str]) -> TrashGroup:
    """A TrashGroup from a scan's group and the paths the person marked for trash."""
    keep = [scanned(m.info) for m in group.members if m.path not in marked]
    remove = [scanned(m.info) for m in group.members if m.path in marked]
    return TrashGroup(keep, remove, copies=group.kind == "copies")


def changed_since_scan(file: ScannedFile) -> str | None:
    """Why ``file`` is no longer the file that was scanned, or None if it still is."""
    try:
        status = os.stat(file.path)  # a symlinked photo is checked by what it points to
    except FileNotFoundError:
        return "gone: there is no file at this path any more"
    except OSError as error:
        return f"cannot be checked: {error.strerror or error}"
    if not stat_module.S_ISREG(status.st_mode):
        return "no longer a regular file"
    if status.st_size != file.size:
        return f"changed since the scan (size {file.size} → {status.st_size} bytes)"
    if status.st_mtime_ns != file.mtime_ns:
        return "changed since the scan (modified again)"
    if file.content_hash:
        try:
            current = hash_file(file.path)
        except OSError as error:
            return f"cannot be read to confirm it is unchanged: {error.strerror or error}"
        if current != file.content_hash:
            return "content changed since the scan (its modification time was put back)"
    return None


def _identity(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return (status.st_dev, status.st_ino)


def _same_file(first: str, second: str) -> bool:
    """One file by two paths: a hard link, a symlink, or another mount of it (overlay, NFS)."""
    try:
        a, b = os.stat(first), os.stat(second)
    except (OSError, ValueError):
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino) or same_file_key(a) == same_file_key(b)


def _send2trash(path: str) -> None:
    from send2trash import send2trash

    send2trash(path)


def trash_groups(
    groups: Sequence[TrashGroup],
    journal: Journal | None = None,
    progress: Progress = NULL_PROGRESS,
    dry_run: bool = False,
    send: Callable[[str], None] | None = None,
    policy: TrashPolicy | None = None,
    carry_over: bool = False,
) -> list[FileOutcome]:
    """Trash the ``remove`` files of each group, checking everything first; one outcome per file.

    ``dry_run`` runs every check and reports "would trash" without touching anything.
    A cancelled run stops between files; the files not reached are reported as skipped.
    ``carry_over`` first writes what the kept file lacks to its XMP sidecar (journalled).
    Raises journal.TrashBusy, touching nothing, while another trash or restore runs.
    """
    journal = journal or Journal()
    batch = _Batch(journal, send or _send2trash, dry_run, (policy or TrashPolicy()).fresh(), carry_over=carry_over)
    batch.kept = {identity for group in groups for kept in group.keep if (identity := _identity(kept.path))}
    if dry_run:
        return _trash_all(groups, batch, progress)
    with journal.exclusive():
        batch.name = journal.new_batch()
        return _trash_all(groups, batch, progress)


def _trash_all(groups: Sequence[TrashGroup], batch: _Batch, progress: Progress) -> list[FileOutcome]:
    total = sum(len(g.remove) for g in groups)
    progress.start("Checking" if batch.dry_run else "Moving to trash", total)
    outcomes: list[FileOutcome] = []
    cancelled = False
    for group in groups:
        if cancelled:
            outcomes += [FileOutcome(f.path, "skipped", "stopped before this file", f.size) for f in group.remove]
            continue
        refusal = _group_refusal(group)
        if refusal is not None:
            outcomes += [FileOutcome(f.path, "skipped", refusal, f.size) for f in group.remove]
            progress.advance(len(group.remove))
            continue
        for file in group.remove:
            try:
                progress.check()
            except Cancelled:
                cancelled = True
            if cancelled:
                outcomes.append(FileOutcome(file.path, "skipped", "stopped before this file", file.size))
                continue
            outcome = _trash_one(file, group, batch)
            outcomes.append(outcome)
            outcomes += trash_companions(outcome, batch.journal, batch.name, batch.dry_run,
                                         lambda path, size, mtime: _send(ScannedFile(path, size, mtime), batch),
                                         batch.located)
            progress.advance()
    return outcomes


def _group_refusal(group: TrashGroup) -> str | None:
    """Why no file of this group may go, or None."""
    if not group.remove:
        return None
    if not group.keep:
        return "every file of this group is marked; at least one must stay"
    if all(changed_since_scan(k) is not None for k in group.keep):
        kept = group.keep[0]
        return f"the file to keep ({kept.path}) is {changed_since_scan(kept)}; nothing in its group was trashed"
    return None


def _trash_one(file: ScannedFile, group: TrashGroup, batch: _Batch) -> FileOutcome:
    refusal = batch.policy.why_not_trash([k.path for k in group.keep], [r.path for r in group.remove], file.path)
    if refusal is not None:
        return FileOutcome(file.path, "skipped", refusal, file.size)
    live = [k for k in group.keep if batch.policy.why_not_a_kept_copy(k.path) is None and changed_since_scan(k) is None]
    if not live:
        return FileOutcome(file.path, "skipped", "no file of its group would be left unchanged", file.size)
    for kept in group.keep:
        if kept.path == file.path or _same_file(kept.path, file.path):
            return FileOutcome(file.path, "skipped", f"same file as the kept {kept.path} (another path to it)", file.size)
    if _identity(file.path) in batch.kept:
        return FileOutcome(file.path, "skipped", "it is the file kept in another group of this plan", file.size)
    reason = changed_since_scan(file)
    if reason is not None:
        return FileOutcome(file.path, "skipped", reason, file.size)
    if os.path.islink(file.path):
        return FileOutcome(file.path, "skipped", "a symbolic link: trashing it would free nothing; the photo it "
                           "points to stays", file.size)
    unreadable = unreadable_companion(file.path)
    if unreadable is not None:
        return FileOutcome(file.path, "skipped", f"its companion {unreadable} can't be read; both stay", file.size)
    carried = ""
    if batch.carry_over:
        carried, refusal = carry_before_trash(file.path, live[0].path, batch.journal, batch.name, batch.dry_run)
        if refusal is not None:
            return FileOutcome(file.path, "skipped", refusal, file.size, carried=carried)
    if batch.dry_run:
        return FileOutcome(file.path, "would trash", "", file.size, carried=carried)
    try:
        record_id = batch.journal.begin(batch.name, os.path.abspath(file.path), file.size, file.content_hash)
    except OSError as error:
        return FileOutcome(file.path, "failed", f"the trash journal could not be written ({error}); file left in place", file.size)
    outcome = _send(file, batch)
    outcome.record_id, outcome.carried = record_id, carried
    if freedesktop_trash.SUPPORTED:
        if outcome.status == "trashed":
            found = freedesktop_trash.locate(file.path, exclude=batch.located)
            if found is not None:
                outcome.location = found.file
                batch.located.add(found.file)
                _undo_if_wrong(file, live, outcome)
        else:
            freedesktop_trash.drop_orphan_info(file.path)
    batch.journal.finish(record_id, "trashed" if outcome.status == "trashed" else "failed",
                         outcome.location, outcome.reason)
    return outcome


def _undo_if_wrong(file: ScannedFile, live: list[ScannedFile], outcome: FileOutcome) -> None:
    """After the move: if what went is not the file that was checked (swapped in the meantime),
    or the kept copy went with it (one file seen through two mounts), put it straight back."""
    problem = None
    if not any(os.path.exists(k.path) for k in live):
        problem = "the kept copy disappeared with it (the same file seen through two mounts?)"
    elif file.content_hash:
        try:
            if hash_file(outcome.location) != file.content_hash:
                problem = "what reached the Trash is not the file that was checked (it changed during the move)"
        except OSError as error:
            problem = f"the file in the Trash cannot be read to confirm it ({error.strerror or error})"
    if problem is None:
        return
    try:
        freedesktop_trash.move_back(outcome.location, file.path)
    except OSError as error:  # still trashed, and journalled so: restore can bring it back
        outcome.reason = f"{problem}; it could not be put back ({error.strerror or error}): restore it from the Trash"
        return
    outcome.status, outcome.reason, outcome.location = "failed", f"{problem}; it was put back", None


def _on_read_only_volume(path: str) -> bool:
    try:
        return bool(os.statvfs(os.path.dirname(os.path.abspath(path))).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        return False


def _send(file: ScannedFile, batch: _Batch) -> FileOutcome:
    """Call the system trash and believe it only if the path is gone afterwards."""
    from send2trash import TrashPermissionError

    try:
        batch.send(file.path)
    except TrashPermissionError as error:
        return FileOutcome(file.path, "failed", (
            f"the trash cannot take files from this drive ({error}); the file was left in place, "
            "nothing was deleted"), file.size, trash_unavailable=True)
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            read_only_volume = error.errno == errno.EROFS or _on_read_only_volume(file.path)
            return FileOutcome(file.path, "failed", (
                "the drive is read-only; the file was left in place" if read_only_volume else
                "permission denied: the file or its folder is read-only; the file was left in place"),
                file.size, trash_unavailable=read_only_volume)
        return FileOutcome(file.path, "failed", f"the trash refused it: {error.strerror or error}", file.size)
    except Exception as error:  # send2trash's platform back ends raise assorted types
        return FileOutcome(file.path, "failed", f"the trash failed: {error}", file.size)
    if os.path.lexists(file.path):
        return FileOutcome(file.path, "failed", "the trash reported success but the file is still there", file.size)
    return FileOutcome(file.path, "trashed", "", file.size)


def restore(record_ids: Sequence[int] | None = None, journal: Journal | None = None,
            last: bool = False) -> list[RestoreOutcome]:
    """Move trashed files back where they were: the given journal ids, or the last batch.

    A record left "pending" by a crash between the journal line and the trash call is
    reconciled with the Trash: restored if the file is there, reported if it never left.
    Raises journal.TrashBusy, touching nothing, while another trash or restore runs.
    """
    journal = journal or Journal()
    with journal.exclusive():
        records = journal.records()
        if last:
            candidates = [r for r in records if r.state in ("trashed", "pending")]
            batch = latest_batch(candidates, journal)
            chosen = [r for r in candidates if r.batch == batch]
        else:
            by_id = {r.id: r for r in records}
            chosen = [by_id.get(record_id) or TrashRecord(record_id, "", "", 0, "", 0.0, "failed", reason="unknown")
                      for record_id in record_ids or ()]
        outcomes = [_restore_one(record, journal) for record in with_companions(chosen, records)]
        return outcomes + revert_sidecars(journal, chosen, batch if last else None)


def _restore_one(record: TrashRecord, journal: Journal) -> RestoreOutcome:
    def refuse(reason: str, status: str = "refused") -> RestoreOutcome:
        return RestoreOutcome(record.id, record.path, status, reason)

    if not record.path:
        return refuse("no such entry in the trash journal")
    if record.state == "restored":
        return refuse("already restored")
    if record.state == "failed":
        return refuse("never trashed: " + (record.reason or "the trash call failed"))
    if not freedesktop_trash.SUPPORTED:
        return refuse("it is in the system Trash (Recycle Bin); restore it from there", "in trash")
    if record.state == "pending" and _is_the_trashed_file(record.path, record):
        journal.finish(record.id, "failed", None, "the trash call never finished; the file stayed in its folder")
        return refuse("it never left its folder (the trash call did not finish)")
    candidates = [record.location] if record.location and os.path.lexists(record.location) else []
    candidates += [entry.file for entry in freedesktop_trash.locate_all(record.path) if entry.file not in candidates]
    if not candidates:
        return refuse("it is no longer in the trash (was the trash emptied?)", "failed")
    location = next((c for c in candidates if _is_the_trashed_file(c, record)), None)
    if location is None:
        return refuse(_not_the_trashed_file(candidates[0], record) or "not found in the trash", "refused")
    try:
        freedesktop_trash.move_back(location, record.path)
    except FileExistsError:
        journal.note(record.id, "restore refused: a file exists at the original path")
        return refuse(f"a file now exists at {record.path}; not overwritten (the trashed copy stays at {location})")
    except OSError as error:
        return refuse(f"could not move it back: {error.strerror or error}", "failed")
    journal.finish(record.id, "restored", None, "restored")
    return RestoreOutcome(record.id, record.path, "restored")


def _is_the_trashed_file(path: str, record: TrashRecord) -> bool:
    return os.path.isfile(path) and _not_the_trashed_file(path, record) is None


def _not_the_trashed_file(location: str, record: TrashRecord) -> str | None:
    """Why the file in the trash is not the one the journal says was trashed, or None."""
    try:
        if os.path.getsize(location) != record.size:
            return f"the file at {location} is not the one photodedup trashed (size differs)"
        if record.content_hash and hash_file(location) != record.content_hash:
            return f"the file at {location} is not the one photodedup trashed (content differs)"
    except OSError as error:
        return f"cannot read {location}: {error.strerror or error}"
    return None
