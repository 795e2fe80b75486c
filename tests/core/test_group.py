"""Grouping with made-up vectors: no model needed."""

import numpy as np

from photodedup.core.match.group import find_clusters, find_pictures, make_group
from photodedup.core.match.turned import turned_candidates
from photodedup.core.match.index import VectorIndex
from photodedup.core.review.keeper import choose_keeper
from photodedup.core.models import ImageFile, ImageInfo


def unit(v):
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


def along(angle_degrees, dim=8):
    """Unit vectors on a circle: the angular distance follows the angle."""
    v = np.zeros(dim, np.float32)
    v[0], v[1] = np.cos(np.radians(angle_degrees)), np.sin(np.radians(angle_degrees))
    return v


def test_clusters_under_threshold_and_keeps_apart_the_rest(tmp_path):
    vectors = np.stack([along(0), along(5), along(90), along(93), along(200)])
    index = VectorIndex.build(vectors, tmp_path)
    clusters = find_clusters(vectors, index, threshold=0.2)  # 0.2 ≈ 11.5 degrees
    assert sorted(clusters) == [[0, 1], [2, 3]]


def test_no_chaining_of_a_b_c(tmp_path):
    # A~B (10°), B~C (10°) are under the threshold (11.5°), but A and C are 20° apart:
    # over the default spread of 1.6 × threshold (18.4°).
    vectors = np.stack([along(0), along(10), along(20)])
    clusters = find_clusters(vectors, VectorIndex.build(vectors), threshold=0.2)
    assert clusters == [[0, 1]] or clusters == [[1, 2]]


def test_spread_lets_two_edits_of_one_original_group(tmp_path):
    # A crop (-9°) and a rotation (+9°) of one original (0°): 18° apart, within the spread.
    vectors = np.stack([along(-9), along(0), along(9)])
    assert find_clusters(vectors, VectorIndex.build(vectors), threshold=0.2) == [[0, 1, 2]]
    assert len(find_clusters(vectors, VectorIndex.build(vectors), threshold=0.2, spread=0.2)) == 1


def test_verification_skips_pairs_already_in_one_group_and_matches_asking_one_by_one():
    # Ten edits of one original, 2° apart in a fan: 45 candidate pairs, all past ``sure``.
    # Nine confirmed pairs make the group; a pair whose photos are already grouped by then
    # is never verified, in waves (``prepare``) or not.
    vectors = np.stack([along(2 * n) for n in range(10)] + [along(90), along(92)])
    asked, prepared = [], []

    def verify(a, b):
        asked.append((a, b))
        return (a < 10) == (b < 10)

    def cluster(**hooks):
        asked.clear()
        return find_clusters(vectors, VectorIndex.build(vectors), threshold=0.5, spread=0.5, sure=0.01,
                             verify=verify, **hooks)

    one_by_one = cluster()
    asked_one_by_one = list(asked)
    in_waves = cluster(prepare=prepared.extend)
    assert in_waves == one_by_one == [list(range(10)), [10, 11]]
    assert asked == asked_one_by_one and len(asked) == 10  # 9 joins in the fan, 1 for the pair
    assert set(asked) <= set(prepared) and len(prepared) < 46  # never all 46 candidate pairs


def test_index_written_atomically_and_count_checked(tmp_path):
    vectors = np.stack([along(a) for a in range(0, 50, 5)])
    VectorIndex.build(vectors, tmp_path)
    assert (tmp_path / "vectors.ann").exists() and not list(tmp_path.glob(".vectors-*"))
    try:
        VectorIndex.load(tmp_path / "vectors.ann", 8, expected_count=11)
    except ValueError as error:
        assert "10 items" in str(error)
    else:
        raise AssertionError("an index whose item count disagrees must be refused")


def info(name, width, height, size, mtime_ns=0, content_hash=None, angle=0.0):
    return ImageInfo(ImageFile(f"/p/{name}", size, mtime_ns, 1, hash(name)), width, height, "JPEG",
                     content_hash or name, along(angle))


def test_keeper_prefers_pixels_then_size_then_age():
    assert choose_keeper([info("small", 100, 100, 9000), info("big", 200, 200, 10)]) == 1
    assert choose_keeper([info("a", 100, 100, 10), info("b", 100, 100, 20)]) == 1
    assert choose_keeper([info("new", 100, 100, 10, mtime_ns=5), info("old", 100, 100, 10, mtime_ns=1)]) == 1


def test_letterboxed_copy_does_not_win_by_its_padding():
    original = info("photo", 600, 400, 50_000)
    boxed = info("boxed", 600, 600, 60_000)
    boxed.content_fraction = 400 / 600
    assert choose_keeper([boxed, original]) == 1


def test_group_members_carry_distance_and_reason():
    members = [info("orig", 400, 300, 5000, angle=0), info("copy", 400, 300, 5000, content_hash="orig"),
               info("small", 200, 150, 900, angle=10)]
    group = make_group(members, choose_keeper(members))
    by_name = {m.path.rsplit("/", 1)[1]: m for m in group.members}
    assert sum(m.keeper for m in group.members) == 1
    keeper_name = group.keeper.path.rsplit("/", 1)[1]
    assert keeper_name in ("orig", "copy")
    other = "copy" if keeper_name == "orig" else "orig"
    assert by_name[other].reason == "exact" and by_name[other].distance == 0.0
    assert by_name["small"].reason == "near"
    assert abs(by_name["small"].distance - 2 * np.sin(np.radians(5))) < 1e-4
    assert group.reclaimable_bytes == 5900


def test_index_of_full_size_embeddings_proposes_each_copys_original_first(tmp_path):
    # Annoy holds a 256-d projection of 1280-d vectors; the neighbours it proposes must still
    # be the true nearest ones for copies (distance ~0.3 among unrelated vectors at ~1.4).
    rng = np.random.default_rng(7)
    originals = rng.standard_normal((400, 1280)).astype(np.float32)
    copies = originals[:100] + 0.15 * rng.standard_normal((100, 1280)).astype(np.float32)
    vectors = np.concatenate([originals, copies])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex.build(vectors, tmp_path)
    table = index.neighbour_table(4)
    assert [table[400 + n][0] for n in range(100)] == list(range(100))
    another = originals[5] + 0.15 * rng.standard_normal(1280).astype(np.float32)  # not in the index
    assert index.nearest_to(another / np.linalg.norm(another), 2) in ([5, 405], [405, 5])
    assert find_clusters(vectors, index, threshold=0.55) == [[n, 400 + n] for n in range(100)]


def test_library_vectors_are_the_photos_own_rows_never_copied_whole():
    from photodedup.core.match.neighbours import LibraryVectors

    infos = [info(f"{n}.jpg", 10, 10, 10, angle=n) for n in range(10)]
    for i in infos:  # what the cache gives back: float16 values, as float32
        i.vector = i.vector.astype(np.float16).astype(np.float32)
    vectors = LibraryVectors(infos, [9, 3, 5])
    expected = np.stack([infos[9].vector, infos[3].vector, infos[5].vector])
    assert len(vectors) == 3 and vectors.shape == expected.shape
    assert vectors[1] is infos[3].vector and vectors[-1] is infos[5].vector
    assert np.array_equal(vectors[0:2], expected[0:2]) and np.array_equal(np.asarray(vectors), expected)
    rows = np.array([[2, 0], [1, 1]])
    assert np.array_equal(vectors[rows], expected[rows])
    assert np.array_equal(vectors[np.array([], dtype=int)], expected[:0])


def test_candidate_pairs_of_a_big_library_are_kept_apart():
    from photodedup.core.match.group import _unique_pairs

    # With 100,000 photos, (42950, 1000) and (0, 33704) have keys equal modulo 2**32: in
    # 32-bit arithmetic one of the two pairs would vanish. Both are kept, each once.
    firsts = [np.array([42950, 0, 0], np.int32)]
    seconds = [np.array([1000, 33704, 33704], np.int32)]
    gaps = [np.array([0.2, 0.1, 0.1], np.float32)]
    first, second, distance = _unique_pairs(firsts, seconds, gaps, 100_000)
    assert list(zip(first, second)) == [(0, 33704), (42950, 1000)]
    assert _unique_pairs([], [], [], 10) == ([], [], [])


def test_a_copy_group_is_one_picture_a_file_close_to_two_never_joins_them():
    # 0 and 2 are two pictures; 1 is close to both and a confirmed copy of each one alone.
    # With seeds, 1 joins one picture and the other stays apart: nothing chains 0 to 2.
    vectors = np.stack([along(0), along(4), along(8)])
    copies = {(0, 1), (1, 2)}
    apart = []
    clusters = find_pictures(vectors, VectorIndex.build(vectors), verify=lambda a, b: (a, b) in copies,
                             seed_key=lambda row: row, threshold=0.5, apart=apart)
    assert clusters == [[0, 1]]
    assert [pair[:2] for pair in apart] == [(0, 2), (1, 2)]


def test_every_member_is_checked_against_the_seed_and_far_turned_copies_join_by_extra_pairs():
    vectors = np.stack([along(0), along(3), along(170)])  # 2: a turned copy the embedding puts far away
    asked = []

    def verify(a, b):
        asked.append((a, b))
        return True

    apart = []
    clusters = find_pictures(vectors, VectorIndex.build(vectors), verify=verify, seed_key=lambda row: row,
                             threshold=0.3, extra_pairs=[(2, 0)], apart=apart)
    assert clusters == [[0, 1, 2]]
    assert sorted(asked) == [(0, 1), (0, 2)], "each file is checked once, against the seed, row 0"
    assert apart == []


def test_turned_candidates_find_turned_and_mirrored_thumbnails_only():
    rng = np.random.default_rng(1)
    picture = rng.integers(0, 255, (32, 32)).astype(np.uint8)
    other = rng.integers(0, 255, (32, 32)).astype(np.uint8)
    thumbs = np.stack([picture, np.rot90(picture), picture[:, ::-1], other, np.full((32, 32), 90, np.uint8)])
    aspects = np.array([1.5, 1 / 1.5, 1.5, 1.5, 1.5])
    assert turned_candidates(thumbs, aspects) == [(0, 1), (0, 2), (1, 2)]
    wrong_shape = np.array([1.5, 1.5, 1.5, 1.5, 1.5])  # a 90° turn must swap the aspect ratio
    assert (0, 1) not in turned_candidates(thumbs, wrong_shape)


def test_candidate_pairs_come_in_the_order_sorted_gives_them():
    """group._in_order sorts with numpy (the interpreter's lock let go) in exactly the order the
    sort by (distance, pair), or by pair, gave: ties in distance included."""
    from photodedup.core.match.group import _in_order

    rng = np.random.default_rng(3)
    firsts = rng.integers(0, 500, 20_000)
    pairs = zip(firsts.tolist(), (firsts + rng.integers(1, 50, 20_000)).tolist())
    candidates = {pair: float(gap) for pair, gap in zip(pairs, rng.integers(0, 40, 20_000) / 64)}
    assert list(_in_order(candidates, by_distance=True)) == sorted(candidates, key=lambda p: (candidates[p], p))
    assert list(_in_order(candidates, by_distance=False)) == sorted(candidates)
    assert list(_in_order({}, by_distance=True)) == []
