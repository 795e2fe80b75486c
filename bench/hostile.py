"""Every hostile file kind at once: one scan over all of them, its time, peak memory and verdicts.

    python bench/hostile.py [--keep FOLDER]

Makes each kind of tests/reliability/hostile_corpus.py (EPS/PDF/PSD named .jpg, bombs, a
sparse 10 GB JPEG, a 100 MB PNG text chunk, ...) plus a FIFO and a device named .jpg and
a name that is not UTF-8, in a temporary folder; scans the folder once in a
child process (the real model, a fresh cache: run_scan, as `photodedup scan` runs it); prints the wall time, the child's peak RSS
(its own, from wait4) and, for each file, the problem listed (or that it was scanned).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "reliability"))

from hostile_corpus import make_hostile_folder, sample  # noqa: E402


def make_folder(folder: Path) -> list[str]:
    """Every hostile kind, the special files and two ordinary photos; the names made."""
    make_hostile_folder(folder)
    sample("chelsea").save(folder / "cat.jpg", quality=95)
    sample("chelsea").save(folder / os.fsdecode(b"caf\xff copy.jpg"), quality=60)
    try:
        os.mkfifo(folder / "pipe.jpg")
        os.mknod(folder / "null.jpg", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (OSError, AttributeError):  # not root, or no FIFOs here: those two are left out
        pass
    return sorted(os.listdir(folder))


# The child: a real scan (the real model, a fresh cache), its result as JSON with every name
# escaped (ensure_ascii: a name that is not UTF-8 comes back as the same surrogates).
CHILD = """
import json, sys
from pathlib import Path
from photodedup.core.dedupe import ScanOptions, run_scan
result = run_scan(ScanOptions([sys.argv[1]], cache_dir=Path(sys.argv[2])))
print(json.dumps({"problems": [{"path": p.path, "reason": p.reason} for p in result.problems],
                  "groups": [{"files": [{"path": m.path} for m in g.members]} for g in result.groups]}))
"""


def run_scan(folder: Path, work: Path) -> tuple[float, float, int, dict]:
    """One scan in a child process: (seconds, its own peak RSS in MB, exit status, its result)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    output = work / "result.json"
    # Started by _measure_child.py, a small process: a child forked from this one (which held the
    # 100 MB PNG it wrote) would count this process's memory in its own peak.
    script = work / "scan_child.py"
    script.write_text(CHILD.replace("print(json.dumps(", f"open({str(output)!r}, 'w').write(json.dumps("))
    measured = subprocess.run([sys.executable, str(ROOT / "bench" / "_measure_child.py"), sys.executable, str(script),
                               str(folder), str(work / "cache")], env=env, capture_output=True, text=True)
    seconds, peak_mb = json.loads(measured.stdout.strip().splitlines()[-1])
    data = json.loads(output.read_text()) if output.exists() else {}
    return seconds, peak_mb, measured.returncode, data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="make the files here and keep them")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="photodedup-hostile-"))
    folder = args.keep or work / "hostile"
    try:
        names = make_folder(folder)
        seconds, peak_mb, status, report = run_scan(folder, work)
        problems = {os.path.basename(p["path"]): p["reason"] for p in report.get("problems", [])}
        grouped = {os.path.basename(f["path"]) for g in report.get("groups", []) for f in g["files"]}
        print(f"{len(names)} files, one scan: exit {status}, {seconds:.1f} s, peak RSS {peak_mb:.0f} MB")
        for name in names:
            shown = name.encode("utf-8", "backslashreplace").decode()
            verdict = problems.get(name) or ("scanned, in a group" if name in grouped else "scanned")
            if name not in problems and not stat.S_ISREG(os.lstat(folder / name).st_mode):
                verdict = "not listed: the walk skips it silently (see the core/analyse/scan.py patch)"
            print(f"  {shown:32s} {verdict}")
        for name, reason in problems.items():
            if name not in names:
                print(f"  {name:32s} {reason}")
        return status
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
