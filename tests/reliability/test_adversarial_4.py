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


def _scanned_session(tmp_path, embedder, protected=()):
    from photodedup.core.session import Session
    from photodedup.core.settings import Options

    root = tmp_path / "photos"
    session = Session(Options(folders=[str(root)], protected=[str(p) for p in protected]), tmp_path / "cache",
                      embedder_factory=lambda: embedder)
    return session, session.scan()


def _plan(session, keep, remove, copies=True):
    from photodedup.core.trash.safe_trash import scanned
    from photodedup.core.trash.types import TrashGroup

    infos = {i.file.path: i for i in session.library.infos}
    return [TrashGroup([scanned(infos[str(k)]) for k in keep], [scanned(infos[str(r)]) for r in remove], copies)]


def test_case_51_the_window_trashes_a_copy_only_beside_a_kept_file_that_can_stand_for_it(tmp_path, embedder):
    from conftest import sample, save
    from PIL import Image

    cat = sample("chelsea")
    root = tmp_path / "photos"
    original = save(cat, root / "cat.jpg", quality=95)
    grey = save(cat.convert("L"), root / "edits" / "cat grey.jpg", quality=95)
    gif = save(cat.quantize(256), root / "edits" / "cat.gif")
    quarter = save(cat.resize((cat.width // 4, cat.height // 4)), root / "protected" / "cat small.jpg", quality=90)
    w, h = int(cat.width * 0.84), int(cat.height * 0.84)  # 70% of the picture, scaled back to the original's size
    crop = save(cat.crop((20, 15, 20 + w, 15 + h)).resize(cat.size, Image.LANCZOS), root / "edits" / "crop.jpg",
                quality=95)
    coffee = save(sample("coffee"), root / "coffee.jpg", quality=92)
    session, scanned = _scanned_session(tmp_path, embedder, protected=[root / "protected"])
    (group,) = [g for g in scanned.groups if g.kind == "copies"]
    assert {m.path for m in group.members} >= {str(original), str(quarter)}
    assert group.keeper.path == str(quarter)  # the protected copy is kept first...
    marked, kept = session.trash_policy().suggested(group)
    assert str(original) not in marked and "more of the picture" in kept[str(original)]  # ...so the original stays

    for keep, reason in ((quarter, "more of the picture"), (grey, "black and white"), (gif, "256 colours"),
                         (crop, "shows 7"), (coffee, "not a copy")):
        outcome, = session.trash(_plan(session, [keep], [original]))
        assert outcome.status == "skipped" and reason in outcome.reason, (keep.name, outcome)
        assert original.exists()
    trashed, = session.trash(_plan(session, [original], [grey]))  # a grey copy beside its colour original goes
    assert trashed.status == "trashed" and not grey.exists()


def test_case_51_a_similar_shot_the_person_marks_still_goes(tmp_path, embedder):
    from conftest import sample, save

    root = tmp_path / "photos"
    first = save(sample("chelsea"), root / "a.jpg", quality=95)
    other = save(sample("coffee"), root / "b.jpg", quality=95)
    session, _ = _scanned_session(tmp_path, embedder)
    outcome, = session.trash(_plan(session, [first], [other], copies=False))  # the person's choice among shots
    assert outcome.status == "trashed" and not other.exists()
