"""The digests of a few files of a layer, from a second read of its blob.

A binary's SHA-256 and SHA-512 are wanted only once a cataloger has found a package in it,
and it knows that only at the end of the file. Hashing every executable on the first pass
just in case costs more than the rest of the walk on images full of ELF files (the bench
image: ~3 s of ~13 s CPU for its Debian, Go and Node binaries, nearly all of them neither Go
nor Rust). When the blob can be read again (a layout blob, a member of a seekable tar: the
``reopen`` the hard-link pass uses), the walk records where each such file's data lies in the
uncompressed stream, and this pass hashes just those ranges: it reads, or inflates, the blob
up to the end of the last range and does nothing else with the bytes (isal inflates several
times faster than SHA-512 hashes). A file whose scanner calls it a likely package from its
head (a Go build ID: ``capture.likely_package``) is hashed on the first pass instead, so the
second read is left with the few binaries only found to be packages at their end.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Protocol

from reporter import compression

__all__ = ["PlainSource", "Readable", "range_digests"]

_CHUNK = 1 << 20

Range = tuple[int, int]  # (offset in the uncompressed stream, length)


class Readable(Protocol):
    """What a layer is read from: any binary file, pipe or archive member stream (the walk
    re-exports it as ``reporter.layers.tarwalk.Readable``)."""

    def read(self, size: int = -1, /) -> bytes: ...


class PlainSource:
    """A ``compression.ChunkSource`` over a reader, without hashing: for second passes."""

    __slots__ = ("_raw",)

    def __init__(self, raw: Readable) -> None:
        self._raw = raw

    def read(self) -> bytes:
        return self._raw.read(_CHUNK)

    def read_at_least(self, data: bytes, n: int) -> bytes:
        while len(data) < n and (more := self.read()):
            data += more
        return data


def range_digests(
    raw: Readable, kind: str, ranges: Sequence[Range], algorithms: Sequence[str]
) -> dict[Range, tuple[bytes, ...]] | None:
    """``{range: digests, in the order of algorithms}`` for byte ranges of the uncompressed
    stream of ``raw`` (compressed as ``kind``: gzip, zstd or none).

    None when the stream cannot be decoded or ends before a range does: the caller then has
    no digests rather than wrong ones.
    """
    wanted = sorted(set(ranges))
    if not wanted:
        return {}
    hashers: dict[Range, list[Any]] = {r: [hashlib.new(a) for a in algorithms] for r in wanted}
    end = max(offset + length for offset, length in wanted)
    src = PlainSource(raw)
    position = 0
    next_start = 0  # index into ``wanted`` of the first range not yet begun
    active: list[Range] = []
    try:
        for chunk in compression.decoder(kind, src, src.read_at_least(b"", 6)):
            chunk_end = position + len(chunk)
            while next_start < len(wanted) and wanted[next_start][0] < chunk_end:
                active.append(wanted[next_start])
                next_start += 1
            view = memoryview(chunk)
            still: list[Range] = []
            for r in active:
                offset, length = r
                lo = max(offset, position) - position
                hi = min(offset + length, chunk_end) - position
                if hi > lo:
                    for hasher in hashers[r]:
                        hasher.update(view[lo:hi])
                if offset + length > chunk_end:
                    still.append(r)
            active = still
            position = chunk_end
            if position >= end:
                break
    except compression.DecodeError:
        return None
    if position < end:
        return None
    return {r: tuple(h.digest() for h in hashers[r]) for r in wanted}
