"""The capture protocol: what a cataloger may ask the layer walker to keep of a file.

The walker (``reporter.layers.tarwalk``) calls ``wants(path, mode, size)`` of every capturer
for each regular file of a layer, in its one streaming pass, and keeps only what is asked for:

* ``WholeFile(max_bytes)``: the whole content, if the file is at most ``max_bytes`` long;
* a ``Scanner``: fed the content chunk by chunk (for files too big to keep, such as
  executables searched for Go build info); its ``result()`` is what is kept.

Defined here, on the layer side, so the walker depends on nothing later in the data flow:
``reporter.catalog.interface.Cataloger`` is a ``Capturer`` (it has the same ``name`` and
``wants``), and the catalog package re-exports ``WholeFile`` and ``Scanner`` from this module.

A capturer may also carry a ``hint``: a cheap over-approximation of the files its ``wants``
accepts, by base name, parent directory or mode. The walker asks only the capturers whose hint
matches (``CapturerIndex``), so a file costs a few dictionary lookups instead of one Python call
per capturer; ``wants`` stays the only judge of what is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = ["Capturer", "CapturerIndex", "Hint", "Scanner", "WholeFile"]


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


class Capturer(Protocol):
    """The part of a cataloger the walker sees: a name and what it wants of each file."""

    @property
    def name(self) -> str: ...

    def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
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
    lookups; prefixes, path substrings and parent directories are few and tested in turn.
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
    )

    def __init__(self, capturers: Sequence[Capturer]) -> None:
        by_name: dict[str, set[int]] = {}
        by_ext: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self._always: list[int] = []
        self._prefixes: list[tuple[int, tuple[str, ...]]] = []
        self._contains: list[tuple[int, tuple[str, ...]]] = []
        self._parents: list[tuple[int, tuple[str, ...]]] = []
        self._exec: list[int] = []
        for i, capturer in enumerate(capturers):
            hint = getattr(capturer, "hint", None)
            if not isinstance(hint, Hint):
                self._always.append(i)
                continue
            for name in hint.names:
                by_name.setdefault(name, set()).add(i)
            exts: dict[str, list[str]] = {}
            for suffix in hint.suffixes:
                exts.setdefault(suffix[suffix.rfind(".") :], []).append(suffix)
            for ext, suffixes in exts.items():
                by_ext.setdefault(ext, []).append((i, tuple(suffixes)))
            if hint.prefixes:
                self._prefixes.append((i, hint.prefixes))
            if hint.contains:
                self._contains.append((i, hint.contains))
            if hint.parents:
                self._parents.append((i, hint.parents))
            if hint.executable:
                self._exec.append(i)
        self._by_name = {name: frozenset(found) for name, found in by_name.items()}
        self._by_ext = by_ext
        self._capturers = tuple(capturers)

    def candidates(self, path: str, mode: int) -> list[Capturer]:
        slash = path.rfind("/")
        base = path[slash + 1 :]
        found: set[int] = set(self._always)
        named = self._by_name.get(base)
        if named is not None:
            found |= named
        dot = base.rfind(".")
        if dot >= 0:
            for i, suffixes in self._by_ext.get(base[dot:], ()):
                if base.endswith(suffixes):
                    found.add(i)
        for i, prefixes in self._prefixes:
            if base.startswith(prefixes):
                found.add(i)
        for i, parts in self._contains:
            if any(part in path for part in parts):
                found.add(i)
        if self._parents and slash > 0:
            parent = path[:slash]
            for i, parents in self._parents:
                if any(parent == p or parent.endswith("/" + p) for p in parents):
                    found.add(i)
        if mode & 0o111:
            found.update(self._exec)
        if not found:
            return []
        capturers = self._capturers
        return [capturers[i] for i in sorted(found)]
