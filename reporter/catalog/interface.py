"""The cataloger seam: a cataloger is a name, the files it wants, and a pure parser.

The layer walker (``reporter.layers.tarwalk``) asks every cataloger's ``wants`` for each
regular file in a layer, in one streaming pass, and keeps only what is asked for:

* ``WholeFile(max_bytes)``: the whole content, if the file is at most ``max_bytes`` long;
* a ``Scanner``: fed the content chunk by chunk (for files too big to keep, such as
  executables searched for Go build info); its ``result()`` is what is kept;
* ``Digested(scanner)``: the same, followed by the file's digests when the scanner keeps
  something (``reporter.layers.capture.split_digests`` takes them apart in ``parse``).

A ``Declared`` cataloger may also list entries by name (``lists``): no content, any entry
type, read from the squashed view after the walk (the Nix store's directories).

After the walk, ``reporter.catalog.run`` builds the squashed view (whiteouts applied), detects
the distro, and calls ``parse(path, data, ctx)`` for every kept file that is visible, where
``ctx.read`` gives access to the other kept files of the same view (e.g. dpkg's copyright
files). Paths here never have a leading ``/``: ``var/lib/dpkg/status``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from reporter.errors import CatalogError
from reporter.layers.capture import Digested, Hint, Scanner, Want, WholeFile
from reporter.model import Distro  # the model's, so a cataloged distro goes into the report as is

__all__ = [
    "Cataloger",
    "Declared",
    "Digested",
    "Distro",
    "FoundPackage",
    "Hint",
    "Identifier",
    "Identity",
    "ParseContext",
    "Parser",
    "Scanner",
    "Want",
    "Wants",
    "WholeFile",
    "keep_nothing",
]


@dataclass(frozen=True, slots=True)
class ParseContext:
    distro: Distro | None
    arch: str  # the image config's architecture: amd64, arm64, arm, ...
    # Other kept files of the same view, by path without leading "/"; None when absent.
    read: Callable[[str], bytes | None] = field(default=lambda _path: None)
    # A problem in the file that does not stop it being read (a junk line the package
    # manager would skip): one warning finding naming the file. A file that cannot be read
    # at all raises ``CatalogError`` instead.
    warn: Callable[[str], None] = field(default=lambda _message: None)


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
    # SBOM facts (issue 14). ``cpes`` empty: ``reporter.catalog.cpe`` generates them.
    cpes: tuple[str, ...] = ()
    supplier: str = ""  # who distributes it: maintainer / vendor / packager, "Name <email>"
    authors: tuple[str, ...] = ()  # who wrote it: Python Author, npm author, ...
    provides: tuple[str, ...] = ()  # virtual names it satisfies (dpkg Provides, apk p:, rpm)
    # each requirement = the names of its alternatives, versions stripped: (("a", "b"), ("c",))
    requires: tuple[tuple[str, ...], ...] = ()
    hashes: tuple[tuple[str, str], ...] = ()  # (hashlib name, hex) of the file it was read from


class Cataloger(Protocol):
    """What the layer walker and ``reporter.catalog.run`` call; ``Declared`` is the one
    implementation the registry holds (tests bring their own)."""

    @property
    def name(self) -> str: ...

    def wants(self, path: str, mode: int, size: int, /) -> Want | None:
        """Called for every regular file of every layer: must be cheap and pure."""
        ...

    def parse(self, path: str, data: bytes, ctx: ParseContext, /) -> Iterable[FoundPackage]:
        """Pure: bytes in, packages out. Raises only ``reporter.errors.CatalogError``."""
        ...


Wants = Callable[[str, int, int], Want | None]  # (path, mode, size)
Parser = Callable[[str, bytes, ParseContext], Iterable[FoundPackage]]  # (path, data, ctx)
Identity = tuple[str, str, str]  # a FoundPackage's (type, name, version)
Identifier = Callable[[str, bytes, ParseContext], Iterable[Identity]]  # (path, data, ctx)
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Declared:
    """A cataloger as data: its name, the files it wants kept, and a pure parser.

    ``wants`` is the path pattern (string tests, not globs: it runs for every file of every
    layer) and says how to keep a match (``WholeFile`` or a fresh ``Scanner``). ``parse``
    wraps ``parser``: the packages are read in full before returning, so a file that fails
    half-way yields nothing; a ``CatalogError`` gets the path when it has none, and the
    exceptions in ``unreadable`` (what a parser's library may raise on bad bytes) become a
    ``CatalogError`` "unreadable <what>".
    """

    name: str
    wants: Wants
    parser: Parser
    unreadable: tuple[type[Exception], ...] = ()
    what: str = ""
    # Entries read by name only (syft's nix store objects, directories among them): every
    # visible entry of the squashed view, of any type, whose path this accepts is given to
    # ``parse`` with empty data. No content is kept, so the layer walk does not change.
    lists: Callable[[str], bool] | None = None
    # A cheap superset of the files ``wants`` accepts (``reporter.layers.capture.Hint``): the
    # walker asks ``wants`` only about files the hint matches. None: asked about every file.
    hint: Hint | None = None
    # What ``parser`` finds as (type, name, version) only, for less work: it must give the
    # identities of ``parser``'s packages and raise where ``parser`` raises, with the same
    # message. ``reporter.catalog.run`` reads a file's older versions with it, where only
    # which packages they listed matters. None: ``parser``'s packages are used.
    identify: Identifier | None = None

    def parse(self, path: str, data: bytes, ctx: ParseContext, /) -> list[FoundPackage]:
        return self._wrapped(self.parser, path, data, ctx)

    def identities(self, path: str, data: bytes, ctx: ParseContext, /) -> set[Identity]:
        """The identities of ``parse(path, data, ctx)``; it raises where ``parse`` does."""
        if self.identify is None:
            return {(p.type, p.name, p.version) for p in self.parse(path, data, ctx)}
        return set(self._wrapped(self.identify, path, data, ctx))

    def _wrapped(
        self,
        reader: Callable[[str, bytes, ParseContext], Iterable[_T]],
        path: str,
        data: bytes,
        ctx: ParseContext,
    ) -> list[_T]:
        try:
            return list(reader(path, data, ctx))
        except CatalogError as exc:
            if exc.where:
                raise
            raise CatalogError(str(exc), where=path) from None
        except self.unreadable as exc:
            raise CatalogError(f"unreadable {self.what}: {exc}", where=path) from exc


def keep_nothing(path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
    """The parser of a cataloger whose files are only read by others (the release files)."""
    return ()
