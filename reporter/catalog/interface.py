"""The cataloger seam: a cataloger is a name, the files it wants, and a pure parser.

The layer walker (``reporter.layers.tarwalk``) asks every cataloger's ``wants`` for each
regular file in a layer, in one streaming pass, and keeps only what is asked for:

* ``WholeFile(max_bytes)``: the whole content, if the file is at most ``max_bytes`` long;
* a ``Scanner``: fed the content chunk by chunk (for files too big to keep, such as
  executables searched for Go build info); its ``result()`` is what is kept.

After the walk, ``reporter.catalog.run`` builds the squashed view (whiteouts applied), detects
the distro, and calls ``parse(path, data, ctx)`` for every kept file that is visible, where
``ctx.read`` gives access to the other kept files of the same view (e.g. dpkg's copyright
files). Paths here never have a leading ``/``: ``var/lib/dpkg/status``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "Cataloger",
    "Distro",
    "FoundPackage",
    "ParseContext",
    "Scanner",
    "WholeFile",
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
class Distro:
    """From os-release (os-release(5)); ``id`` is empty when no distro could be told."""

    id: str = ""
    version_id: str = ""
    version_codename: str = ""
    id_like: tuple[str, ...] = ()
    name: str = ""
    pretty_name: str = ""
    source_path: str = ""  # the file it came from


@dataclass(frozen=True, slots=True)
class ParseContext:
    distro: Distro | None
    arch: str  # the image config's architecture: amd64, arm64, arm, ...
    # Other kept files of the same view, by path without leading "/"; None when absent.
    read: Callable[[str], bytes | None] = field(default=lambda _path: None)


@dataclass(frozen=True, slots=True)
class FoundPackage:
    type: str  # deb, apk, rpm, python, npm, go-module, java-archive, rust-crate, gem, php-composer
    name: str
    version: str
    purl: str = ""
    licenses: tuple[str, ...] = ()  # SPDX ids where they map, else the declared text
    metadata: tuple[tuple[str, str], ...] = ()  # sorted (key, value): arch, source, origin, ...
    # further files that support the package (e.g. its copyright file), without leading "/"
    supporting_paths: tuple[str, ...] = ()
    # files the package manager installed (dpkg md5sums), without leading "/": a ``binary``
    # package found in one of them is dropped, as syft drops it (file ownership overlap)
    owned_paths: tuple[str, ...] = ()


class Cataloger(Protocol):
    @property
    def name(self) -> str: ...

    def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
        """Called for every regular file of every layer: must be cheap and pure."""
        ...

    def parse(self, path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
        """Pure: bytes in, packages out. Raises only ``reporter.errors.CatalogError``."""
        ...
