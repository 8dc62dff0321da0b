"""The archive seam: an input seen as a read-only tree of files addressed by relative path.

Every on-disk form (image-layout directory, OCI or docker-save tar, gzip-compressed tar,
standard input) is read through this one interface, so ``resolve`` and ``image`` never know
which form they are looking at. An OCI blob ``sha256:<hex>`` lives at ``blobs/sha256/<hex>``
(image-layout.md "Blobs"); docker-save paths are the names in ``manifest.json``.

Stream-mode archives (gzip tars, stdin) cannot seek back: they scan every large member as a
layer while passing over it, and hand the results out through ``prescanned``. The scan
function is the caller's (``reporter.layers.schedule.stream_scanner``) and so is its result:
an archive only keeps it, so here it is an opaque ``object`` and the archive, an earlier stage
than the layers, never imports what a layer scan is.
"""

from __future__ import annotations

from typing import IO, Protocol

from reporter.model import Finding

__all__ = ["Archive", "blob_path"]


def blob_path(digest: str) -> str | None:
    """``sha256:<hex>`` → ``blobs/sha256/<hex>``; None for anything that could leave ``blobs/``."""
    algorithm, sep, encoded = digest.partition(":")
    if not sep or not algorithm or not encoded:
        return None
    # image-spec descriptor.md "Digests":
    # algorithm [a-z0-9]+([+._-][a-z0-9]+)*, encoded [a-zA-Z0-9=_-]+
    if not all(c.isascii() and (c.isalnum() or c in "+._-") for c in algorithm):
        return None
    if not all(c.isascii() and (c.isalnum() or c in "=_-") for c in encoded):
        return None
    return f"blobs/{algorithm}/{encoded}"


class Archive(Protocol):
    @property
    def name(self) -> str:
        """The input as the user named it, for messages."""
        ...

    @property
    def kind(self) -> str:
        """``oci-layout`` (directory), ``tar`` or ``tar+gzip``; the image format is told later."""
        ...

    @property
    def findings(self) -> list[Finding]:
        """Problems met while reading the container itself (path escapes, duplicates...)."""
        ...

    def exists(self, path: str) -> bool: ...

    def size(self, path: str) -> int | None: ...

    def read(self, path: str, limit: int) -> bytes | None:
        """The whole file if present and at most ``limit`` bytes; raises InputError if larger."""
        ...

    def open(self, path: str) -> IO[bytes] | None:
        """A stream over the file, or None when absent (or only available prescanned)."""
        ...

    def prescanned(self, path: str) -> object | None:
        """What the scan function returned for a member it was handed while the archive
        streamed past it (stream mode only); None for any other path."""
        ...

    def locate(self, path: str) -> tuple[str, int, int | None] | None:
        """Where another process can read the file by itself: (OS path, offset, length, None
        meaning "to the end"); None when only this object can read it (streams, sparse)."""
        ...

    def close(self) -> None: ...
