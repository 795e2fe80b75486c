"""The session (core/session.py) that the command line and the desktop app both drive: a scan,
a regroup, a trash and its undo, on real photos with the real model, cache and trash."""

from __future__ import annotations

import os

import pytest

from photodedup.core.analyse import read as reading
from photodedup.core.review.choices import Review
from photodedup.core.session import Session
from photodedup.core.settings import Options


def test_scan_regroup_trash_and_restore_through_one_session(library, tmp_path, embedder, monkeypatch):
    root = str(library["root"])
    session = Session(Options(folders=[root]), tmp_path / "cache", embedder_factory=lambda: embedder)
    scanned = session.scan()
    assert [len(g.members) for g in scanned.groups] == [4] and session.library is scanned.library
    assert scanned.as_result().stats.files_found == 6

    monkeypatch.setattr(reading, "read_and_decode", lambda f: (_ for _ in ()).throw(AssertionError("decoded")))
    again = session.regroup(0.3)  # from the library: no photo is read again
    assert again.library is scanned.library and [len(g.members) for g in again.groups] == [4]
    monkeypatch.undo()

    review = Review(session.regroup(session.options.threshold).groups, session.trash_policy())
    (choice,) = review.choices
    marked = sorted(choice.marked)
    assert len(marked) == 3 and not session.can_undo()
    outcomes = session.trash(review.trash_plan())
    assert sorted(o.path for o in outcomes if o.status == "trashed") == marked
    assert not any(os.path.exists(p) for p in marked)
    assert not {i.file.path for i in session.library.infos} & set(marked)  # the library forgot them
    assert session.can_undo() and [r.path for r in session.history()] != []

    restored = session.restore(last=True)
    assert sorted(o.path for o in restored if o.status == "restored") == marked
    assert all(os.path.exists(p) for p in marked) and not session.can_undo()
    assert set(session.restored_hashes(restored)) == set(marked)


def test_a_regroup_before_any_scan_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="scan first"):
        Session(cache_dir=tmp_path).regroup(0.3)


def test_the_copy_check_needs_originals_and_somewhere_else_to_look(tmp_path):
    mine, other = str(tmp_path / "mine"), str(tmp_path / "other")
    assert Session(Options(folders=[mine, other])).copy_check_options() is None  # nothing ticked as originals
    assert Session(Options(folders=[mine], protected=[mine])).copy_check_options() is None  # nowhere to look
    check = Session(Options(folders=[mine, other], protected=[mine]), tmp_path).copy_check_options(0.3)
    assert (list(check.originals), list(check.look_in), check.threshold) == ([mine], [other], 0.3)


def test_copies_the_copy_check_found_turned_go_to_the_trash_beside_their_original(tmp_path, embedder):
    """The window's trash asks the pixels of every copy (case 51): a copy the copy check found turned in
    its pixels is confirmed a copy of the original kept, and goes."""
    from conftest import sample, save
    from PIL import Image

    from photodedup.core.copy_check import as_groups
    from photodedup.core.trash.safe_trash import trash_group_for

    mine, other = tmp_path / "mine", tmp_path / "other"
    cat = sample("chelsea")
    save(cat, mine / "cat.jpg", quality=95)
    turned = save(cat.transpose(Image.Transpose.ROTATE_90), other / "cat turned.jpg", quality=90)
    save(sample("coffee"), mine / "coffee.jpg", quality=95)
    session = Session(Options(folders=[str(mine), str(other)], protected=[str(mine)]), tmp_path / "cache",
                      embedder_factory=lambda: embedder)
    found = session.copy_check(session.copy_check_options())
    (group,) = as_groups(found.result)
    assert {m.path for m in group.members} == {str(mine / "cat.jpg"), str(turned)}
    outcome, = session.trash([trash_group_for(group, {str(turned)})])
    assert outcome.status == "trashed", outcome
    assert not turned.exists() and (mine / "cat.jpg").exists()
