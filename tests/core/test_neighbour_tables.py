"""Saved neighbour tables (issue 22): a rescan reads the table and asks no index; after a few photos
changed, came or went, only those rows (and the rows that listed a photo now gone) are asked, and
the table is the one a cold build makes. The real Annoy index, real files."""

from __future__ import annotations

import numpy as np

from photodedup.core.match import neighbour_tables
from photodedup.core.match.neighbour_tables import NeighbourTables, row_ids

WIDTH = 16


def clustered(count: int, seed: int) -> np.ndarray:
    """Unit vectors in clusters of 4 (a photo and its copies), 1280 numbers each, as float16."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(count // 4 + 1, 1280))
    vectors = centres.repeat(4, axis=0)[:count] + 0.3 * rng.normal(size=(count, 1280))
    return (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float16)


def as_sets(table: np.ndarray) -> list[set[int]]:
    return [set(row[row >= 0].tolist()) for row in table]


def test_a_rescan_reads_the_saved_table_and_asks_nothing(tmp_path):
    vectors = clustered(120, 1)
    hashes = [f"h{n}" for n in range(120)]
    first = NeighbourTables(tmp_path, row_ids(hashes, "model"), "model")
    table = first.table(vectors, "", WIDTH)
    assert first.asked == 120
    again = NeighbourTables(tmp_path, row_ids(hashes, "model"), "model")
    assert np.array_equal(again.table(vectors, "", WIDTH), table) and again.asked == 0
    assert sorted(p.name.split(".", 1)[1] for p in tmp_path.iterdir()) == ["ids.npy", f"nbrs{WIDTH}.npy"]
    assert not list(tmp_path.glob("*.ann")), "the index itself is not kept"
    other_model = NeighbourTables(tmp_path, row_ids(hashes, "another model"), "another model")
    other_model.table(vectors, "", WIDTH)
    assert other_model.asked == 120, "another model's vectors never reuse a table"


def test_a_tampered_table_is_made_again(tmp_path):
    vectors = clustered(120, 2)
    tables = NeighbourTables(tmp_path, row_ids([f"h{n}" for n in range(120)], "model"), "model")
    table = tables.table(vectors, "", WIDTH)
    (saved,) = tmp_path.glob(f"*.nbrs{WIDTH}.npy")
    np.save(saved, np.random.default_rng(0).permutation(table))  # rows of other photos
    again = NeighbourTables(tmp_path, tables.ids, "model")
    assert as_sets(again.table(vectors, "", WIDTH)) == as_sets(table) and again.asked == 120


def test_after_a_few_changes_only_their_rows_are_asked_and_the_table_is_a_cold_ones(tmp_path, monkeypatch):
    vectors = clustered(120, 3)
    hashes = [f"h{n}" for n in range(120)]
    NeighbourTables(tmp_path / "warm", row_ids(hashes, "model"), "model").table(vectors, "", WIDTH)
    rng = np.random.default_rng(4)
    changed = clustered(120, 5)
    for row in (7, 30, 31, 90):  # re-encoded: new bytes, a vector close to the old one
        hashes[row] = f"h{row}-changed"
        moved = vectors[row].astype(np.float32) + 0.05 * rng.normal(size=1280)
        vectors[row] = moved / np.linalg.norm(moved)
    keep = [row for row in range(120) if row not in (3, 64)]  # two deleted
    hashes = [hashes[row] for row in keep] + ["new-a", "new-b", "new-c"]  # three added, one a copy of row 10
    vectors = np.concatenate([vectors[keep], changed[:2], vectors[10:11]]).astype(np.float16)
    updates = []
    original = neighbour_tables.updated_table
    monkeypatch.setattr(neighbour_tables, "updated_table", lambda *a, **k: updates.append(1) or original(*a, **k))
    incremental = NeighbourTables(tmp_path / "warm", row_ids(hashes, "model"), "model")
    table = incremental.table(vectors, "", WIDTH)
    # the 7 new rows, and those that listed one of the 6 gone (most, in so small a library)
    assert updates == [1] and 7 <= incremental.asked < 120
    cold = NeighbourTables(tmp_path / "cold", row_ids(hashes, "model"), "model").table(vectors, "", WIDTH)
    assert as_sets(table) == as_sets(cold)
    assert len(hashes) - 1 in as_sets(table)[keep.index(10)], "the new copy is among its original's nearest"


def test_a_table_is_written_atomically(tmp_path, monkeypatch):
    vectors = clustered(60, 6)
    tables = NeighbourTables(tmp_path, row_ids([f"h{n}" for n in range(60)], "model"), "model")
    table = tables.table(vectors, "", WIDTH)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def crash(source, destination):
        raise OSError("power cut")

    monkeypatch.setattr(neighbour_tables.os, "replace", crash)
    changed = vectors.copy()
    changed[0] = changed[1]
    again = NeighbourTables(tmp_path, row_ids(["other"] + [f"h{n}" for n in range(1, 60)], "model"), "model")
    assert again.table(changed, "", WIDTH).shape == table.shape  # made, only not kept
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before, "nothing half-written, nothing lost"


def test_the_thumbnails_pairs_after_a_change_are_a_cold_searchs(tmp_path):
    from test_turned import library

    from photodedup.core.match.turned import TurnedSearch

    def search(folder, thumbs, aspects, hashes):
        tables = NeighbourTables(folder, row_ids(hashes, "model"), "model")
        turned = TurnedSearch(thumbs, aspects, lambda d, k: tables.table(d, "-turned", k), exact_up_to=64)
        reused = []
        pairs = turned.pairs(known=lambda: reused.append(tables.previous_found("-turned")) or reused[0])
        tables.save_found("-turned", *turned.found)
        return pairs, reused

    thumbs, aspects, planted = library(600)
    hashes = [f"h{n}" for n in range(600)]
    first, _ = search(tmp_path / "warm", thumbs, aspects, hashes)
    assert set(planted) <= set(first)
    rng = np.random.default_rng(9)
    for row in (100, 101, 333):  # new pictures
        thumbs[row] = rng.integers(0, 255, (32, 32))
        hashes[row] = f"h{row}-new"
    thumbs[250] = np.rot90(thumbs[400])  # a turned copy of another photo
    aspects[250], hashes[250] = 1 / aspects[400], "h250-turned"
    updated, reused = search(tmp_path / "warm", thumbs, aspects, hashes)
    assert reused[0] is not None and 0 < reused[0][3].sum() < 300, "most rows keep what they found"
    cold, _ = search(tmp_path / "cold", thumbs, aspects, hashes)
    assert updated == cold and (250, 400) in updated


def close_pairs_of(tables, vectors, threshold, asked_log):
    """group._close_pairs through close_pairs.py, noting which rows each compute was asked for."""
    from photodedup.core.match.close_pairs import close_pairs
    from photodedup.core.match.group import _pairs_within
    from photodedup.core.progress import NULL_PROGRESS

    table = tables.table(vectors, "", WIDTH)

    def compute(rows=None):
        asked_log.append(len(vectors) if rows is None else len(rows))
        return _pairs_within(vectors, table, threshold, NULL_PROGRESS, rows)

    return table, close_pairs(tables, vectors, table, threshold, compute)


def test_close_pairs_are_saved_and_after_a_change_only_relisted_rows_are_computed(tmp_path):
    vectors = clustered(400, 6).astype(np.float32)
    hashes = [f"h{n}" for n in range(400)]
    asked: list[int] = []
    _, first = close_pairs_of(NeighbourTables(tmp_path, row_ids(hashes, "model"), "model"), vectors, 0.9, asked)
    assert asked == [400] and len(first[0]) > 100
    _, again = close_pairs_of(NeighbourTables(tmp_path, row_ids(hashes, "model"), "model"), vectors, 0.9, asked)
    assert asked == [400] and again == first, "a rescan reads the saved pairs"
    (saved,) = tmp_path.glob("*.close-*.npy")
    pairs = np.load(saved)
    pairs["distance"] = pairs["distance"][::-1].copy()  # tampered: not the vectors' distances
    np.save(saved, pairs)
    _, tampered = close_pairs_of(NeighbourTables(tmp_path, row_ids(hashes, "model"), "model"), vectors, 0.9, asked)
    assert asked == [400, 400] and tampered == first

    rng = np.random.default_rng(7)
    for row in (5, 77, 78, 300):  # re-encoded
        hashes[row] = f"h{row}-changed"
        moved = vectors[row] + 0.05 * rng.normal(size=1280).astype(np.float32)
        vectors[row] = moved / np.linalg.norm(moved)
    keep = [row for row in range(400) if row not in (12, 200)]
    hashes = [hashes[row] for row in keep] + ["new-a", "new-b"]
    vectors = np.concatenate([vectors[keep], clustered(2, 8).astype(np.float32), ]).astype(np.float32)
    vectors[-1] = vectors[keep.index(40)]  # a copy of a photo still there
    updated = NeighbourTables(tmp_path, row_ids(hashes, "model"), "model")
    table, incremental = close_pairs_of(updated, vectors, 0.9, asked)
    assert 6 <= asked[-1] < 400, "only the rows whose list changed are computed"
    from photodedup.core.match.group import _pairs_within
    from photodedup.core.progress import NULL_PROGRESS

    assert incremental == _pairs_within(vectors, table, 0.9, NULL_PROGRESS), "what every row's computation gives"
    assert (keep.index(40), len(hashes) - 1) in set(zip(*incremental[:2]))
