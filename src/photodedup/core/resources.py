"""Where the files shipped with photodedup live (models, sample photos)."""

from __future__ import annotations

import os
from pathlib import Path

RESOURCES_ENV = "PHOTODEDUP_RESOURCES"


def resources_dir() -> Path:
    """The resources folder: $PHOTODEDUP_RESOURCES, inside the installed package, or a checkout's."""
    override = os.environ.get(RESOURCES_ENV)
    if override:
        return Path(override)
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "resources", package.parent.parent / "resources"):
        if (candidate / "models").is_dir():
            return candidate
    raise FileNotFoundError(
        "photodedup's resources folder (models, samples) is missing from this installation"
    )


def model_path(name: str) -> Path:
    return resources_dir() / "models" / name


def sample_path(name: str) -> Path:
    return resources_dir() / "samples" / name
