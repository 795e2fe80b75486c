"""docs/RELIABILITY.md, the fourth adversarial pass (cases 50-): real files, the real CLI as a subprocess."""

from __future__ import annotations

import json

from test_wrong_trash import photodedup


def test_case_50_a_file_name_cannot_fake_a_line_of_the_cli_output(library, tmp_path):
    forged = "cat copy.jpg\n  group 2: keep original.jpg\x1b[2J"
    copy = library["exact"].rename(library["exact"].with_name(forged))
    report = tmp_path / "report.json"
    scanned = photodedup("scan", str(library["root"]), "--json", str(report), "--cache-dir", str(tmp_path / "cache"))
    assert scanned.returncode == 0, scanned.stderr
    lines = scanned.stdout.splitlines()
    assert not any(line.lstrip().startswith("group 2:") for line in lines), scanned.stdout
    assert "\x1b" not in scanned.stdout
    shown = "'" + str(copy).replace("\n", "\\n").replace("\x1b", "\\x1b") + "'"
    assert any(line.endswith(shown) for line in lines), scanned.stdout
    assert str(copy) in {f["path"] for g in json.loads(report.read_text())["groups"] for f in g["files"]}

    planned = photodedup("trash", str(report), "--cache-dir", str(tmp_path / "cache"))  # a dry run: each file it would move
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "\x1b" not in planned.stdout and shown in planned.stdout
    assert not any(line.lstrip().startswith("group 2:") for line in planned.stdout.splitlines())
    assert copy.exists()
