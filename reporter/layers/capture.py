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

A capturer may also carry a ``hint``: a cheap over-approximation of the files its ``wants``
accepts, by base name, parent directory or mode. The walker asks only the capturers whose hint
matches (``CapturerIndex``), so a file costs a few dictionary lookups instead of one Python call
per capturer; ``wants`` stays the only judge of what is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "DIGEST_ALGORITHMS",
    "DIGEST_TRAILER_SIZE",
    "Capturer",
    "CapturerIndex",
    "Digested",
    "Hint",
    "Scanner",
    "Want",
    "WholeFile",
    "likely_package",
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


def likely_package(scanner: Scanner) -> bool | None:
    """A ``Digested`` scanner's early verdict, when it gives one (an optional method
    ``likely_package() -> bool | None``): True when what it has seen so far says it will keep
    something (a Go binary's build ID), False when it says it will not, None while undecided
    or for scanners without the method. The walker then hashes the file as it streams by
    instead of on a second read of the blob (``reporter.layers.tarwalk``)."""
    method = getattr(scanner, "likely_package", None)
    verdict: object = method() if method is not None else None
    return verdict if isinstance(verdict, bool) else None


class Capturer(Protocol):
    """The part of a cataloger the walker sees: a name and what it wants of each file."""

    @property
    def name(self) -> str: ...

    def wants(self, path: str, mode: int, size: int) -> Want | None:
        """Called for every regular file of every layer: must be cheap and pure."""
        ...


@dataclass(frozen=True, slots=True)
class Hint:
    """Every file a capturer's ``wants`` can accept matches at least one of these (a superset:
    a match only means ``wants`` is asked). ``Hint()`` matches nothing: a capturer that keeps
    no file content at all."""

    names: frozenset[str] = frozenset()  # exact base names: "status", "package.json"
    suffixes: tuple[str, ...] = ()  # base-name endings, each starting with ".": ".jar"
    prefixes: tuple[str, ...] = ()  # base-name beginnings: "libpython"
    contains: tuple[str, ...] = ()  # parts of the whole path: ".so."
    parents: tuple[str, ...] = ()  # the parent directory is, or ends with "/" + one of these
    executable: bool = False  # any file with an execute bit

    def __post_init__(self) -> None:
        if any(not s.startswith(".") for s in self.suffixes):
            raise ValueError("Hint suffixes start with '.' (they are indexed by extension)")

    def matches(self, path: str, mode: int) -> bool:
        """The plain statement of the rule ``CapturerIndex`` computes faster for many hints."""
        parent, _, base = path.rpartition("/")
        return (
            base in self.names
            or base.endswith(self.suffixes)
            or base.startswith(self.prefixes)
            or any(part in path for part in self.contains)
            or any(parent == p or parent.endswith("/" + p) for p in self.parents)
            or (self.executable and bool(mode & 0o111))
        )


class CapturerIndex:
    """The capturers worth asking about one file, in their original order.

    Capturers without a ``hint`` are asked about every file. The rest are indexed by base name
    and by extension (the text from the base name's last "."), so most files cost two dict
    lookups; prefixes, path substrings and parent directories are few and tested in turn. A
    file's answer is a bit mask over the capturers (bit i: capturer i), turned into the tuple
    of capturers once per distinct mask.
    """

    __slots__ = (
        "_always",
        "_by_ext",
        "_by_name",
        "_capturers",
        "_contains",
        "_exec",
        "_parents",
        "_prefixes",
        "_tuples",
    )

    def __init__(self, capturers: Sequence[Capturer]) -> None:
        self._by_name: dict[str, int] = {}
        self._by_ext: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self._always = 0
        self._prefixes: list[tuple[int, tuple[str, ...]]] = []
        self._contains: list[tuple[int, tuple[str, ...]]] = []
        # (bit, the parent directories as written, the same with a leading "/")
        self._parents: list[tuple[int, frozenset[str], tuple[str, ...]]] = []
        self._exec = 0
        for i, capturer in enumerate(capturers):
            bit = 1 << i
            hint = getattr(capturer, "hint", None)
            if not isinstance(hint, Hint):
                self._always |= bit
                continue
            for name in hint.names:
                self._by_name[name] = self._by_name.get(name, 0) | bit
            exts: dict[str, list[str]] = {}
            for suffix in hint.suffixes:
                exts.setdefault(suffix[suffix.rfind(".") :], []).append(suffix)
            for ext, suffixes in exts.items():
                self._by_ext.setdefault(ext, []).append((bit, tuple(suffixes)))
            if hint.prefixes:
                self._prefixes.append((bit, hint.prefixes))
            if hint.contains:
                self._contains.append((bit, hint.contains))
            if hint.parents:
                slashed = tuple("/" + p for p in hint.parents)
                self._parents.append((bit, frozenset(hint.parents), slashed))
            if hint.executable:
                self._exec |= bit
        self._capturers = tuple(capturers)
        self._tuples: dict[int, tuple[Capturer, ...]] = {0: ()}

    def candidates(self, path: str, mode: int) -> tuple[Capturer, ...]:
        slash = path.rfind("/")
        base = path[slash + 1 :]
        mask = self._always | self._by_name.get(base, 0)
        dot = base.rfind(".")
        if dot >= 0:
            for bit, suffixes in self._by_ext.get(base[dot:], ()):
                if base.endswith(suffixes):
                    mask |= bit
        for bit, prefixes in self._prefixes:
            if base.startswith(prefixes):
                mask |= bit
        for bit, parts in self._contains:
            if any(part in path for part in parts):
                mask |= bit
        if self._parents and slash > 0:
            parent = path[:slash]
            for bit, exact, slashed in self._parents:
                if parent in exact or parent.endswith(slashed):
                    mask |= bit
        if mode & 0o111:
            mask |= self._exec
        found = self._tuples.get(mask)
        if found is None:
            capturers = self._capturers
            found = tuple(c for i, c in enumerate(capturers) if mask >> i & 1)
            self._tuples[mask] = found
        return found


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
