#!/usr/bin/env python3
"""How fast search by example answers against an already-scanned library.

    .venv/bin/python bench/search.py [--photos 10000]

Makes a library of small files with their rows in a fresh cache (random vectors: the search
reads the cache, it does not decode the library), then times `find_photos` for a real query
photo: once with the query analysed (model loaded), then again with the query cached, which
is the time after the query photo is decoded. Prints both, and the library walk's share.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=10_000)
    args = parser.parse_args()
    from photodedup.core.analyse.cache import Cache
    from photodedup.core.models import ImageFile, ImageInfo
    from photodedup.core.embed.embedder import default_model_id
    from photodedup.core.search import find_photos, library_from_cache

    with tempfile.TemporaryDirectory(prefix="photodedup-search-") as temporary:
        work = Path(temporary)
        library, cache_dir = work / "library", work / "cache"
        rng = np.random.default_rng(1)
        thumb = np.zeros((64, 64), np.uint8)
        with Cache(cache_dir, default_model_id()) as cache:
            for number in range(args.photos):
                folder = library / f"{number // 500:03d}"
                folder.mkdir(parents=True, exist_ok=True)
                path = folder / f"p{number:05d}.jpg"
                path.write_bytes(number.to_bytes(4, "little") * 64)
                status = path.stat()
                vector = rng.standard_normal(1280).astype(np.float32)
                vector /= np.linalg.norm(vector)
                file = ImageFile(str(path), status.st_size, status.st_mtime_ns, status.st_dev, status.st_ino)
                cache.store(ImageInfo(file, 640, 480, "JPEG", f"{number:032x}", vector), thumb)
            cache.commit()
        query = str(ROOT / "resources" / "samples" / "coffee.jpg")
        started = time.perf_counter()
        find_photos([query], [str(library)], cache_dir)
        first = time.perf_counter() - started
        started = time.perf_counter()
        result = find_photos([query], [str(library)], cache_dir)
        warm = time.perf_counter() - started
        started = time.perf_counter()
        library_from_cache([str(library)], cache_dir)
        walk = time.perf_counter() - started
    print(f"library {result.library_size:,} photos: first query {first:.2f} s (model loaded, query analysed); "
          f"query already analysed {warm:.2f} s, of which walk + cache read {walk:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
