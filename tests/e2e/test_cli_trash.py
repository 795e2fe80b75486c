"""photodedup scan → trash (dry run, then --apply) → history → restore, as subprocesses,
with the real model and the real trash in the tests' temporary XDG_DATA_HOME."""

from __future__ import annotations

import json
import os

from test_cli import photodedup


def test_scan_then_trash_then_restore(library, tmp_path):
    report = tmp_path / "report.json"
    done = photodedup("scan", str(library["root"]), "--json", str(report), "--cache-dir", str(tmp_path / "cache"), "--quiet")
    cache = ("--cache-dir", str(tmp_path / "cache"))  # trash reads the cache it is told, never the report's
    assert done.returncode == 0, done.stderr
    (group,) = json.loads(report.read_text())["groups"]
    copies = [f["path"] for f in group["files"] if not f["keeper"]]
    keeper = next(f["path"] for f in group["files"] if f["keeper"])
    assert len(copies) == 3

    dry = photodedup("trash", str(report), *cache)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "Would move to the trash: 3 files" in dry.stdout and "Nothing was touched" in dry.stdout
    assert all(os.path.exists(p) for p in copies)

    applied = photodedup("trash", str(report), "--apply", *cache)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "Moved to the trash: 3 files" in applied.stdout
    assert not any(os.path.exists(p) for p in copies) and os.path.exists(keeper)
    trash_files = os.path.join(os.environ["XDG_DATA_HOME"], "Trash", "files")
    assert len(os.listdir(trash_files)) == 3

    history = photodedup("history")
    assert history.returncode == 0 and all(p in history.stdout for p in copies) and "in trash:" in history.stdout

    again = photodedup("trash", str(report), "--apply", *cache)  # the copies are gone now: reported, nothing else happens
    assert again.returncode == 1 and again.stdout.count("gone") == 3 and os.path.exists(keeper)

    restored = photodedup("restore", "--last")
    assert restored.returncode == 0, restored.stdout
    assert all(os.path.exists(p) for p in copies) and os.listdir(trash_files) == []
    assert "No trashed files to restore" in photodedup("history").stdout


def test_trash_refuses_a_group_with_every_file_marked(library, tmp_path):
    report = tmp_path / "report.json"
    photodedup("scan", str(library["root"]), "--json", str(report), "--cache-dir", str(tmp_path / "cache"), "--quiet")
    data = json.loads(report.read_text())
    for file in data["groups"][0]["files"]:
        file["keeper"] = False
    report.write_text(json.dumps(data))
    done = photodedup("trash", str(report), "--apply")
    assert done.returncode == 1
    assert done.stdout.count("at least one must stay") == 4
    assert all(os.path.exists(f["path"]) for f in data["groups"][0]["files"])


def test_trash_with_a_bad_report_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    done = photodedup("trash", str(bad))
    assert done.returncode == 2 and "not a readable JSON report" in done.stderr
    done = photodedup("trash", str(tmp_path / "missing.json"))
    assert done.returncode == 2 and "does not exist" in done.stderr
    done = photodedup("restore")
    assert done.returncode == 2 and "--last" in done.stderr
