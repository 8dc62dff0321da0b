"""Gentoo's installed-package database (the portage "vdb"), as syft 1.18.1's ``portage-cataloger``.

Portage records each installed package in a directory ``var/db/pkg/<category>/<name>-<version>/``
of one-value files named after the ebuild variables (Portage's ``vartree``/``dblink``, the
"vdb" of the Gentoo Development Guide and the Package Manager Specification's terms): ``CONTENTS``
(one line per installed entry: ``dir <path>``, ``obj <path> <md5> <mtime>``, ``sym <path> ->
<target> <mtime>``), ``LICENSE`` (the ebuild's LICENSE, a dependency-style expression such as
``|| ( MIT Apache-2.0 )``), ``SIZE`` (bytes installed), and more (``SLOT``, ``USE``, ...).

As syft: the glob is ``**/var/db/pkg/*/*/CONTENTS``; the name is ``<category>/<name>`` and the
version comes from the directory by syft's regex (PMS 3.2 versions: ``1.2.3``, a letter, ``_pre``
/ ``_p`` / ``_beta`` / ``_alpha`` / ``_rc`` suffixes, ``-rN``); a directory it does not match is
an error (a finding). purl ``pkg:ebuild/<category>/<name>@<version>``. Licences: every token of
``LICENSE`` that is not an operator (``||``, ``(``, ``)``) or a USE conditional (``flag?``),
each mapped to SPDX where it maps. ``LICENSE`` and ``SIZE`` are supporting locations.

No tool that writes a vdb is reachable here (no Portage on Debian): the tests write the files
as the formats above say, and check them against syft.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.licences import spdx_license
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

_VDB = "var/db/pkg/"
_CONTENTS = WholeFile(max_bytes=64 * 1024 * 1024)
_SMALL = WholeFile(max_bytes=64 * 1024)
_SUPPORTING = ("LICENSE", "SIZE")
# syft 1.18.1's cpvRe, anchored on the path after the vdb root
_CPV = re.compile(
    r"/([^/]*/[\w+][\w+-]*)-((\d+)((\.\d+)*)([a-z]?)((_(pre|p|beta|alpha|rc)\d*)*)(-r\d+)?)"
    r"/CONTENTS$"
)
_OPERATORS = frozenset(("||", "(", ")"))


def _package_dir(path: str) -> str:
    """``<category>/<pf>`` when ``path`` is a file directly in a vdb package directory."""
    marker = path.find(_VDB)
    if marker < 0 or (marker > 0 and path[marker - 1] != "/"):
        return ""
    rest = path[marker + len(_VDB) :]
    if rest.count("/") != 2:
        return ""
    return rest.rpartition("/")[0]


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    base = path.rpartition("/")[2]
    if base == "CONTENTS" and _package_dir(path):
        return _CONTENTS
    if base in _SUPPORTING and _package_dir(path):
        return _SMALL
    return None


def _licenses(text: str) -> tuple[str, ...]:
    tokens = {
        token
        for token in text.split()
        if token not in _OPERATORS and not token.endswith("?") and not token.startswith("!")
    }
    return tuple(sorted({spdx_license(token) or token for token in tokens}))


def parse(path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
    if path.rpartition("/")[2] != "CONTENTS":
        return []  # LICENSE and SIZE are read through the CONTENTS beside them
    match = _CPV.search("/" + path)
    if match is None:
        raise CatalogError("no <name>-<version> package directory (Gentoo's PMS 3.2)")
    name, version = match.group(1), match.group(2)
    directory = path.rpartition("/")[0]
    licence = ctx.read(f"{directory}/LICENSE")
    size = ctx.read(f"{directory}/SIZE")
    size_text = size.decode("utf-8", errors="replace").strip() if size is not None else ""
    category, _, short = name.partition("/")
    return [
        FoundPackage(
            type="portage",
            name=name,
            version=version,
            purl=purl("ebuild", category, short, version),
            licenses=_licenses(licence.decode("utf-8", errors="replace")) if licence else (),
            metadata=(("installed_size", size_text),) if size_text.isdigit() else (),
            supporting_paths=tuple(
                candidate
                for candidate in (f"{directory}/{n}" for n in _SUPPORTING)
                if ctx.read(candidate) is not None
            ),
        )
    ]


CATALOGER = Declared(
    name="portage-cataloger",
    wants=wants,
    hint=Hint(names=frozenset(("CONTENTS", *_SUPPORTING))),
    parser=parse,
    unreadable=(ValueError,),
    what="portage database",
)
