"""The scan result as the JSON and CSV files other tools read (README, "Command line": the report contract)."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from dataclasses import asdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from photodedup.core.analyse.scan import picture_kind, supported_extensions
from photodedup.core.models import ScanResult
from photodedup.core.review.policy import RAW_JPEG_PAIR, TrashPolicy
from photodedup.core.review.report_extras import add_companions_and_gains

REPORT_VERSION = 1
CSV_COLUMNS = ("group", "kind", "path", "keeper", "distance", "reason", "detail", "size", "width", "height", "format", "content_hash")


def human_bytes(count: float) -> str:
    """A byte count as people read it: 950 B, 4.2 MB, 1.3 GB (powers of 1000, as file managers show)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(count) < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"


def result_to_dict(result: ScanResult, settings: dict[str, Any] | None = None,
                   policy: TrashPolicy | None = None, marks: Sequence[set[str]] | None = None) -> dict[str, Any]:
    """The report. ``"keeper": false`` marks exactly what the review would mark: in a group of
    ``"kind": "copies"``, every file but the suggested keeper, except those ``policy`` keeps
    (protected, RAW + JPEG pairs, ...), which carry ``"kept_because"``; in a group of
    ``"kind": "similar"`` (different shots of one scene) nothing, and ``"note"`` says why the
    suggested keeper is the best shot. With ``marks`` (one set per group): what the person marked."""
    policy = policy or TrashPolicy()
    groups = []
    listings: dict[str, list[str]] = {}  # each folder listed once for companions
    for number, group in enumerate(result.groups):
        paths = [m.path for m in group.members]
        if marks is None:
            marked, kept_because = policy.suggested(group)
        else:
            kept_because = policy.kept_reasons(paths)
            marked = {p for p in marks[number] if p not in kept_because}
        files = []
        for member in group.members:
            info = member.info
            files.append(
                {
                    "path": os.path.abspath(info.file.path),
                    "keeper": member.path not in marked,
                    "marked": member.path in marked,  # for the Trash (the same as "keeper": false)
                    "suggested_keeper": member.keeper,
                    "kept_because": kept_because.get(member.path, ""),
                    "raw_jpeg_pair": kept_because.get(member.path) == RAW_JPEG_PAIR,
                    "distance": round(float(member.distance), 6),
                    "reason": member.reason,
                    "detail": member.detail,
                    "size": info.file.size,
                    "mtime_ns": info.file.mtime_ns,
                    "width": info.width,
                    "height": info.height,
                    "format": info.format,
                    "content_hash": info.content_hash,
                    "date_taken": info.metadata.date_taken,
                    "camera": info.metadata.camera,
                }
            )
        groups.append({"kind": group.kind, "note": group.note, "files": files,
                       "reclaimable_bytes": sum(f["size"] for f in files if not f["keeper"])})
        add_companions_and_gains(groups[-1], listings)
    return {
        "version": REPORT_VERSION,
        "groups": groups,
        "problems": [{"path": os.path.abspath(p.path), "reason": p.reason} for p in result.problems],
        "stats": asdict(result.stats),
        "settings": settings or {},
    }


def report_settings(policy: TrashPolicy, threshold: float, cache_dir: Path | str, excludes: Sequence[str] = (),
                    keeper_rules: Sequence[str] = (), follow_symlinks: bool = False) -> dict[str, Any]:
    """The "settings" of a report: what `photodedup trash` checks the report against later. A protected
    folder is written as typed and as it really was at the scan: a link to it pointed elsewhere later can't
    take the protection away from the files the scan saw protected."""
    protected = [form for folder in policy.protected for form in (folder, os.path.realpath(folder))]
    return {"threshold": threshold, "roots": list(policy.roots), "exclude": list(excludes),
            "protected": list(dict.fromkeys(protected)), "keeper_rules": list(keeper_rules),
            "raw_jpeg_duplicates": policy.raw_jpeg_pairs_are_duplicates, "follow_symlinks": follow_symlinks,
            "cache_dir": os.path.abspath(cache_dir)}


def json_text(report: dict[str, Any]) -> str:
    """JSON as people read it: one group a line (the C encoder: 100,000 files in well under a
    second, where indenting every file takes five times as long), UTF-8 names as they are; a file
    name that is not UTF-8 makes the whole text ASCII with escapes, written and read back exactly."""
    for ascii_only in (False, True):
        head = json.dumps({k: v for k, v in report.items() if k != "groups"}, indent=2, ensure_ascii=ascii_only)
        groups = ",\n    ".join(json.dumps(group, ensure_ascii=ascii_only) for group in report.get("groups", []))
        text = ("{\n" if head == "{}" else head[:-2] + ",\n") + f'  "groups": [\n    {groups}\n  ]\n}}\n'
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            continue
        return text
    return text


class ReportNotWritten(OSError):
    """A report could not be written where asked; the message says why, in words."""


def output_problem(path: Path) -> str | None:
    """Why a report must not be written at ``path``, or None.

    A report replaces only a text file (an earlier report): a photo, or any file whose first 4 KB hold a NUL byte
    (every JPEG, PNG, TIFF, HEIC and RAW has one in its header), is refused, so a mistyped ``--json photo.jpg`` never costs the photo. A folder is refused.
    A FIFO or a device (``/dev/null``, ``/dev/stdout``) is written through, never replaced by a regular file."""
    path = Path(path)
    try:
        status = os.stat(path)
    except FileNotFoundError:
        return None if os.path.isdir(os.path.dirname(os.path.realpath(path)) or ".") else (
            f"cannot write {path}: folder {os.path.dirname(os.path.realpath(path))} does not exist")
    except OSError as error:
        return f"cannot write {path}: {error.strerror or error}"
    if stat.S_ISDIR(status.st_mode):
        return f"cannot write {path}: it is a folder; give a file name"
    if not stat.S_ISREG(status.st_mode):
        return None
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as error:
        return f"cannot write {path}: {error.strerror or error}"
    if b"\0" in head or picture_kind(head, status.st_size, supported_extensions()):
        return f"will not replace {path}: it is not a text report (a photo or another binary file)"
    return None


def write_text_atomically(path: Path, text: str) -> None:
    """Write a report so that a reader never sees half of it: a temporary file beside the real target (a link is
    followed), then a rename. A FIFO or a device is written through; a photo or a folder is refused
    (:func:`output_problem`). Every failure is a :class:`ReportNotWritten` that says why."""
    path = Path(path)
    problem = output_problem(path)
    if problem:
        raise ReportNotWritten(problem)
    data = text.encode("utf-8", errors="surrogateescape")  # a non-UTF-8 name as its bytes
    target = Path(os.path.realpath(path))
    try:
        if target.exists() and not target.is_file():  # a FIFO nobody reads is an error, not a hang
            descriptor = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
            os.set_blocking(descriptor, True)
            with open(descriptor, "wb") as handle:
                handle.write(data)
            return
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            temporary.write_bytes(data)
            os.replace(temporary, target)
        finally:
            if temporary.exists():
                temporary.unlink()
    except OSError as error:
        raise ReportNotWritten(f"cannot write {path}: {error.strerror or error}") from error


def write_csv_atomically(path: Path, header: list[str], rows: list[list] | list[dict]) -> None:
    """A CSV report (rows as lists, or as dicts keyed by ``header``), written atomically."""
    buffer = io.StringIO()
    if rows and isinstance(rows[0], dict):
        writer = csv.DictWriter(buffer, fieldnames=header)
        writer.writeheader()
    else:
        writer = csv.writer(buffer)
        writer.writerow(header)
    writer.writerows(rows)
    write_text_atomically(path, buffer.getvalue())


def write_json(result: ScanResult, path: Path, settings: dict[str, Any] | None = None,
               policy: TrashPolicy | None = None, marks: Sequence[set[str]] | None = None) -> None:
    write_text_atomically(Path(path), json_text(result_to_dict(result, settings, policy, marks)))


def write_csv(result: ScanResult, path: Path, policy: TrashPolicy | None = None,
              marks: Sequence[set[str]] | None = None) -> None:
    rows = []
    for number, group in enumerate(result_to_dict(result, policy=policy, marks=marks)["groups"], start=1):
        for file in group["files"]:
            rows.append({"group": number, "kind": group["kind"],
                         **{k: file[k] for k in CSV_COLUMNS if k not in ("group", "kind")}})
    write_csv_atomically(path, list(CSV_COLUMNS), rows)
