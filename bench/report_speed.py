#!/usr/bin/env python3
"""How long the review and the JSON report take for a big library, without scanning one.

    .venv/bin/python bench/report_speed.py [--groups 33000] [--missing]

Makes groups of three real files (99,000 files) in 110 real folders, one of them protected: a
small JPEG with a camera's EXIF (make, model, date taken), its copy with the same bytes, and a
recompressed copy; one group in 20 has an XMP sidecar with a rating and keywords on a copy (so the
keeper gains something). Then times what every scan result goes through: the report's dict (the
trash policy asked for every file, each file's companions, what each keeper would gain from its
copies' tags), its JSON text, and the review (marks suggested for every group). ``--missing``:
the files are not written (what this script measured before: exiv2 asked about files that don't
exist, which is neither a real library's cost nor its answer).
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from pathlib import Path


def photo_bytes() -> tuple[bytes, bytes]:
    """(a 64×48 JPEG with EXIF, the same picture recompressed)."""
    from PIL import Image

    picture = Image.new("RGB", (64, 48), (120, 90, 60))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "Canon", "EOS 5D", "2019:07:14 10:11:12"
    first, second = io.BytesIO(), io.BytesIO()
    picture.save(first, "JPEG", quality=92, exif=exif)
    picture.save(second, "JPEG", quality=60, exif=exif)
    return first.getvalue(), second.getvalue()


SIDECAR = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmp:Rating="4"><dc:subject><rdf:Bag><rdf:li>holiday</rdf:li><rdf:li>beach</rdf:li></rdf:Bag></dc:subject>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def make_groups(root: Path, count: int, write: bool) -> list:
    from photodedup.core.analyse.exact import hash_bytes
    from photodedup.core.models import Group, GroupMember, ImageFile, ImageInfo

    original, recompressed = photo_bytes()
    hashes = {original: hash_bytes(original), recompressed: hash_bytes(recompressed)}
    groups, number = [], 0
    for index in range(count):
        folder = root / f"{index // 300:03d}"
        folder.mkdir(exist_ok=True)
        members = []
        for k, data in enumerate((original, original, recompressed)):
            path = folder / f"p{index}-{k}.jpg"
            if write:
                path.write_bytes(data)
            info = ImageInfo(ImageFile(str(path), len(data), 1, 1, number), 64, 48, "JPEG",
                             hashes[data] if write else f"{number:032x}", None)
            number += 1
            members.append(GroupMember(info, keeper=k == 0))
        if write and index % 20 == 0:
            Path(members[2].path + ".xmp").write_text(SIDECAR)
        groups.append(Group(members))
    return groups


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=33_000)
    parser.add_argument("--missing", action="store_true", help="do not write the files (the old measurement)")
    args = parser.parse_args()
    from photodedup.core.models import ScanResult
    from photodedup.core.review.choices import Review
    from photodedup.core.review.policy import TrashPolicy
    from photodedup.core.review.report import json_text, result_to_dict

    with tempfile.TemporaryDirectory(prefix="photodedup-report-") as temporary:
        root = Path(temporary)
        groups = make_groups(root, args.groups, not args.missing)
        policy = TrashPolicy(protected=(str(root / "000"),), roots=(str(root),))
        started = time.perf_counter()
        report = result_to_dict(ScanResult(groups=groups), {}, policy)
        as_dict = time.perf_counter() - started
        started = time.perf_counter()
        text = json_text(report)
        as_json = time.perf_counter() - started
        started = time.perf_counter()
        Review(groups, TrashPolicy(protected=(str(root / "000"),), roots=(str(root),)))
        review = time.perf_counter() - started
        gains = sum(1 for group in report["groups"] if group["keeper_gains"]["text"])
    files = sum(len(g.members) for g in groups)
    print(f"{files:,} files in {len(groups):,} groups: report {as_dict:.2f} s + JSON {as_json:.2f} s "
          f"({len(text) / 1e6:.0f} MB) = {as_dict + as_json:.2f} s; review {review:.2f} s; "
          f"{gains} keepers gain tags")
    return 0


if __name__ == "__main__":
    sys.exit(main())
