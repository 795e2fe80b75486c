"""The real command line, run as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def photodedup(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "photodedup", *args], capture_output=True, text=True, timeout=timeout)


def test_scan_writes_a_valid_json_report_and_summary(library, tmp_path):
    report = tmp_path / "report.json"
    table = tmp_path / "report.csv"
    (library["root"] / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    done = photodedup("scan", str(library["root"]), "--json", str(report), "--csv", str(table),
                      "--cache-dir", str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    assert "1 groups of duplicates: 3 copies" in done.stdout
    data = json.loads(report.read_text())
    assert data["version"] == 1
    (group,) = data["groups"]
    assert sum(f["keeper"] for f in group["files"]) == 1
    for file in group["files"]:
        assert os.path.isabs(file["path"]) and os.path.exists(file["path"])
        assert file["reason"] in ("exact", "near")
        assert isinstance(file["distance"], float) and file["width"] > 0 and file["height"] > 0
        assert file["size"] == os.path.getsize(file["path"])
    assert {os.path.basename(f["path"]) for f in group["files"]} == {"cat.jpg", "cat copy.jpg", "cat_q45.jpg", "cat_small.jpg"}
    assert [os.path.basename(p["path"]) for p in data["problems"]] == ["broken.jpg"]
    assert data["stats"]["files_found"] == 7
    assert len(table.read_text().strip().splitlines()) == 5


def test_missing_root_is_a_clear_error_with_exit_2(tmp_path):
    done = photodedup("scan", str(tmp_path / "no-such-folder"))
    assert done.returncode == 2
    assert "no-such-folder does not exist" in done.stderr


def test_bad_threshold_exit_2(tmp_path):
    done = photodedup("scan", str(tmp_path), "--threshold", "banana")
    assert done.returncode == 2 and "not a number" in done.stderr


def test_help_lists_commands():
    done = photodedup("--help")
    assert done.returncode == 0 and "scan" in done.stdout and "selftest" in done.stdout
