"""The best-shot facts of a similar group's pictures, measured on all cores and remembered by content."""

from __future__ import annotations

import numpy as np
from conftest import sample

from photodedup.core.analyse.cache import Cache
from photodedup.core.match.measures import ShotFacts, measure_shot, shots_facts
from photodedup.core.models import ImageFile, ImageInfo


def test_shot_facts_are_measured_once_in_parallel_and_then_read_from_the_cache(tmp_path):
    greys = {f"/p/{n}.jpg": np.asarray(sample(name).convert("L")) for n, name in enumerate(("chelsea", "coffee", "astronaut"))}
    greys["/p/blurred.jpg"] = (greys["/p/0.jpg"].astype(np.float32) * 0 + greys["/p/0.jpg"].mean()).astype(np.uint8)
    infos = [ImageInfo(ImageFile(path, 1, 1, 1, n), 10, 10, "JPEG", f"hash-{n}") for n, path in enumerate(greys)]
    asked = []

    def grey(info):
        asked.append(info.file.path)
        return None if info.file.path == "/p/2.jpg" else greys[info.file.path]  # unreadable now

    with Cache(tmp_path, "m") as cache:
        facts = shots_facts(infos + infos[:1], grey, cache, workers=2)
        assert sorted(facts) == ["/p/0.jpg", "/p/1.jpg", "/p/blurred.jpg"] and len(asked) == 4
        assert facts["/p/0.jpg"] == ShotFacts.from_code(measure_shot(greys["/p/0.jpg"]).code())  # as the cache keeps it
        assert facts["/p/blurred.jpg"].sharpness < facts["/p/0.jpg"].sharpness
        asked.clear()
        again = shots_facts(infos, grey, cache)
        assert asked == ["/p/2.jpg"]  # only the one that could not be read is asked again
        assert again == facts  # measured now or read back: the same facts, so the same best shot and words
