"""Read each photo once: open it (regular files only), decode it, hash it and read its EXIF from
one open file, on a pool of threads, each decode bounded in time (safe_open)."""

from __future__ import annotations

import io
import os
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass

import numpy as np

from photodedup.core.analyse import safe_open
from photodedup.core.analyse.decode import PERMANENT, TRANSIENT, DecodedImage, DecodeError, decode_image
from photodedup.core.analyse.exact import hash_stream
from photodedup.core.analyse.metadata import read_metadata
from photodedup.core.models import ImageFile, PhotoMetadata
from photodedup.core.progress import Progress
from photodedup.core.analyse.raw import is_raw
from photodedup.core.analyse.safe_open import NotRegularFile, open_regular_file

SCRATCH_QUALITY = 92  # JPEG quality of the gray pictures kept for verification during a scan
CHANGED_DURING_SCAN = "file changed or disappeared during the scan; scan again to include it"
reading = sys.modules[__name__]


@dataclass
class Decoded:
    file: ImageFile
    image: DecodedImage | None
    content_hash: str
    error: str | None
    feature_jpeg: bytes = b""  # the picture local features are found in, for the scratch store
    metadata: PhotoMetadata = PhotoMetadata()
    error_kind: str = PERMANENT  # of an error: TRANSIENT (read again next scan) or PERMANENT (decode.py)


def encode_gray(gray) -> bytes:
    """The grey picture as the scan's scratch store keeps it: a JPEG at SCRATCH_QUALITY."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(gray).save(buffer, "JPEG", quality=SCRATCH_QUALITY)
    return buffer.getvalue()


def decode_kept(data: bytes) -> np.ndarray:
    """A grey picture encode_gray made, decoded (what the scratch store gives back)."""
    from PIL import Image

    with Image.open(io.BytesIO(data), formats=("JPEG",)) as image:
        return np.asarray(image, dtype=np.uint8)


def as_kept(gray: np.ndarray) -> np.ndarray:
    """``gray`` (decode_gray's picture, decoded from the file) as the scan keeps it: through
    encode_gray's JPEG and back, so a verdict measured on it is the one measured on the scratch
    copy of a cold scan, bit for bit (decode_image's grey and decode_gray's are the same array:
    tests/core/test_kept_gray.py). The JPEG moves grey levels by 0.3-2.3 on average (up to 14),
    enough to turn a verdict near a threshold. Keeping the scratch lossless instead would cost
    2.6-4x its bytes (zlib: 139 KB a 640x480 photo against JPEG's 42 KB, 15 GB at 110,000
    photos) and more time than this round trip (1-3 ms at 512 px on this machine, loaded)."""
    return decode_kept(encode_gray(gray))


def read_and_decode(file: ImageFile) -> Decoded:
    """Decode the file, then hash it, reading from one open file (never whole into memory);
    never raises for a bad file."""
    try:
        handle = open_regular_file(file.path)
    except FileNotFoundError:
        return Decoded(file, None, "", CHANGED_DURING_SCAN, error_kind=TRANSIENT)
    except NotRegularFile as error:
        return Decoded(file, None, "", str(error))
    except OSError as error:
        return Decoded(file, None, "", f"cannot read file: {error.strerror or error}", error_kind=TRANSIENT)
    with handle:
        found = os.fstat(handle.fileno())
        if found.st_size != file.size or found.st_mtime_ns != file.mtime_ns:
            return Decoded(file, None, "", CHANGED_DURING_SCAN, error_kind=TRANSIENT)
        if found.st_size == 0:
            return Decoded(file, None, "", "empty file (0 bytes)")
        try:  # first: a file refused by its header (a bomb, a sparse giant) is never read through
            image = decode_image(handle, raw=is_raw(file.path))
            content_hash = hash_stream(handle)
        except DecodeError as error:
            return Decoded(file, None, "", str(error), error_kind=error.kind)
        except OSError as error:
            return Decoded(file, None, "", f"cannot read file: {error.strerror or error}", error_kind=TRANSIENT)
        handle.seek(0)
        metadata = read_metadata(handle)
    feature_jpeg = encode_gray(image.feature_gray) if image.feature_gray is not None else b""
    image.feature_gray = None  # only the compressed copy travels on
    return Decoded(file, image, content_hash, None, feature_jpeg, metadata)


DECODE_GRACE_SECONDS = 5.0  # past DECODE_SECONDS, a decode stuck in one call is left behind


def decode_in_parallel(files: Sequence[ImageFile], workers: int, progress: Progress) -> Iterator[Decoded]:
    """Decode on a thread pool (Pillow releases the GIL), a bounded number in flight, in order.

    A decode stops itself at its next read after DECODE_SECONDS (safe_open.DeadlineReader); one
    stuck inside a single call is left behind (listed as a problem) and a fresh pool takes the
    remaining files, so a scan never waits on one file for long.
    """
    in_flight: deque[tuple[ImageFile, Future[Decoded], list[float]]] = deque()
    limit = max(8, 4 * workers)  # enough in flight to keep every core and the model busy
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode")

    def submit(file: ImageFile) -> None:
        started: list[float] = []

        def task() -> Decoded:
            started.append(time.monotonic())
            return reading.read_and_decode(file)  # through the module: a test may stand in for it

        in_flight.append((file, pool.submit(task), started))

    def next_result() -> Decoded:
        nonlocal pool
        file, future, started = in_flight.popleft()
        while True:
            try:
                return future.result(timeout=0.25)
            except FutureTimeout:
                allowed = safe_open.DECODE_SECONDS + DECODE_GRACE_SECONDS
                if started and time.monotonic() - started[0] > allowed:
                    break
        stuck, pool = pool, ThreadPoolExecutor(max_workers=workers, thread_name_prefix="decode")
        waiting = [entry[0] for entry in in_flight if entry[1].cancel()]
        in_flight_left = [entry for entry in in_flight if not entry[1].cancelled()]
        in_flight.clear()
        in_flight.extend(in_flight_left)
        for waiting_file in waiting:
            submit(waiting_file)
        stuck.shutdown(wait=False, cancel_futures=True)
        return Decoded(file, None, "", f"decoding did not finish in {allowed:g} s; skipped")

    try:
        for file in files:
            while len(in_flight) >= limit:
                yield next_result()
            progress.check()
            submit(file)
        while in_flight:
            yield next_result()
    finally:
        for _, future, _ in in_flight:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)  # a stuck pool, if any, is not waited for
