"""A file through the layer walker, as a one-file layer holds it: what a cataloger keeps of it.

Scanners run inside the walk, which adds what a ``Digested`` want asks for (the file's digests,
hashed in the walker's hash thread), so tests of the executable catalogers go through it.
Reading the layer ``chunk`` bytes at a time moves the chunk boundaries the scanners see.

``streamed`` is the reference: what the catalogers kept before the walker did the hashing
(their own scanner wrapped the inner one), in the trailer format written out here, so a change
of those bytes (and of every SBOM's hashes) fails a test.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from reporter.layers.capture import Capturer, Scanner
from reporter.layers.tarwalk import scan_layer
from reporter.options import Limits

__all__ = ["TRAILER", "streamed", "walked"]

TRAILER = b"\x00oci-reporter:file-hashes\x00"


class _Chunked(io.RawIOBase):
    def __init__(self, raw: IO[bytes], chunk: int) -> None:
        self._raw = raw
        self._chunk = chunk

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(self._chunk if size < 0 else min(size, self._chunk))


def walked(
    cataloger: Capturer,
    source: bytes | Path,
    chunk: int,
    *,
    path: str = "usr/bin/app",
    mode: int = 0o755,
) -> bytes | None:
    """What ``cataloger`` keeps of ``source`` when a layer holds it at ``path``."""
    data = source.read_bytes() if isinstance(source, Path) else source
    with tempfile.TemporaryFile() as tmp:
        with tarfile.open(fileobj=tmp, mode="w", format=tarfile.PAX_FORMAT) as tar:
            member = tarfile.TarInfo(path)
            member.size = len(data)
            member.mode = mode
            tar.addfile(member, io.BytesIO(data))
        tmp.seek(0)
        scan = scan_layer(_Chunked(tmp, chunk), [cataloger], limits=Limits())
    assert scan.complete
    assert scan.findings == ()
    assert all(c.path == path and not c.whole for c in scan.captured)
    assert len(scan.captured) <= 1
    return scan.captured[0].data if scan.captured else None


def streamed(make: Callable[[], Scanner], data: bytes, chunk: int) -> bytes | None:
    """The inner scanner fed ``chunk`` bytes at a time; its result, the trailer, the SHA-256
    and SHA-512 of the whole file."""
    scanner = make()
    for start in range(0, len(data), chunk):
        if not scanner.feed(data[start : start + chunk]):
            break
    result = scanner.result()
    if result is None:
        return None
    return result + TRAILER + hashlib.sha256(data).digest() + hashlib.sha512(data).digest()
