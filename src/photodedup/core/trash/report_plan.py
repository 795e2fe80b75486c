"""A scan report read back as a plan for the safe trash, trusting none of it; and the check every
plan gets before the safe trash moves a copy (``witnessed``), the window's as well as a report's.

A report is a file anybody can edit. Before ``photodedup trash`` acts on one, every entry
must be well formed (absolute, normalised paths) and carry its content hash, the report
must name the folders that were scanned, and each file marked for the Trash must be a copy
of a file the plan keeps (a "witness", itself inside the scanned folders and not in a
trash): the same content hash, or pictures whose embeddings in *this user's* cache (never
one the report names) were written by a real scan of exactly these file contents, are
within the loosest similarity the app offers, and whose local features agree under one
sane geometric fit, measured now from the files. Each removed file becomes a group of its
own with its witnesses as keepers, so the safe trash's "a kept file is still there,
unchanged" check is about a file it really is a copy of.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from photodedup.core.analyse.cache import Cache, default_cache_dir
from photodedup.core.match.group import vector_distance
from photodedup.core.models import ImageFile, ImageInfo
from photodedup.core.embed.embedder import default_model_id
from photodedup.core.match.grouping import copy_verdict
from photodedup.core.copy_geometry import picture_shown
from photodedup.core.match.origin_format import keeper_and_format_facts
from photodedup.core.review.policy import TrashPolicy
from photodedup.core.review.witness import Look, first_witness_gap
from photodedup.core.trash.safe_trash import FileOutcome, ScannedFile, TrashGroup, changed_since_scan

MAX_DISTANCE = 0.80  # the loosest similarity the app offers (whatever the report claims)
MAX_REPORT_BYTES = 512 * 1024 * 1024
NO_RECORD = ("photodedup has no record that this is a copy of a file kept in its group "
             "(not in the cache at {cache}); scan again, then trash (with --cache-dir if the scan used one)")
LESSER_COPY = "kept, as {kept} can't stand for it: {why}; keep this one, or choose another copy to keep"
KEPT_GONE = "the file kept in its group, {name}, is not as the scan saw it ({why}); scan again"
NOT_A_COPY = ("kept: checked again before trashing, its picture differs from every file kept in its group, "
              "so it is not a copy of them; to part with it, move it to the Trash yourself")


@dataclass
class TrashPlan:
    """What a report asks for, checked: the groups to hand to the safe trash, the policy to
    hand with them, and the files refused already, each with the reason."""

    groups: list[TrashGroup] = field(default_factory=list)
    policy: TrashPolicy = field(default_factory=TrashPolicy)
    refused: list[FileOutcome] = field(default_factory=list)


def read_trash_plan(path: Path, protect: Sequence[str] = (), cache_dir: Path | None = None) -> TrashPlan:
    """The checked plan of a report written by ``photodedup scan --json``; raises ValueError
    with a readable message when the report is not one."""
    report = _load(Path(path))
    settings = report.get("settings")
    settings = settings if isinstance(settings, dict) else {}
    roots = settings.get("roots")
    if not isinstance(roots, list) or not roots or not all(_is_path(r) for r in roots):
        raise ValueError(f"{path} does not say which folders were scanned (written by an older photodedup?); "
                         "scan again to write a new report")
    protected = settings.get("protected", [])
    if not isinstance(protected, list) or not all(isinstance(p, str) and p and "\0" not in p for p in protected):
        raise ValueError(f"{path} names its protected folders in a way photodedup can't read; nothing was touched")
    # However a protected folder is spelled (a trailing "/", "..", "//"), it protects: as written and as it really is.
    protected_forms = [form for p in [*protected, *protect] for form in (os.path.abspath(p), os.path.realpath(p))]
    policy = TrashPolicy(tuple(dict.fromkeys(protected_forms)), tuple(roots), settings.get("raw_jpeg_duplicates") is True)
    groups = [_group(number, group, path) for number, group in enumerate(report["groups"], start=1)]
    return witnessed(groups, policy, Path(cache_dir) if cache_dir else default_cache_dir())


def _load(path: Path) -> dict:
    try:
        size = path.stat().st_size
        if size > MAX_REPORT_BYTES:
            raise ValueError(f"{path} is {size:,} bytes: too large for a scan report")
        report = json.loads(path.read_bytes().decode("utf-8", errors="surrogateescape"))
    except FileNotFoundError:
        raise ValueError(f"{path} does not exist") from None
    except IsADirectoryError:
        raise ValueError(f"{path} is a folder, not a report") from None
    except (OSError, ValueError, RecursionError) as error:
        if isinstance(error, ValueError) and str(error).startswith(str(path)):
            raise
        raise ValueError(f"{path} is not a readable JSON report ({type(error).__name__}: {error})"[:400]) from None
    if not isinstance(report, dict) or report.get("version") != 1 or not isinstance(report.get("groups"), list):
        raise ValueError(f"{path} is not a photodedup scan report (version 1)")
    return report


def _is_path(value: object) -> bool:
    """An absolute path in normal form: no "..", "." or "//" that could resolve elsewhere."""
    return (isinstance(value, str) and bool(value) and "\0" not in value and os.path.isabs(value)
            and os.path.normpath(value) == value)


def _count(value: object) -> bool:
    return type(value) is int and 0 <= value < 2**63


def _group(number: int, group: object, path: Path) -> TrashGroup:
    files = group.get("files") if isinstance(group, dict) else None
    if not isinstance(files, list):
        raise ValueError(f"group {number} of {path} is malformed (no list of files)")
    keep, remove = [], []
    for entry in files:
        if not isinstance(entry, dict) or not _is_path(entry.get("path")) or not _count(entry.get("size")) \
                or not _count(entry.get("mtime_ns")):
            raise ValueError(f"group {number} of {path} is malformed (a file without an absolute, normalised "
                             "path, a whole-number size and mtime_ns)")
        content_hash = entry.get("content_hash")
        if not isinstance(content_hash, str) or len(content_hash) < 16 or not _is_hex(content_hash):
            raise ValueError(f"group {number} of {path}: {entry['path']} has no content_hash; "
                             "every file must carry the hash the scan measured")
        file = ScannedFile(entry["path"], entry["size"], entry["mtime_ns"], content_hash)
        (remove if entry.get("keeper") is False else keep).append(file)
    return TrashGroup(keep, remove)


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def witnessed(groups: Sequence[TrashGroup], policy: TrashPolicy, cache_dir: Path,
              known: Mapping[str, ImageInfo] | None = None, max_distance: float = MAX_DISTANCE) -> TrashPlan:
    """Split each group of copies into one group per removed file, kept with its witnesses: the kept
    files it is a copy of (the same content, or the pixels agree now) and that can stand for it. What
    the scan learned of a file comes from ``known`` (the window's own scan) or else the cache. A group
    of similar shots (``copies`` False: different pictures, each marked by the person) passes as it is.
    ``max_distance``: how far apart the embeddings may be before the pixels are asked (a report's
    claim is checked only within the loosest similarity the app offers; the window's own groups,
    which hold copies the copy check found turned back or far by the embedding, ask the pixels always)."""
    plan = TrashPlan(policy=policy)
    known = known or {}
    with Cache(cache_dir, default_model_id()) as cache:
        for group in groups:
            if not group.remove:
                continue
            if not group.copies:
                plan.groups.append(group)
                continue
            if not group.keep:  # the safe trash refuses this, and says why
                plan.groups.append(group)
                continue
            keep, remove = [k.path for k in group.keep], [r.path for r in group.remove]
            stays = [k for k in group.keep if policy.why_not_a_kept_copy(k.path) is None]
            gone = [(k, why) for k in stays if (why := changed_since_scan(k)) is not None]
            stays = [k for k in stays if k not in {g for g, _ in gone}]
            for file in group.remove:
                changed = changed_since_scan(file)
                if changed is not None:  # refused here: back unchanged by the time of the move, it was never checked
                    plan.refused.append(FileOutcome(file.path, "skipped", changed, file.size))
                    continue
                reason = policy.why_not_trash(keep, remove, file.path)
                witnesses = [k for k in stays if k.content_hash == file.content_hash] if reason is None else []
                if not witnesses and reason is None:
                    witnesses, reason = _near_witnesses(cache, known, file, stays, max_distance)
                if not witnesses and gone and reason in (None, NOT_A_COPY):
                    reason = KEPT_GONE.format(name=os.path.basename(gone[0][0].path), why=gone[0][1])
                if witnesses:
                    plan.groups.append(TrashGroup(witnesses, [file]))
                else:
                    plan.refused.append(FileOutcome(file.path, "skipped",
                                                    reason or NO_RECORD.format(cache=cache.folder), file.size))
    return plan


def _near_witnesses(cache: Cache, known: Mapping[str, ImageInfo], file: ScannedFile, keep: list[ScannedFile],
                    max_distance: float = MAX_DISTANCE
                    ) -> tuple[list[ScannedFile], str | None]:
    """The kept files ``file`` is a copy of, confirmed by the pixels now, and that can stand for it
    (core/review/witness.py): a plan that keeps only a thumbnail, a crop, a grey copy, a GIF or a JPEG
    of a RAW or HEIC never trashes the file that holds more."""
    info = _info(cache, known, file)
    if info is None:
        return [], None
    infos = [(k, i) for k in keep if (i := _info(cache, known, k)) is not None]
    if not infos:
        return [], None
    close = [(k, i) for k, i in infos if vector_distance(info.vector, i.vector) <= max_distance]
    verdicts = [(k, i, copy_verdict(file.path, k.path)) for k, i in close]  # the pixels decide, as in a scan
    confirmed = [(k, i, v) for k, i, v in verdicts if v.copy]
    if not confirmed:
        return [], NOT_A_COPY
    shown = {id(i): picture_shown(file.path, k.path, v) for k, i, v in confirmed}
    witnesses, reason = first_witness_gap([i for _, i, _ in confirmed], info, _looks(cache),
                                          lambda kept: shown[id(kept)])
    if witnesses:
        return [k for k, i, _ in confirmed if i in witnesses], None
    return [], LESSER_COPY.format(kept=os.path.basename(confirmed[0][0].path), why=reason)


def _looks(cache: Cache):
    """Black and white, and at most 256 colours while not grey: the keeper's own measures of the file
    (origin_format.keeper_and_format_facts, one reduced decode, kept in the cache)."""

    def look(info: ImageInfo) -> Look:
        facts, formats = keeper_and_format_facts(info.file.path, info.content_hash, cache)
        return Look(facts.monochrome, formats.palette)

    return look


def _info(cache: Cache, known: Mapping[str, ImageInfo], file: ScannedFile) -> ImageInfo | None:
    """What the scan learned of exactly this file content: from ``known`` (the window's scan), else the cache."""
    info = known.get(file.path)
    if info is not None and info.content_hash == file.content_hash and info.vector is not None \
            and (info.file.size, info.file.mtime_ns) == (file.size, file.mtime_ns):
        return info
    return _cached_info(cache, file)


def _cached_info(cache: Cache, file: ScannedFile) -> ImageInfo | None:
    """What the scan learned of exactly this file content (with its embedding), or None."""
    try:
        info = cache.lookup(ImageFile(file.path, file.size, file.mtime_ns, 0, 0))
    except Exception:  # a damaged cache knows nothing; the file is then refused, never trusted
        return None
    if info is None or info.content_hash != file.content_hash or info.vector is None:
        return None
    return info
