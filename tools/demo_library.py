"""A small, realistic-looking photo library for screenshots and trying the app by hand.

    .venv/bin/python tools/demo_library.py bench/corpus /tmp/demo-library

Takes the originals and some edited copies from a corpus made by bench/make_corpus.py and
lays them out as a person's folders: camera originals, web exports, downloads, a backup.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

# corpus edit name → where such a copy typically sits, and its name pattern
COPIES = [
    ("resize.jpg", "Exports/web", "{name}-web.jpg"),
    ("recompress.jpg", "Downloads", "{name} (1).jpg"),
    ("png.png", "Backup/old laptop", "{name}.png"),
    ("crop.jpg", "Exports/instagram", "{name}-square.jpg"),
    ("grayscale.jpg", "Exports/print", "{name}-bw.jpg"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    scenes = sorted(p for p in args.corpus.iterdir() if (p / "original.jpg").exists())
    for number, scene in enumerate(scenes):
        name = f"IMG_{4100 + number * 7:04d}"
        year = 2019 + number % 5
        target = args.out / "Pictures" / str(year) / f"{name}.jpg"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(scene / "original.jpg", target)
        for offset, (edit, folder, pattern) in enumerate(COPIES):
            if (number + offset) % 4 == 0 and (scene / edit).exists():
                copy = args.out / folder / pattern.format(name=name)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(scene / edit, copy)
    print(f"wrote {sum(1 for p in args.out.rglob('*') if p.is_file())} files under {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
