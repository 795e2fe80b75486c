"""The review of a scan's groups is built on the worker thread (gui/prepared_review.py), and the
window never shows one built from what it no longer says; the summary's numbers in one walk."""

from __future__ import annotations

import os
import threading

from conftest import sample, save, scan_and_wait

from photodedup.core.models import Group, GroupMember, ImageFile, ImageInfo
from photodedup.core.review import choices as choices_module
from photodedup.core.review.choices import Review
from photodedup.core.review.policy import TrashPolicy
from photodedup.gui.results_page import summary_numbers


def record_review_threads(monkeypatch) -> list[tuple[int, bool]]:
    """(groups, built on the main thread?) for every Review built from now on."""
    built: list[tuple[int, bool]] = []
    original = choices_module.Review.__init__

    def init(self, groups, *args, **kwargs):
        built.append((len(groups), threading.current_thread() is threading.main_thread()))
        original(self, groups, *args, **kwargs)

    monkeypatch.setattr(choices_module.Review, "__init__", init)
    return built


def test_the_scans_review_is_built_on_the_worker(qtbot, make_window, library, monkeypatch):
    save(sample("coffee"), library["root"] / "phone" / "coffee_q40.jpg", quality=40)
    built = record_review_threads(monkeypatch)
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    reviews = [on_main for groups, on_main in built if groups]
    assert reviews == [False], built  # once, off the main thread; never again on it
    assert len(window.review.choices) == 2 and "2 groups · 4 copies" in window.results_page.summary.text()
    assert window.results_page.current_choice() is window.review.choices[0]  # the biggest saving first


def test_a_mark_changed_while_regrouping_is_kept(qtbot, make_window, library, monkeypatch):
    """The person unmarks a copy while the regroup runs: the review built on the worker (without that)
    is not used; the window builds it again with the new decision."""
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    page.select_row(0)
    choice = window.review.choices[0]
    unmarked = sorted(choice.marked)[0]
    release, started = threading.Event(), threading.Event()
    regroup = window.session.regroup

    def slow_regroup(*args, **kwargs):
        started.set()
        release.wait(30)
        return regroup(*args, **kwargs)

    monkeypatch.setattr(window.session, "regroup", slow_regroup)
    built = record_review_threads(monkeypatch)
    window.regroup(page.threshold())
    qtbot.waitUntil(started.is_set)
    window.review.toggle(choice, unmarked)  # as a click would, while the worker waits
    release.set()
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=30000)
    again = next(c for c in window.review.choices if unmarked in {m.path for m in c.members})
    assert unmarked not in again.marked and again.marked, again.marked
    assert [on_main for groups, on_main in built if groups] == [False, True]  # the worker's, then the window's


def test_a_regroup_with_nothing_changed_uses_the_workers_review(qtbot, make_window, library, monkeypatch):
    window = make_window([str(library["root"])])
    scan_and_wait(qtbot, window)
    page = window.results_page
    page.select_row(0)
    kept = sorted(window.review.choices[0].marked)[0]
    page.toggle(kept)  # a decision made before the regroup is carried by the worker's review
    built = record_review_threads(monkeypatch)
    window.regroup(page.threshold())
    qtbot.waitUntil(lambda: not window.controller.busy, timeout=30000)
    assert [on_main for groups, on_main in built if groups] == [False]
    assert all(kept not in c.marked for c in window.review.choices)


def member(path: str, size: int, number: int) -> GroupMember:
    return GroupMember(ImageInfo(ImageFile(path, size, 1, 1, number), 640, 480, "JPEG", f"{number:032x}", None))


def test_summary_numbers_are_the_reviews_own(tmp_path):
    protected = tmp_path / "originals"
    groups, number = [], 0
    for index in range(60):
        folder = protected if index % 7 == 0 else tmp_path / f"f{index % 5}"
        members = []
        for k in range(2 + index % 3):
            members.append(member(os.path.join(folder, f"p{index}-{k}.jpg"), 1000 * (index + 1) + k, number))
            number += 1
        members[0].keeper = True
        groups.append(Group(members, kind="similar" if index % 4 == 0 else "copies"))
    policy = TrashPolicy(protected=(str(protected),), roots=(str(tmp_path),))
    review = Review(groups, policy)
    review.toggle(review.choices[3], sorted(review.choices[3].marked)[0])  # the person's own marks count too
    copies = sum(1 for c in review.choices if c.group.kind == "copies"
                 for m in c.members if m.path != c.keeper and m.path not in c.kept)
    similar = sum(1 for c in review.choices if c.group.kind == "similar")
    assert summary_numbers(review) == (similar, copies, review.freeable_bytes, review.marked_count, review.marked_bytes)
    assert review.marked_count and similar and review.freeable_bytes != review.marked_bytes
    check = Review(groups, policy, suggest_trash=False)  # the copy check: every file but the original
    assert summary_numbers(check)[1] == sum(len(c.members) - 1 for c in check.choices)
    assert summary_numbers(check)[3] == 0
