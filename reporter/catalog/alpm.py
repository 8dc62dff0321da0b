"""Arch Linux's pacman (libalpm) local database, as syft 1.18.1's ``alpm-db-cataloger`` reads it.

pacman keeps one directory per installed package, ``var/lib/pacman/local/<name>-<version>/``,
holding ``desc`` (the package), ``files`` (its files and backups) and, for packages built by
makepkg, ``mtree`` (gzipped mtree(5) of the files). ``desc`` is a list of blocks separated by a
blank line, each ``%KEY%`` on the first line and the value's lines after it (libalpm's
be_local.c, ``local_db_write``): ``%NAME%``, ``%VERSION%`` (``[epoch:]pkgver-pkgrel``),
``%BASE%``, ``%ARCH%``, ``%PACKAGER%``, ``%SIZE%``, ``%LICENSE%`` (one per line),
``%DEPENDS%``, ``%PROVIDES%``...

As syft (``parse_alpm_db.go``): the glob is ``**/var/lib/pacman/local/**/desc``; a block of one
line ends the reading; ``%SIZE%`` / ``%REASON%`` that are not integers make the file
unreadable; no ``%NAME%``, no package. The purl exists only when the distro id is ``arch``:
``pkg:alpm/arch/<name>@<version>?arch=<arch>&upstream=<base>&distro=arch-<VERSION_ID, else
BUILD_ID>`` (syft's qualifier falls back to ``BUILD_ID``: Arch's os-release has
``BUILD_ID=rolling`` and no ``VERSION_ID``, hence ``distro=arch-rolling``). ``files`` and
``mtree`` beside ``desc`` are supporting locations. Licences: each ``%LICENSE%`` line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reporter.catalog.distro import OS_RELEASE_PATHS, parse_os_release
from reporter.catalog.interface import Declared, Distro, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.licences import spdx_license
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "parse_desc", "wants"]

_LOCAL = "var/lib/pacman/local/"
_DESC = WholeFile(max_bytes=16 * 1024 * 1024)
_SUPPORT = WholeFile(max_bytes=64 * 1024 * 1024)  # ``files`` of a big package is a few MB
_RELEASE = WholeFile(max_bytes=64 * 1024)
_SUPPORTING = ("files", "mtree")
_INTEGERS = frozenset(("size", "reason"))


def _in_local_db(path: str) -> bool:
    marker = path.find(_LOCAL)
    return marker == 0 or (marker > 0 and path[marker - 1] == "/")


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    base = path.rpartition("/")[2]
    if base == "desc" and _in_local_db(path):
        return _DESC
    if base in _SUPPORTING and _in_local_db(path):
        return _SUPPORT  # kept only so that the package can name them
    if path in OS_RELEASE_PATHS:
        return _RELEASE  # for BUILD_ID, which the distro purl qualifier falls back to
    return None


def parse_desc(data: bytes) -> dict[str, str]:
    """``desc`` as {lower-case key: value}, read as syft reads it."""
    fields: dict[str, str] = {}
    text = data.decode("utf-8", errors="replace")
    for block in text.split("\n\n"):
        key, sep, value = block.partition("\n")
        if not sep:
            break  # syft's "End of File": a block without a value line stops the reading
        key = key.replace("%", "").lower()
        value = value.strip()
        if key in _INTEGERS and not re.fullmatch(r"[+-]?[0-9]+", value):
            raise CatalogError(f"%{key.upper()}% is not an integer: {value[:40]!r}")
        fields[key] = value
    return fields


_CONSTRAINT = re.compile(r"[<>=]")


def _names(value: str) -> list[str]:
    """``glibc>=2.38`` / ``libfoo.so=1-64`` lines → names (alpm_dep_from_string's split)."""
    names = []
    for line in value.split("\n"):
        name = _CONSTRAINT.split(line.strip(), maxsplit=1)[0]
        if name:
            names.append(name)
    return list(dict.fromkeys(names))


def _distro_version(distro: Distro, ctx: ParseContext) -> str:
    if distro.version_id:
        return distro.version_id
    for path in (distro.source_path, *OS_RELEASE_PATHS):
        text = ctx.read(path) if path else None
        if text is not None:
            return parse_os_release(text.decode("utf-8", errors="replace")).get("BUILD_ID", "")
    return ""


def package_url(fields: dict[str, str], ctx: ParseContext) -> str:
    distro = ctx.distro
    if distro is None or distro.id != "arch":
        return ""  # syft: no namespace variation (no ID_LIKE), no purl at all
    qualifiers = {"arch": fields.get("arch", ""), "upstream": fields.get("base", "")}
    qualifiers["distro"] = "-".join(p for p in (distro.id, _distro_version(distro, ctx)) if p)
    return purl("alpm", distro.id, fields["name"], fields.get("version", ""), qualifiers)


def parse(path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
    if path.rpartition("/")[2] != "desc":
        return []
    fields = parse_desc(data)
    name = fields.get("name", "")
    if not name:
        if data.strip():
            raise CatalogError("no %NAME% block")
        raise CatalogError("empty file: no package")
    directory = path.rpartition("/")[0]
    licenses = [line.strip() for line in fields.get("license", "").split("\n") if line.strip()]
    return [
        FoundPackage(
            type="alpm",
            name=name,
            version=fields.get("version", ""),
            purl=package_url(fields, ctx),
            licenses=tuple(dict.fromkeys(spdx_license(lic) or lic for lic in licenses)),
            metadata=tuple(
                sorted(
                    (key, fields[field])
                    for key, field in (
                        ("arch", "arch"),
                        ("base", "base"),
                        ("packager", "packager"),
                        ("size", "size"),
                        ("url", "url"),
                        ("validation", "validation"),
                    )
                    if fields.get(field)
                )
            ),
            supporting_paths=tuple(
                candidate
                for candidate in (f"{directory}/{n}" for n in _SUPPORTING)
                if ctx.read(candidate) is not None
            ),
            supplier=fields.get("packager", ""),
            provides=tuple(sorted(_names(fields.get("provides", "")))),
            requires=tuple((n,) for n in _names(fields.get("depends", ""))),
        )
    ]


CATALOGER = Declared(
    name="alpm-db-cataloger",
    wants=wants,
    hint=Hint(names=frozenset(("desc", *_SUPPORTING, "os-release"))),
    parser=parse,
    unreadable=(ValueError,),
    what="pacman database",
)
