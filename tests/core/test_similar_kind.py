"""Groups of similar shots: nothing is marked for the Trash, and every reader agrees."""

import numpy as np

from photodedup.core.match.measures import ShotFacts, best_shot, measure_shot
from photodedup.core.models import Group, GroupMember, ImageFile, ImageInfo, ScanResult
from photodedup.core.review.policy import TrashPolicy
from photodedup.core.review.report import result_to_dict
from photodedup.core.review.choices import Review


def info(path):
    return ImageInfo(ImageFile(path, 1000, 1, 1, hash(path) % 10**6), 4000, 3000, "JPEG", f"h-{path}",
                     np.ones(8, np.float32) / np.sqrt(8))


def test_nothing_is_marked_in_a_group_of_similar_shots():
    group = Group([GroupMember(info("/p/a.jpg"), keeper=True), GroupMember(info("/p/b.jpg"))], kind="similar",
                  note="best shot: sharper")
    policy = TrashPolicy(roots=("/p",))
    assert policy.default_marks(["/p/a.jpg", "/p/b.jpg"], "/p/a.jpg", "similar") == set()
    assert policy.default_marks(["/p/a.jpg", "/p/b.jpg"], "/p/a.jpg") == {"/p/b.jpg"}
    choice, = Review([group]).choices
    assert choice.marked == set()
    report = result_to_dict(ScanResult(groups=[group]))["groups"][0]
    assert report["kind"] == "similar" and report["note"] == "best shot: sharper"
    assert all(f["keeper"] for f in report["files"]) and report["reclaimable_bytes"] == 0
    assert group.reclaimable_bytes == 0
    # The person may still choose: marking one shot is allowed, never both.
    review = Review([group])
    assert review.toggle(review.choices[0], "/p/b.jpg") is None
    assert review.toggle(review.choices[0], "/p/a.jpg") is not None


def test_the_best_shot_is_the_sharper_and_says_so():
    rng = np.random.default_rng(0)
    sharp = rng.integers(0, 255, (64, 64)).astype(np.uint8)
    blurred = ((sharp[:-1, :-1].astype(int) + sharp[1:, 1:] + sharp[:-1, 1:] + sharp[1:, :-1]) // 4).astype(np.uint8)
    facts = {"/p/sharp.jpg": measure_shot(sharp), "/p/soft.jpg": measure_shot(blurred)}
    best, why = best_shot(facts)
    assert best == "/p/sharp.jpg" and "sharper" in why
    assert ShotFacts.from_code(facts["/p/soft.jpg"].code()).sharpness == round(facts["/p/soft.jpg"].sharpness, 1)


def test_a_much_smaller_shot_is_not_the_best_however_sharp_per_pixel():
    facts = {"/p/full.jpg": ShotFacts(10.0, 0.0, 1.0), "/p/thumb.jpg": ShotFacts(40.0, 0.0, 1.0)}
    assert best_shot(facts, {"/p/full.jpg": 4000 * 3000, "/p/thumb.jpg": 320 * 240})[0] == "/p/full.jpg"
    assert best_shot(facts)[0] == "/p/thumb.jpg"
