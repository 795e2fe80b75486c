"""The scan result as the JSON and CSV files other tools read (DESIGN.md, Contracts)."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from photodedup.core.keeper import raw_jpeg_partners
from photodedup.core.models import ScanResult

REPORT_VERSION = 1
CSV_COLUMNS = ("group", "path", "keeper", "distance", "reason", "detail", "size", "width", "height", "format", "content_hash")


def human_bytes(count: float) -> str:
    """A byte count as people read it: 950 B, 4.2 MB, 1.3 GB (powers of 1000, as file managers show)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(count) < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} TB"


def result_to_dict(result: ScanResult, settings: dict[str, Any] | None = None,
                   raw_jpeg_pairs_are_duplicates: bool = False) -> dict[str, Any]:
    """The report. A RAW + JPEG pair's files are both marked "keeper" (neither is suggested
    for trash against the other) unless ``raw_jpeg_pairs_are_duplicates``."""
    groups = []
    for group in result.groups:
        files = []
        partners = set() if raw_jpeg_pairs_are_duplicates else raw_jpeg_partners(group)
        for member in group.members:
            info = member.info
            files.append(
                {
                    "path": os.path.abspath(info.file.path),
                    "keeper": member.keeper or member.path in partners,
                    "raw_jpeg_pair": member.path in partners,
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
        groups.append({"files": files, "reclaimable_bytes": sum(f["size"] for f in files if not f["keeper"])})
    return {
        "version": REPORT_VERSION,
        "groups": groups,
        "problems": [{"path": os.path.abspath(p.path), "reason": p.reason} for p in result.problems],
        "stats": asdict(result.stats),
        "settings": settings or {},
    }


def write_text_atomically(path: Path, text: str) -> None:
    """Write a report so that a reader never sees half of it: a temporary file, then a rename."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


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
               raw_jpeg_pairs_are_duplicates: bool = False) -> None:
    report = result_to_dict(result, settings, raw_jpeg_pairs_are_duplicates)
    write_text_atomically(Path(path), json.dumps(report, indent=2, ensure_ascii=False) + "\n")


def write_csv(result: ScanResult, path: Path) -> None:
    rows = []
    for number, group in enumerate(result_to_dict(result)["groups"], start=1):
        for file in group["files"]:
            rows.append({"group": number, **{k: file[k] for k in CSV_COLUMNS if k != "group"}})
    write_csv_atomically(path, list(CSV_COLUMNS), rows)
