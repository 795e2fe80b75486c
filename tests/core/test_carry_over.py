"""Metadata read from file and sidecar, what the keeper gains, and the carry-over into its sidecar:
on real photos whose metadata libexiv2 wrote."""

from __future__ import annotations

from pathlib import Path

from metadata_files import photo, write_metadata

from photodedup.core.review.carry_over import describe, describe_gains, plan_carry_over
from photodedup.core.analyse.exact import hash_file
from photodedup.core.analyse.photo_tags import PhotoTags, read_sidecar_tags, read_tags
from photodedup.core.trash.safe_trash import ScannedFile, TrashGroup, restore, trash_groups

EVERYTHING = {
    "Xmp.xmp.Rating": "4", "Xmp.xmp.Label": "Red", "Xmp.dc.subject": ["beach", "family", "2019"],
    "Xmp.dc.title": 'lang="x-default" Sunset', "Xmp.dc.description": 'lang="x-default" Us at the beach',
    "Xmp.dc.rights": 'lang="x-default" (c) Ann', "Xmp.iptcExt.PersonInImage": ["Ann", "Bob"],
    "Xmp.xmpDM.album": "Holidays", "Xmp.dc.creator": "Ann Smith", "Xmp.exif.GPSLatitude": "51,30.5N", "Xmp.exif.GPSLongitude": "0,7.5W",
    "Xmp.exif.DateTimeOriginal": "2019-07-14T18:30:00",
}


def as_scanned(path: Path) -> ScannedFile:
    status = path.stat()
    return ScannedFile(str(path), status.st_size, status.st_mtime_ns, hash_file(str(path)))


def test_every_field_is_read_from_exif_iptc_xmp_and_the_sidecar(tmp_path):
    image = write_metadata(photo(tmp_path / "a.jpg"), iptc={"Iptc.Application2.Keywords": ["cat", "sofa"],
                                                           "Iptc.Application2.Byline": "Ann"},
                           exif={"Exif.GPSInfo.GPSLatitudeRef": "S", "Exif.GPSInfo.GPSLatitude": "33/1 52/1 0/1",
                                 "Exif.GPSInfo.GPSLongitudeRef": "E", "Exif.GPSInfo.GPSLongitude": "151/1 12/1 36/1",
                                 "Exif.Photo.DateTimeOriginal": "2018:01:02 03:04:05"})
    write_metadata(tmp_path / "a.jpg.xmp", {"Xmp.xmp.Rating": "5", "Xmp.dc.subject": ["cat", "pet"]}, sidecar=True)
    tags = read_tags(str(image))
    assert tags.rating == 5 and tags.keywords == ["cat", "pet", "sofa"] and tags.creators == ["Ann"]
    assert tags.gps == (-33.866667, 151.21) and tags.date_taken == "2018-01-02 03:04:05"
    full = read_sidecar_tags(str(write_metadata(tmp_path / "b.xmp", EVERYTHING, sidecar=True)))
    assert full == PhotoTags(4, "Red", ["beach", "family", "2019"], "Sunset", "Us at the beach", ["Ann Smith"], "(c) Ann",
                             ["Ann", "Bob"], (51.508333, -0.125), "2019-07-14 18:30:00", ["Holidays"])


def test_the_gain_is_said_in_words_and_conflicts_are_reported():
    keeper = PhotoTags(rating=2, keywords=["cat"], label="Blue")
    copy = PhotoTags(rating=4, keywords=["cat", "sofa", "home", "pet"], label="Red", gps=(1.0, 2.0))
    plan = plan_carry_over(keeper, [("/p/IMG_4380-web.jpg", copy)])
    assert describe_gains(plan) == "gains 3 keywords, rating ★★★★ and GPS from IMG_4380-web.jpg"
    assert plan.conflicts == ["label: the keeper's “Blue” stays; IMG_4380-web.jpg has “Red”"]
    two = plan_carry_over(PhotoTags(), [("/p/a.jpg", PhotoTags(date_taken="2019-01-01 00:00:00")),
                                        ("/p/b.jpg", PhotoTags(date_taken="2020-01-01 00:00:00"))])
    assert two.gains.date_taken == "" and "the copies disagree" in describe(two)
    joined = plan_carry_over(PhotoTags(description="Mine"), [("/p/a.jpg", PhotoTags(description="Theirs"))])
    assert joined.gains.description == "Mine\n\nTheirs"


def test_every_field_is_carried_into_the_keepers_new_sidecar_never_its_bytes(tmp_path):
    keeper = photo(tmp_path / "keep" / "IMG_1.jpg")
    copy = write_metadata(photo(tmp_path / "copies" / "IMG_1-web.jpg", 70), EVERYTHING)
    keeper_bytes = keeper.read_bytes()
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=True)
    assert outcome.status == "trashed" and outcome.carried.startswith("IMG_1.jpg.xmp: gains 3 keywords")
    assert keeper.read_bytes() == keeper_bytes
    carried = read_sidecar_tags(str(tmp_path / "keep" / "IMG_1.jpg.xmp"))
    assert carried.keywords == ["beach", "family", "2019"] and carried.rating == 4 and carried.label == "Red"
    assert carried.people == ["Ann", "Bob"] and carried.gps == (51.508333, -0.125) and carried.albums == ["Holidays"]
    assert (carried.title, carried.description, carried.copyright) == ("Sunset", "Us at the beach", "(c) Ann")
    assert carried.creators == ["Ann Smith"]
    assert carried.date_taken == "2019-07-14 18:30:00"
    results = restore(last=True)
    assert [r.status for r in results] == ["restored", "restored"]
    assert not (tmp_path / "keep" / "IMG_1.jpg.xmp").exists() and copy.exists()


def test_an_existing_lightroom_sidecar_is_merged_into_and_put_back_byte_for_byte(tmp_path):
    keeper = photo(tmp_path / "IMG_1.jpg")
    sidecar = write_metadata(tmp_path / "IMG_1.xmp", {"Xmp.dc.subject": ["mine"], "Xmp.xmp.Rating": "5",
                                                      "Xmp.xmp.Label": "Blue"}, sidecar=True)
    before = sidecar.read_bytes()
    copy = write_metadata(photo(tmp_path / "other" / "IMG_9.jpg", 70),
                          {"Xmp.dc.subject": ["mine", "theirs"], "Xmp.xmp.Rating": "3", "Xmp.xmp.Label": "Red"})
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=True)
    assert "IMG_1.xmp: gains 1 keyword from IMG_9.jpg" in outcome.carried
    assert "label: the keeper's “Blue” stays; IMG_9.jpg has “Red”" in outcome.carried
    merged = read_sidecar_tags(str(sidecar))
    assert merged.keywords == ["mine", "theirs"] and merged.rating == 5 and merged.label == "Blue"
    assert not (tmp_path / "IMG_1.jpg.xmp").exists()  # the folder's convention is NAME.xmp
    restore([outcome.record_id])
    assert sidecar.read_bytes() == before


def test_a_dry_run_says_what_would_be_carried_and_writes_nothing(tmp_path):
    keeper = photo(tmp_path / "a.jpg")
    copy = write_metadata(photo(tmp_path / "b.jpg", 70), {"Xmp.xmp.Rating": "3"})
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=True, dry_run=True)
    assert outcome.carried == "would write to a.jpg.xmp: gains rating ★★★ from b.jpg"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jpg", "b.jpg"]


def test_a_sidecar_edited_after_the_carry_over_is_not_overwritten_by_restore(tmp_path):
    keeper = photo(tmp_path / "a.jpg")
    copy = write_metadata(photo(tmp_path / "b.jpg", 70), {"Xmp.xmp.Rating": "3"})
    outcome, = trash_groups([TrashGroup([as_scanned(keeper)], [as_scanned(copy)])], carry_over=True)
    sidecar = tmp_path / "a.jpg.xmp"
    write_metadata(sidecar, {"Xmp.xmp.Label": "Green"}, sidecar=True)
    edited = sidecar.read_bytes()
    results = restore(last=True)
    assert results[0].status == "restored" and results[1].status == "refused" and "changed since" in results[1].reason
    assert sidecar.read_bytes() == edited
