"""Digests of a file-shaped component from the bytes the walk kept anyway (no second read).

SHA-256 for everyone, SHA-512 for BSI TR-03183-2 (§8.1.7 wants a SHA-512 of each deployable
component). ``(hashlib name, hex)`` pairs, as ``FoundPackage.hashes``.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

__all__ = ["ALGORITHMS", "HashingScanner", "file_hashes", "split_hashes"]


class _Scanner(Protocol):  # reporter.layers.capture.Scanner, restated to keep this a leaf
    def feed(self, chunk: bytes) -> bool: ...

    def result(self) -> bytes | None: ...


ALGORITHMS = ("sha256", "sha512")


def file_hashes(data: bytes) -> tuple[tuple[str, str], ...]:
    return tuple((name, hashlib.new(name, data).hexdigest()) for name in ALGORITHMS)


_TRAILER = b"\x00oci-reporter:file-hashes\x00"
_LENGTHS = tuple(hashlib.new(name).digest_size for name in ALGORITHMS)


class HashingScanner:
    """Wraps a ``Scanner``: hashes every chunk of the file while the inner one looks for its
    data, so the binary's digests come from the one streaming pass (no second read).

    Feeds the inner scanner until it is done, keeps hashing to the end of the file when it
    kept something, and stops at once when it kept nothing (not the file it wants). The
    result is the inner result followed by a trailer with the digests; ``split_hashes``
    takes it apart in the parser.
    """

    def __init__(self, inner: _Scanner) -> None:
        self._inner = inner
        self._inner_live = True
        self._digests = [hashlib.new(name) for name in ALGORITHMS]

    def feed(self, chunk: bytes) -> bool:
        if self._inner_live:
            self._inner_live = self._inner.feed(chunk)
            if not self._inner_live and self._inner.result() is None:
                return False
        for digest in self._digests:
            digest.update(chunk)
        return True

    def result(self) -> bytes | None:
        kept = self._inner.result()
        if kept is None:
            return None
        return kept + _TRAILER + b"".join(d.digest() for d in self._digests)


def split_hashes(data: bytes) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    """``HashingScanner`` result → (the inner result, digests); data without a trailer as is."""
    size = sum(_LENGTHS)
    start = len(data) - size - len(_TRAILER)
    if start < 0 or data[start : start + len(_TRAILER)] != _TRAILER:
        return data, ()
    raw = data[start + len(_TRAILER) :]
    out, offset = [], 0
    for name, length in zip(ALGORITHMS, _LENGTHS, strict=True):
        out.append((name, raw[offset : offset + length].hex()))
        offset += length
    return data[:start], tuple(out)
