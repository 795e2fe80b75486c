"""The same answer every time (issue #18, item 4): a cold scan (grey pictures from the scan's
scratch), a warm rescan (verdicts from the cache), a rescan after a crash (some verdicts cached,
the others checked from the files) and the copy check give the same groups, keepers and words.
The real model, the real cache, photos the test makes."""

from __future__ import annotations

import pytest
from conftest import sample, save
from PIL import Image

from photodedup.core.copy_check import CopyCheckOptions, find_copies
from photodedup.core.dedupe import ScanOptions, run_scan
from photodedup.core.match import grouping

# Copies with a patch of another photo blended in at these strengths: each sits where the pixel
# check's veto on replaced content turns, so a grey level of JPEG loss turned its verdict. Measured
# before the fix (verdict on the file's grey picture / on the scratch's): 0.1875 not a copy / a
# copy; 0.1777 a copy / not a copy.
BLENDS = {"cat_blend_1875.jpg": 0.1875, "cat_blend_1777.jpg": 0.177734}


@pytest.fixture
def made(tmp_path):
    """originals/ (a cat, a coffee) and copies/ (the cat with a patch blended in at BLENDS, the
    cat smaller and recompressed, the coffee brightened, and an unrelated photo)."""
    cat, coffee = sample("chelsea").resize((640, 427)), sample("coffee")
    originals, copies = tmp_path / "originals", tmp_path / "copies"
    save(cat, originals / "cat.jpg", quality=92)
    save(coffee.resize((640, 427)), originals / "coffee.jpg", quality=92)
    patch = coffee.resize((200, 150))
    for name, strength in BLENDS.items():
        blended = cat.copy()
        blended.paste(Image.blend(blended.crop((380, 40, 580, 190)), patch, strength), (380, 40))
        save(blended, copies / name, quality=90)
    save(cat.resize((480, 320)), copies / "cat_small.jpg", quality=70)
    save(Image.eval(coffee.resize((640, 427)), lambda v: min(255, int(v * 1.2))), copies / "coffee_bright.jpg", quality=85)
    save(sample("astronaut").resize((512, 512)), copies / "astronaut.jpg", quality=90)
    return originals, copies


def answer(result) -> list[tuple]:
    """Every group as the person sees it: kind, members in order, keeper, reason, distance, words."""
    return [(g.kind, g.note, [(m.path, m.keeper, m.reason, round(m.distance, 5), m.detail) for m in g.members])
            for g in result.groups]


class Crash(Exception):
    pass


def test_cold_warm_after_a_crash_and_the_copy_check_agree(made, tmp_path, embedder, monkeypatch):
    originals, copies = made
    roots = [str(originals), str(copies)]
    scan = lambda cache: run_scan(ScanOptions(roots, cache_dir=tmp_path / cache), embedder_factory=lambda: embedder)
    cold = scan("cache")  # every photo analysed now: the grey pictures come from the scratch
    warm = scan("cache")  # every verdict from the cache
    assert answer(warm) == answer(cold)

    # A crash during the first scan's pixel checks: the photos and the verdicts stored before it are
    # cached, the scratch is gone, so the rescan checks the other pairs from the files (all of them
    # when the crash came before the first verdict).
    compute = grouping._PairVerifier._compute
    for stored in (0, 2):
        done = []

        def crashing(verifier, pair, done=done, stored=stored):
            if len(done) >= stored:
                raise Crash
            done.append(pair)
            return compute(verifier, pair)

        monkeypatch.setattr(grouping._PairVerifier, "_compute", crashing)
        with pytest.raises(Crash):
            scan(f"crashed-{stored}")
        monkeypatch.undo()
        assert len(done) == stored
        assert answer(scan(f"crashed-{stored}")) == answer(cold), f"after a crash with {stored} verdicts stored"

    copies_of = {g.keeper.path: sorted(m.path for m in g.members if not m.keeper) for g in cold.groups if g.kind == "copies"}
    assert str(copies / "cat_small.jpg") in copies_of.get(str(originals / "cat.jpg"), [])

    # The copy check: the copies folder against the originals, pair by pair as the scan decided.
    checked = find_copies(CopyCheckOptions([str(originals)], [str(copies)], cache_dir=tmp_path / "check"),
                          embedder_factory=lambda: embedder)
    found = {entry.original.file.path: sorted(c.info.file.path for c in entry.copies) for entry in checked.originals}
    in_scan = {keeper: sorted(p for p in members if p.startswith(str(copies))) for keeper, members in copies_of.items()}
    assert {k: v for k, v in found.items() if v} == {k: v for k, v in in_scan.items() if v}
