"""The review's rules without Qt: what is marked, what the numbers add up to, what survives a rescan."""

from __future__ import annotations

from photodedup.core.models import Group, GroupMember
from photodedup.core.review.policy import TrashPolicy
from photodedup.core.review.choices import Review
from test_keeper import info


def group(*paths_and_sizes, keeper=0) -> Group:
    return Group([GroupMember(info(path, size=size), keeper=(n == keeper))
                  for n, (path, size) in enumerate(paths_and_sizes)])


def two_groups() -> list[Group]:
    return [group(("/lib/cat.jpg", 900), ("/lib/downloads/cat.jpg", 300), ("/lib/phone/cat.jpg", 200)),
            group(("/lib/dog.jpg", 800), ("/lib/downloads/dog.jpg", 500))]


def test_the_headline_counts_only_what_may_be_freed_and_the_list_follows_it():
    groups = [group(("/lib/originals/a.jpg", 900), ("/lib/originals/a2.jpg", 5000), ("/lib/a-web.jpg", 100)),
              *two_groups()]
    review = Review(groups, TrashPolicy(protected=("/lib/originals",)))
    # the protected copy (5000 bytes) is kept: the first group frees only its web copy
    assert [c.freeable_bytes for c in review.choices] == [500, 500, 100]
    assert review.freeable_bytes == 1100 == review.marked_bytes


def test_mark_and_unmark_all_and_by_folder():
    review = Review(two_groups())
    assert review.marked_count == 3
    assert review.mark_all(False) == 3 and review.marked_count == 0
    assert review.mark_all(True, folder="/lib/downloads") == 2
    assert {p for c in review.choices for p in c.marked} == {"/lib/downloads/cat.jpg", "/lib/downloads/dog.jpg"}
    assert review.mark_all(False, folder="/lib/downloads") == 2 and review.marked_count == 0
    assert review.folders() == ["/lib", "/lib/downloads", "/lib/phone"]


def test_choosing_the_original_in_the_copy_check_marks_nothing():
    review = Review(two_groups(), suggest_trash=False)
    choice = review.choices[0]
    review.set_keeper(choice, "/lib/phone/cat.jpg")
    review.set_keeper(choice, "/lib/cat.jpg")
    assert review.marked_count == 0


def test_decisions_survive_a_new_review_file_by_file():
    review = Review(two_groups())
    cat = review.choices[0]
    review.set_keeper(cat, "/lib/downloads/cat.jpg")
    review.toggle(cat, "/lib/cat.jpg")  # keep the original too
    decided = review.decisions()
    assert {path: state for path, (_, state) in decided.items()} == {
        "/lib/downloads/cat.jpg": "keeper", "/lib/cat.jpg": "kept"}  # the untouched group: nothing

    again = Review(two_groups())
    again.apply(decided)
    cat_again = next(c for c in again.choices if c.keeper.endswith("cat.jpg"))
    assert cat_again.keeper == "/lib/downloads/cat.jpg" and cat_again.marked == {"/lib/phone/cat.jpg"}
    assert next(c for c in again.choices if "dog" in c.keeper).marked == {"/lib/downloads/dog.jpg"}

    # A regroup that changes the group (the phone copy left it): the decisions still hold.
    smaller = Review([group(("/lib/cat.jpg", 900), ("/lib/downloads/cat.jpg", 300))])
    smaller.apply(decided)
    assert smaller.choices[0].keeper == "/lib/downloads/cat.jpg" and smaller.choices[0].marked == set()

    protected_now = Review(two_groups(), TrashPolicy(protected=("/lib/phone",)))
    protected_now.apply(decided)  # a decision never marks what the policy now keeps
    assert all("/lib/phone/cat.jpg" not in c.marked for c in protected_now.choices)


def test_choosing_another_keeper_leaves_the_other_choices_alone():
    review = Review([group(("/lib/colour.jpg", 900), ("/lib/bw.jpg", 800), ("/lib/small.jpg", 100))])
    choice = review.choices[0]
    review.toggle(choice, "/lib/bw.jpg")  # the person keeps the black-and-white copy too
    review.set_keeper(choice, "/lib/bw.jpg")
    assert choice.marked == {"/lib/small.jpg", "/lib/colour.jpg"}  # the old keeper was only a suggestion
    review.set_keeper(choice, "/lib/colour.jpg")
    assert choice.marked == {"/lib/small.jpg"}  # bw was kept on purpose: it stays kept


def test_a_mark_made_on_a_copy_does_not_follow_the_file_into_a_similar_shot_group():
    review = Review(two_groups())
    assert review.choices[1].keeper == "/lib/dog.jpg"
    review.toggle(review.choices[1], "/lib/downloads/dog.jpg")  # unmark, then mark again on purpose
    review.toggle(review.choices[1], "/lib/downloads/dog.jpg")
    decided = review.decisions()
    shots = group(("/lib/dog.jpg", 800), ("/lib/downloads/dog.jpg", 500))
    shots.kind = "similar"  # at a stricter setting: another shot, not a copy
    again = Review([shots])
    again.apply(decided)
    assert again.choices[0].marked == set()


def test_choosing_another_best_shot_marks_nothing():
    shots = group(("/lib/a.jpg", 800), ("/lib/b.jpg", 700), ("/lib/c.jpg", 600))
    shots.kind = "similar"
    review = Review([shots])
    choice = review.choices[0]
    review.set_keeper(choice, "/lib/b.jpg")
    assert choice.keeper == "/lib/b.jpg" and choice.marked == set()


def test_keeping_another_copy_marks_the_old_keeper_even_when_it_is_a_best_shot():
    copies = group(("/lib/cat.jpg", 900), ("/lib/downloads/cat.jpg", 300))
    similar = Group([GroupMember(info("/lib/cat.jpg", size=900), keeper=True),
                     GroupMember(info("/lib/cat-2.jpg", size=800))], kind="similar")
    review = Review([copies, similar])
    choice = next(c for c in review.choices if c.group.kind == "copies")
    review.set_keeper(choice, "/lib/downloads/cat.jpg")
    assert choice.marked == {"/lib/cat.jpg"}, "the best shot of a similar group may still go as a copy"
