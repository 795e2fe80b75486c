"""The group list with 20,000 groups: only what is on screen is asked for and loaded."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")

from photodedup.core.models import Group, GroupMember, ImageFile, ImageInfo  # noqa: E402
from photodedup.core.review.choices import Review  # noqa: E402
from photodedup.gui.group_list import PIXMAPS_KEPT, THUMB, GroupListModel, GroupListView  # noqa: E402
from photodedup.gui.image_loader import ImageLoader  # noqa: E402

GROUPS = 20_000


@pytest.fixture
def big_review(tmp_path):
    """20,000 groups of two; the keepers are 40 real photos (each keeps 500 groups' place in
    the list) so that thumbnails really load, the rest are paths that need not exist."""
    rng = np.random.default_rng(3)
    photos = []
    for n in range(40):
        path = tmp_path / f"keeper-{n:02d}.jpg"
        Image.fromarray(rng.integers(0, 256, (120, 160, 3), dtype=np.uint8)).save(path)
        photos.append(str(path))
    groups = []
    for g in range(GROUPS):
        keeper = photos[g % 40] if g < 40 else str(tmp_path / "missing" / f"k{g:05d}.jpg")
        members = [GroupMember(ImageInfo(ImageFile(keeper, 2000, g, 1, 2 * g), 160, 120, "JPEG", f"{g:032x}", None),
                               keeper=True),
                   GroupMember(ImageInfo(ImageFile(str(tmp_path / "copies" / f"c{g:05d}.jpg"), 1000 + g, g, 1,
                                                   2 * g + 1), 80, 60, "JPEG", f"{g:032x}", None))]
        groups.append(Group(members))
    return Review(groups), photos


def test_twenty_thousand_groups_ask_only_for_the_rows_on_screen(qtbot, big_review):
    review, photos = big_review
    loader = ImageLoader(capacity=100, threads=2)
    requested = []
    original_request = loader.request
    loader.request = lambda path, side, wanted=None: requested.append(path) or original_request(path, side, wanted)
    model = GroupListModel(loader)
    view = GroupListView(model)
    qtbot.addWidget(view)
    view.resize(300, 800)
    view.show()
    started = time.perf_counter()
    model.set_review(review)
    qtbot.wait(50)
    shown = time.perf_counter() - started
    assert model.rowCount() == GROUPS
    on_screen = len(set(requested))
    assert 3 <= on_screen <= 30, on_screen  # a screenful, not 20,000
    assert shown < 2.0  # generous for a shared machine; measured ~0.1 s

    # The photos on screen arrive and their rows are repainted with them.
    first_keeper = model.choice(0).keeper
    qtbot.waitUntil(lambda: loader.cached(first_keeper, THUMB * 2) is not None, timeout=5000)
    qtbot.wait(50)
    assert first_keeper in model._pixmaps

    # Scrolled end to end: the rows on screen are the ones wanted, and a bounded number of
    # pixmaps is kept however many rows were painted on the way.
    bar = view.verticalScrollBar()
    for value in range(0, bar.maximum() + bar.pageStep(), bar.pageStep() * 10):
        bar.setValue(value)
        qtbot.wait(1)
    bar.setValue(bar.maximum())
    qtbot.wait(100)
    assert model.choice(GROUPS - 1).keeper in model.visible_keepers
    assert model.choice(0).keeper not in model.visible_keepers and len(model.visible_keepers) < 40
    assert len(set(requested)) > 1000  # every page on the way was painted
    assert len(model._pixmaps) <= PIXMAPS_KEPT
    loader.shutdown()


def test_a_thumbnail_no_longer_wanted_when_its_turn_comes_is_not_loaded(qtbot, tmp_path):
    rng = np.random.default_rng(8)
    paths = []
    for n in range(60):
        paths.append(str(tmp_path / f"p{n:02d}.jpg"))
        Image.fromarray(rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)).save(paths[-1])
    loader = ImageLoader(capacity=100, threads=1)
    loaded = []
    loader.loaded.connect(lambda path, side, image: loaded.append(path))
    wanted = set(paths[:3])
    for path in paths:
        assert loader.request(path, 144, lambda path=path: path in wanted) is None
    qtbot.waitUntil(lambda: not loader._waiting, timeout=10000)
    assert sorted(loaded) == paths[:3]
    wanted.add(paths[40])  # scrolled back to it: asked again, it loads
    loader.request(paths[40], 144, lambda: paths[40] in wanted)
    qtbot.waitUntil(lambda: paths[40] in loaded, timeout=5000)
    assert loader.cached(paths[40], 144) is not None and loader.cached(paths[41], 144) is None
    loader.shutdown()


def test_a_thumbnail_repaints_every_row_it_is_the_keeper_of(qtbot, big_review):
    review, photos = big_review
    loader = ImageLoader(capacity=100, threads=2)
    model = GroupListModel(loader)
    model.set_review(review)
    changed = []
    model.repaint_rows.connect(changed.extend)
    relaid = []
    model.dataChanged.connect(lambda first, last: relaid.append(first.row()))  # a whole layout of the list
    keeper = photos[7]
    rows = [row for row in range(model.rowCount()) if model.choice(row).keeper == keeper]
    model._thumbnail_loaded(keeper, THUMB * 2, loader.cached(keeper, THUMB * 2) or None)
    assert sorted(changed) == rows and len(rows) == 1 and relaid == []
    changed.clear()
    model._thumbnail_loaded(keeper, 0, None)  # a full-size load of the same photo is not a thumbnail
    assert changed == []
    loader.shutdown()
