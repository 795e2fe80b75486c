"""Install the launcher for the current user: the .desktop file, the icons, the AppStream metainfo.

``photodedup install-desktop`` after ``pip install``/``pipx install``: photodedup then appears
in the desktop's application menu and can be started by a click.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

APP_ID = "io.github.photodedup.photodedup"


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def gui_command() -> str:
    """The photodedup-gui launcher beside this interpreter (a venv's or pipx's bin), else by name."""
    folder = Path(sys.executable).parent
    for name in ("photodedup-gui", "photodedup-gui.exe"):
        if (folder / name).exists():
            return str(folder / name)
    return "photodedup-gui"


def install(target: Path | None = None) -> list[Path]:
    """Write the launcher files under ``target`` (default: the user's data folder); returns them."""
    from photodedup.core.resources import resources_dir

    resources = resources_dir()
    target = target or data_home()
    written = []
    desktop = (resources / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    command = gui_command()
    if " " in command:
        command = f'"{command}"'
    desktop = desktop.replace("Exec=photodedup-gui", f"Exec={command}")
    applications = target / "applications"
    applications.mkdir(parents=True, exist_ok=True)
    (applications / f"{APP_ID}.desktop").write_text(desktop, encoding="utf-8")
    written.append(applications / f"{APP_ID}.desktop")
    icons = target / "icons" / "hicolor"
    scalable = icons / "scalable" / "apps"
    scalable.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(resources / "icons" / "photodedup.svg", scalable / f"{APP_ID}.svg")
    written.append(scalable / f"{APP_ID}.svg")
    for png in sorted((resources / "icons").glob("photodedup-*.png")):
        size = png.stem.split("-")[-1]
        folder = icons / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, folder / f"{APP_ID}.png")
        written.append(folder / f"{APP_ID}.png")
    metainfo = target / "metainfo"
    metainfo.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(resources / f"{APP_ID}.metainfo.xml", metainfo / f"{APP_ID}.metainfo.xml")
    written.append(metainfo / f"{APP_ID}.metainfo.xml")
    return written
