"""Alpine's apk database ``lib/apk/db/installed``, as syft 1.18.1's ``apk-db-cataloger`` reads it.

The file is the apk "installed" database (https://wiki.alpinelinux.org/wiki/Apk_spec): one
paragraph per package, blank line between packages, each line ``<one letter>:<value>``:
``P`` name, ``V`` version, ``A`` arch, ``L`` licence, ``o`` origin (source package), ``m``
maintainer, ``t`` build time, ``c`` aports commit, ``S``/``I`` sizes, ``F``/``R`` files, ...

purl as syft: ``pkg:apk/<distro id>/<name>@<version>?arch=..&distro=<id>-<version_id>`` with
``upstream=<origin>`` when the origin differs; no purl at all without a distro. Without an
os-release, syft takes the distro from ``etc/apk/repositories`` (``…/alpine/v3.19/main`` →
alpine 3.19); so do we. The licence is kept whole when it is a valid SPDX expression
(``Apache-2.0 AND MIT``), else split on blanks (``GPL-2.0-only MIT BSD``), as syft does.
"""

from __future__ import annotations

import re

from reporter.catalog.interface import Declared, Distro, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.licences import spdx_license
from reporter.catalog.purl import distro_qualifier, purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "distro_from_repositories", "parse", "parse_installed"]

DB_SUFFIX = "lib/apk/db/installed"
REPOSITORIES = "etc/apk/repositories"
_DB_MAX = WholeFile(max_bytes=256 * 1024 * 1024)
_SMALL = WholeFile(max_bytes=64 * 1024)


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    # syft's glob is **/lib/apk/db/installed
    if path.endswith(DB_SUFFIX) and (
        len(path) == len(DB_SUFFIX) or path[-len(DB_SUFFIX) - 1] == "/"
    ):
        return _DB_MAX
    if path == REPOSITORIES:
        return _SMALL
    return None


def parse_installed(data: bytes, junk: list[tuple[int, str]] | None = None) -> list[dict[str, str]]:
    """Paragraphs of the database as {letter: value}; the first value of a letter is kept
    for the single-valued fields, which is all we use.

    A line without ``:`` is skipped, as syft skips it ("unable to parse field data from
    line", a warning); its number and text go to ``junk``. A line whose key is not one
    letter is a field nobody reads, not junk (syft splits on the first ``:`` too)."""
    entries: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    for number, line in enumerate(data.decode("utf-8", errors="replace").split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            if entry:
                entries.append(entry)
                entry = {}
            continue
        if len(line) >= 2 and line[1] == ":":
            entry.setdefault(line[0], line[2:].strip())
        elif ":" not in line and junk is not None:
            junk.append((number, line))
    if entry:
        entries.append(entry)
    return [e for e in entries if e.get("P")]


def distro_from_repositories(data: bytes) -> Distro | None:
    """``https://dl-cdn.alpinelinux.org/alpine/v3.19/main`` → alpine 3.19 (first such line)."""
    for line in data.decode("utf-8", errors="replace").splitlines():
        marker = line.find("/alpine/v")
        if marker == -1 or line.lstrip().startswith("#"):
            continue
        version = line[marker + len("/alpine/v") :].split("/", 1)[0].strip()
        if version:
            return Distro(id="alpine", version_id=version, name="Alpine Linux")
    return None


def _licenses(value: str) -> tuple[str, ...]:
    value = value.strip()
    if not value:
        return ()
    whole = spdx_license(value)
    if whole is not None:
        return (whole,)
    return tuple(sorted({spdx_license(part) or part for part in value.split()}))


def package_url(entry: dict[str, str], distro: Distro | None) -> str:
    if distro is None:
        return ""
    qualifiers: dict[str, str] = {}
    if arch := entry.get("A", ""):
        qualifiers["arch"] = arch
    origin = entry.get("o", "")
    if origin and origin != entry["P"]:
        qualifiers["upstream"] = origin
    if qualifier := distro_qualifier(distro):
        qualifiers["distro"] = qualifier
    return purl("apk", distro.id.lower(), entry["P"], entry.get("V", ""), qualifiers)


_METADATA = {"A": "arch", "o": "origin", "m": "maintainer", "c": "commit", "t": "build_time"}


_VERSION_OPERATOR = re.compile(r"[<>=~]")


def apk_names(value: str) -> tuple[str, ...]:
    """``D:``/``p:`` words without their version constraint; ``!name`` (a conflict) dropped.

    apk-tools' installed database: ``D:so:libc.musl-x86_64.so.1 busybox=1.36.1-r0 !foo``,
    ``p:cmd:busybox=1.36.1-r0 so:libcrypto.so.3=3``.
    """
    names = []
    for word in value.split():
        if word.startswith("!"):
            continue
        name = _VERSION_OPERATOR.split(word, maxsplit=1)[0]
        if name:
            names.append(name)
    return tuple(dict.fromkeys(names))


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    if path == REPOSITORIES:
        return []  # kept only so that a database without an os-release can read it
    dist = ctx.distro
    if dist is None:
        repositories = ctx.read(REPOSITORIES)
        dist = distro_from_repositories(repositories) if repositories is not None else None
    junk: list[tuple[int, str]] = []
    entries = parse_installed(data, junk)
    if not entries and data.strip():
        # an empty database is apk's state with nothing installed; text without one
        # P: paragraph is not a database
        raise CatalogError(f"no package paragraph (P:) in {len(data)} bytes", where=path)
    if junk:
        number, line = junk[0]
        more = f" and {len(junk) - 1} more" if len(junk) > 1 else ""
        ctx.warn(f"line {number} is not a field ({line[:60]!r}){more}; skipped")
    return [
        FoundPackage(
            type="apk",
            name=entry["P"],
            version=entry.get("V", ""),
            purl=package_url(entry, dist),
            licenses=_licenses(entry.get("L", "")),
            metadata=tuple(
                sorted((_METADATA[k], v) for k, v in entry.items() if k in _METADATA and v)
            ),
            supplier=entry.get("m", ""),
            provides=tuple(sorted(apk_names(entry.get("p", "")))),
            requires=tuple((name,) for name in apk_names(entry.get("D", ""))),
        )
        for entry in entries
    ]


CATALOGER = Declared(
    name="apk",
    wants=wants,
    hint=Hint(names=frozenset(("installed", "repositories"))),
    parser=parse,
    unreadable=(ValueError,),  # e.g. a purl part packageurl refuses; never leak it
    what="apk database",
)
