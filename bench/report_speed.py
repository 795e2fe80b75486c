#!/usr/bin/env python3
"""How long the review and the JSON report take for a big library, without scanning one.

    .venv/bin/python bench/report_speed.py [--groups 33000]

Makes groups of three files (99,000 files) in 110 real folders, one of them protected, then
times what every scan result goes through: the report's dict (the trash policy asked for
every file), its JSON text, and the review (marks suggested for every group).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=33_000)
    args = parser.parse_args()
    from photodedup.core.models import Group, GroupMember, ImageFile, ImageInfo, ScanResult
    from photodedup.core.review.policy import TrashPolicy
    from photodedup.core.review.report import json_text, result_to_dict
    from photodedup.core.review.choices import Review

    with tempfile.TemporaryDirectory(prefix="photodedup-report-") as temporary:
        root = Path(temporary)
        groups, number = [], 0
        for index in range(args.groups):
            folder = root / f"{index // 300:03d}"
            folder.mkdir(exist_ok=True)
            members = []
            for k in range(3):
                info = ImageInfo(ImageFile(str(folder / f"p{index}-{k}.jpg"), 1000 + k, 1, 1, number),
                                 4000, 3000, "JPEG", f"{number:032x}", None)
                number += 1
                members.append(GroupMember(info, keeper=k == 0))
            groups.append(Group(members))
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
    print(f"{number:,} files in {len(groups):,} groups: report {as_dict:.2f} s + JSON {as_json:.2f} s "
          f"({len(text) / 1e6:.0f} MB) = {as_dict + as_json:.2f} s; review {review:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
