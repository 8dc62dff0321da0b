"""The capture protocol: what a cataloger may ask the layer walker to keep of a file.

The walker (``reporter.layers.tarwalk``) calls ``wants(path, mode, size)`` of every capturer
for each regular file of a layer, in its one streaming pass, and keeps only what is asked for:

* ``WholeFile(max_bytes)``: the whole content, if the file is at most ``max_bytes`` long;
* a ``Scanner``: fed the content chunk by chunk (for files too big to keep, such as
  executables searched for Go build info); its ``result()`` is what is kept;
* ``Digested(scanner)``: the same, and when the scanner keeps something, the file's digests
  follow it (``with_digests``; ``split_digests`` takes them apart in the parser). The walker
  hashes each file once for every ``Digested`` want of it, in its background hash thread.

Defined here, on the layer side, so the walker depends on nothing later in the data flow:
``reporter.catalog.interface.Cataloger`` is a ``Capturer`` (it has the same ``name`` and
``wants``), and the catalog package re-exports ``WholeFile``, ``Scanner`` and ``Digested``
from this module.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "DIGEST_ALGORITHMS",
    "DIGEST_TRAILER_SIZE",
    "Capturer",
    "Digested",
    "Scanner",
    "Want",
    "WholeFile",
    "scan_whole",
    "split_digests",
    "with_digests",
]


@dataclass(frozen=True, slots=True)
class WholeFile:
    max_bytes: int = 64 * 1024 * 1024


class Scanner(Protocol):
    def feed(self, chunk: bytes) -> bool:
        """Take the next chunk; return False once nothing more is needed (stops feeding)."""
        ...

    def result(self) -> bytes | None:
        """What to keep for ``parse``, or None to keep nothing."""
        ...


@dataclass(frozen=True, slots=True)
class Digested:
    """Feed ``scanner``; if it keeps something, keep it followed by the file's digests.

    The digests cover the whole file, so once the scanner has kept something the file is read
    to its end; when it (and every other ``Digested`` want of the file) kept nothing, hashing
    stops with it.
    """

    scanner: Scanner


Want = WholeFile | Scanner | Digested


class Capturer(Protocol):
    """The part of a cataloger the walker sees: a name and what it wants of each file."""

    @property
    def name(self) -> str: ...

    def wants(self, path: str, mode: int, size: int) -> Want | None:
        """Called for every regular file of every layer: must be cheap and pure."""
        ...


# SHA-256 for everyone, SHA-512 for BSI TR-03183-2 (§8.1.7 wants a SHA-512 of each deployable
# component): ``(hashlib name, hex)`` pairs, as ``FoundPackage.hashes``.
DIGEST_ALGORITHMS = ("sha256", "sha512")
_TRAILER = b"\x00oci-reporter:file-hashes\x00"
_LENGTHS = tuple(hashlib.new(name).digest_size for name in DIGEST_ALGORITHMS)
DIGEST_TRAILER_SIZE = len(_TRAILER) + sum(_LENGTHS)  # what ``with_digests`` adds


def with_digests(result: bytes, digests: Iterable[bytes]) -> bytes:
    """A ``Digested`` want's kept bytes: the scanner's result, a trailer, the raw digests (in
    ``DIGEST_ALGORITHMS`` order)."""
    return result + _TRAILER + b"".join(digests)


def split_digests(data: bytes) -> tuple[bytes, tuple[tuple[str, str], ...]]:
    """``with_digests`` bytes → (the scanner's result, digests); data without a trailer as is."""
    start = len(data) - DIGEST_TRAILER_SIZE
    if start < 0 or data[start : start + len(_TRAILER)] != _TRAILER:
        return data, ()
    raw = data[start + len(_TRAILER) :]
    out, offset = [], 0
    for name, length in zip(DIGEST_ALGORITHMS, _LENGTHS, strict=True):
        out.append((name, raw[offset : offset + length].hex()))
        offset += length
    return data[:start], tuple(out)


def scan_whole(want: Scanner | Digested, data: bytes) -> bytes | None:
    """What a (fresh) scanner want keeps of content already held whole: a hard link's target
    kept by another cataloger. The same bytes as the walk would have kept streaming it."""
    scanner = want.scanner if isinstance(want, Digested) else want
    scanner.feed(data)
    result = scanner.result()
    if result is None or not isinstance(want, Digested):
        return result
    return with_digests(result, (hashlib.new(name, data).digest() for name in DIGEST_ALGORITHMS))
