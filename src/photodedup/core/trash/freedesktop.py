"""Finding and restoring files in the freedesktop.org trash (Linux and the BSDs).

The trash spec: a trash folder holds ``files/NAME`` and ``info/NAME.trashinfo``, the
latter saying where the file came from (``Path=``, URL-encoded; relative to the
volume's top folder for a volume's own trash) and when (``DeletionDate=``).
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

INFO_SUFFIX = ".trashinfo"
SUPPORTED = sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))


@dataclass(frozen=True)
class TrashedFile:
    """A file in a trash folder and the .trashinfo that says where it came from."""

    file: str
    info: str
    original: str


def data_home() -> str:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset."""
    return os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")


def home_trash() -> Path:
    return Path(data_home()) / "Trash"


def is_trash_folder_name(name: str) -> bool:
    """A volume's trash folder (``.Trash``, ``.Trash-1000``) or Windows' recycle bin."""
    return name in (".Trash", "$RECYCLE.BIN", "$Recycle.Bin") or name.startswith(".Trash-")


def is_trash_path(path: str) -> bool:
    """Whether ``path`` (a real path) is or lies in a trash folder: the home trash, a volume's
    ``.Trash-UID``, or any folder named ``Trash`` laid out as one (``files/`` and ``info/``:
    a snap's or a flatpak's own trash, another user's)."""
    home = os.path.join(os.path.realpath(home_trash()), "")
    if os.path.join(path, "").startswith(home):
        return True
    parts = Path(path).parts
    for depth, part in enumerate(parts):
        if is_trash_folder_name(part):
            return True
        if part == "Trash":
            folder = Path(*parts[: depth + 1])
            if (folder / "files").is_dir() and (folder / "info").is_dir():
                return True
    return False


def _mount_point(path: str) -> str:
    path = os.path.realpath(path)
    while not os.path.ismount(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def trash_folders_for(original: str) -> list[tuple[Path, str | None]]:
    """The trash folders a file from ``original`` may have gone to, with their top folder."""
    # The home trash's Path= may be relative to $XDG_DATA_HOME (send2trash writes it so).
    folders: list[tuple[Path, str | None]] = [(home_trash(), data_home())]
    top = _mount_point(os.path.dirname(os.path.abspath(original)) or "/")
    uid = str(os.getuid())
    folders += [(Path(top) / ".Trash" / uid, top), (Path(top) / f".Trash-{uid}", top)]
    return folders


def read_trashinfo(info: Path, top: str | None) -> tuple[str, str] | None:
    """(original absolute path, deletion date) from a .trashinfo file, or None if unreadable."""
    try:
        text = info.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return None
    values = {}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip()
    if "Path" not in values:
        return None
    original = os.fsdecode(unquote(values["Path"], encoding="utf-8", errors="surrogateescape"))
    if not os.path.isabs(original) and top is not None:
        # Relative to the trash's top folder; "../" when the file was named through a link
        # from another volume (send2trash writes it so).
        original = os.path.normpath(os.path.join(top, original))
    return original, values.get("DeletionDate", "")


def _entries(original: str) -> Iterator[tuple[float, TrashedFile]]:
    """(when trashed, entry) for every .trashinfo in the trash folders that says it came from
    ``original``, whether or not its file is there."""
    stem, extension = os.path.splitext(os.path.basename(original))
    for folder, top in trash_folders_for(original):
        info_dir, files_dir = folder / "info", folder / "files"
        try:
            names = os.listdir(info_dir)
        except OSError:
            continue
        for name in names:
            if not (name.startswith(stem) and name.endswith(extension + INFO_SUFFIX)):
                continue
            info = info_dir / name
            parsed = read_trashinfo(info, top)
            if parsed is None or parsed[0] != original:
                continue
            try:
                when = info.stat().st_mtime
            except OSError:
                continue
            yield when, TrashedFile(str(files_dir / name[: -len(INFO_SUFFIX)]), str(info), original)


def locate_all(original: str) -> list[TrashedFile]:
    """Every file in the trash that came from ``original``, most recently trashed first."""
    found = [(when, entry) for when, entry in _entries(os.path.abspath(original)) if os.path.lexists(entry.file)]
    return [entry for _, entry in sorted(found, key=lambda item: item[0], reverse=True)]


def locate(original: str, exclude: set[str] = frozenset()) -> TrashedFile | None:
    """The most recently trashed file that came from ``original`` (not one in ``exclude``)."""
    return next((entry for entry in locate_all(original) if entry.file not in exclude), None)


def drop_orphan_info(original: str) -> list[str]:
    """Remove .trashinfo files about ``original`` whose file never arrived in the trash
    (the system trash writes the info first; a move that then fails leaves it behind)."""
    dropped = []
    for _, entry in _entries(os.path.abspath(original)):
        if os.path.lexists(entry.file):
            continue
        try:
            os.unlink(entry.info)
            dropped.append(entry.info)
        except OSError:
            pass
    return dropped


def info_path_for(file_in_trash: str) -> Path:
    file = Path(file_in_trash)
    return file.parent.parent / "info" / (file.name + INFO_SUFFIX)


def move_back(file_in_trash: str, original: str) -> None:
    """Move a trashed file back to ``original`` and drop its .trashinfo.

    Raises FileExistsError if something now exists at ``original``; never overwrites.
    """
    if os.path.lexists(original):
        if _same_file(original, file_in_trash):  # an earlier restore stopped between link and unlink
            os.unlink(file_in_trash)
            _drop_info(file_in_trash)
            return
        raise FileExistsError(original)
    os.makedirs(os.path.dirname(original), exist_ok=True)
    try:
        os.link(file_in_trash, original)  # fails rather than overwrite if a file appeared meanwhile
        os.unlink(file_in_trash)
    except OSError as error:
        if isinstance(error, FileExistsError):
            raise
        if os.path.lexists(original):
            raise FileExistsError(original) from None
        shutil.move(file_in_trash, original)  # other volume, or no hard links there
    _drop_info(file_in_trash)


def _drop_info(file_in_trash: str) -> None:
    try:
        info_path_for(file_in_trash).unlink()
    except FileNotFoundError:
        pass


def _same_file(first: str, second: str) -> bool:
    """The same directory entry target without following links: a symbolic link standing at the original path
    and pointing into the Trash is something else there, never the hard link a stopped restore left."""
    try:
        one, other = os.lstat(first), os.lstat(second)
    except OSError:
        return False
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)
