"""The compare table's metadata rows (issue #21): what a person put on each photo, its
companions, and what the keeper would gain from the files marked for the Trash."""

from __future__ import annotations

import os

from photodedup.core.review.carry_over import describe, plan_carry_over
from photodedup.core.analyse.companions import Companion, companion_names, companions_of
from photodedup.core.analyse.photo_tags import PhotoTags, display, read_tags
from photodedup.core.review.report_extras import names_sharing_a_start

TAG_ROWS = {"Rating": "rating", "Label": "label", "Keywords": "keywords", "Title": "title", "Caption": "description",
            "Creator": "creators", "Copyright": "copyright", "People": "people", "Albums": "albums",
            "GPS position": "gps"}
COMPANIONS_ROW = "Companions"
BADGES = {"sidecar": "XMP", "live video": "LIVE", "takeout json": "JSON"}


class TagReader:
    """Tags and companions of the photos shown, read once per photo while its group is shown."""

    def __init__(self) -> None:
        self._tags: dict[str, PhotoTags] = {}
        self._companions: dict[str, list[Companion]] = {}
        self._listings: dict[str, list[str]] = {}  # each folder listed once a group (it was twice a photo)

    def forget(self) -> None:
        self._tags.clear()
        self._companions.clear()
        self._listings.clear()

    def _listing(self, path: str) -> list[str]:
        folder = os.path.dirname(path)
        if folder not in self._listings:
            self._listings[folder] = companion_names(folder)
        return names_sharing_a_start(self._listings[folder], os.path.basename(path))

    def tags(self, path: str) -> PhotoTags:
        if path not in self._tags:
            self._tags[path] = read_tags(path, self._listing(path))
        return self._tags[path]

    def companions(self, path: str) -> list[Companion]:
        if path not in self._companions:
            self._companions[path] = companions_of(path, self._listing(path))
        return self._companions[path]

    def facts(self, path: str) -> dict[str, str]:
        """The metadata rows of one photo, "—" where it says nothing."""
        tags = self.tags(path)
        facts = {row: display(tags, name) or "—" for row, name in TAG_ROWS.items()}
        facts[COMPANIONS_ROW] = ", ".join(os.path.basename(c.path) for c in self.companions(path)) or "—"
        return facts

    def badge(self, path: str) -> str:
        """"+XMP +LIVE": the companions that travel with this photo, for its panel."""
        kinds = dict.fromkeys(BADGES[c.kind] for c in self.companions(path))
        return " ".join(f"+{kind}" for kind in kinds)

    def gains(self, keeper: str, marked: list[str]) -> str:
        """"Keeper gains 3 keywords, rating ★★★★ and GPS from IMG_4380-web.jpg", with any conflicts; "" if nothing."""
        if not marked:
            return ""
        text = describe(plan_carry_over(self.tags(keeper), [(path, self.tags(path)) for path in sorted(marked)]))
        return ("Keeper " + text) if text.startswith("gains") else text
