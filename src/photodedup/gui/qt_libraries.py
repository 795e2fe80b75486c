"""Before Qt starts on Linux: name every system library its X11 (xcb) plugin lacks.

Qt's own message names only ``libxcb-cursor0`` and then aborts; a person needs the whole
list, as package names they can install at once.
"""

from __future__ import annotations

import ctypes
import os
import re
import subprocess
import sys
from pathlib import Path

DLOPENED = ("libxcb-cursor.so.0",)  # loaded by Qt at run time: ldd cannot see it


def package_name(library: str) -> str:
    """Debian/Ubuntu's package for a shared library: libxcb-icccm.so.4 → libxcb-icccm4."""
    match = re.match(r"(lib[\w+.-]*?)\.so\.(\d+)", library)
    if not match:
        return library
    stem, version = match.groups()
    return f"{stem}-{version}" if stem[-1].isdigit() else f"{stem}{version}"


def missing_xcb_libraries() -> list[str]:
    """Shared libraries the xcb platform plugin needs and this system lacks (empty elsewhere)."""
    if not sys.platform.startswith("linux"):
        return []
    try:
        import PySide6
    except ImportError:
        return []
    qt = Path(PySide6.__file__).parent / "Qt"
    plugin = qt / "plugins" / "platforms" / "libqxcb.so"
    missing: list[str] = []
    for binary in (plugin, qt / "lib" / "libQt6XcbQpa.so.6"):
        if not binary.exists():
            continue
        try:
            listing = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return []
        missing += [line.split()[0] for line in listing.splitlines() if "not found" in line]
    for library in DLOPENED:
        try:
            ctypes.CDLL(library)
        except OSError:
            missing.append(library)
    return sorted(set(missing))


def explain_missing(environ=os.environ) -> str | None:
    """A message for the terminal when the window can't open for lack of libraries, else None."""
    wanted = environ.get("QT_QPA_PLATFORM", "")
    if wanted and not wanted.startswith("xcb"):
        return None
    if not wanted and environ.get("WAYLAND_DISPLAY"):
        return None
    missing = missing_xcb_libraries()
    if not missing:
        return None
    packages = " ".join(package_name(m) for m in missing)
    return ("photodedup's window needs system libraries that are not installed: " + ", ".join(missing) + ".\n"
            f"On Debian or Ubuntu:  sudo apt-get install {packages}\n"
            "(The command line, `photodedup scan …`, works without them.)")
