"""docs/RELIABILITY.md and tests/reliability/ stay mapped: every case has a test named for it,
and no test names a case the document does not have."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_reliability_case_has_a_test_and_every_case_test_a_case():
    document = (ROOT / "docs" / "RELIABILITY.md").read_text(encoding="utf-8")
    cases = {int(n) for n in re.findall(r"^(\d+)\. \*\*", document, flags=re.MULTILINE)}
    assert cases == set(range(1, max(cases) + 1)), "cases are numbered 1..N without gaps"
    tested = set()
    for path in (ROOT / "tests" / "reliability").glob("test_*.py"):
        tested |= {int(n) for n in re.findall(r"^def test_case_(\d+)_", path.read_text(encoding="utf-8"), re.MULTILINE)}
    assert sorted(cases - tested) == [], "cases without a test"
    assert sorted(tested - cases) == [], "tests naming a case the document does not have"
