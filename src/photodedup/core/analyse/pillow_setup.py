"""Pillow and the warnings it gives, set up once for the process: the one place photodedup changes a
global Pillow or ``warnings`` setting. The entry points call configure_pillow() (cli.main, gui/app.main, the
tests' conftest), and safe_open's first open does too, for a program that uses the core directly (a no-op
after the first time). Importing the core changes nothing (tests/core/test_decode.py checks it)."""

from __future__ import annotations

import threading
import warnings

from PIL import Image, ImageFile

_configured = False
_configure_lock = threading.Lock()


def configure_pillow() -> None:
    """Set Pillow up for photodedup, once per process: truncated files fail, warnings about
    odd metadata stay quiet, HEIF/AVIF is read when pillow-heif is installed. The one place
    photodedup changes a global Pillow or warnings setting."""
    global _configured
    if _configured:
        return
    with _configure_lock:
        if _configured:
            return
        # A truncated file must fail, not decode into a grey half-picture.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        # Sizes over the bomb limit are refused by open_photo itself (beyond twice the limit
        # Pillow raises DecompressionBombError anyway); the warning would only be noise.
        warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
        # A malformed EXIF block is ignored (the picture is used as stored); don't print about it.
        warnings.filterwarnings("ignore", message=r"(Possibly )?[Cc]orrupt EXIF", category=UserWarning)
        # Pillow's complaints about odd metadata (a tag with too many entries, a malformed MPO):
        # the photo simply doesn't say (core/analyse/metadata.py reads what it can).
        warnings.filterwarnings("ignore", category=UserWarning, module=r"PIL\.")
        try:  # HEIC/HEIF (phone photos) when pillow-heif is installed; scan lists them only then
            from pillow_heif import register_heif_opener

            register_heif_opener()
        except ImportError:
            pass
        Image.init()
        _configured = True
