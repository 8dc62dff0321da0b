"""Installed R packages: the ``DESCRIPTION`` file R writes into each package's directory
(``<library>/<package>/DESCRIPTION``, e.g. ``usr/lib/R/site-library/jsonlite/DESCRIPTION``).

The file is in Debian Control File form (R's "Writing R Extensions", §1.1.1 "The DESCRIPTION
file": ``Field: value`` lines, continuation lines start with whitespace). syft 1.18.1's
``r-package-cataloger`` reads every ``**/DESCRIPTION`` in an image scan and, like us, keeps a
file only when it has both ``Package`` and ``Version``. We read fields as it does: a line
beginning with a space or tab continues the previous value (joined with a newline, trimmed),
a line without ``:`` is skipped, the last occurrence of a field wins.

Type ``R-package`` (syft's spelling), purl ``pkg:cran/<Package>@<Version>``. Licences as
syft reads the ``License`` field (see ``_licenses``).
"""

from __future__ import annotations

from reporter.catalog._langutil import sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.licences import spdx_license
from reporter.catalog.purl import purl

__all__ = ["CATALOGER", "parse", "parse_description", "wants"]

_MAX = WholeFile(1024 * 1024)


def parse_description(text: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = ""
    value: list[str] = []
    for raw in text.split("\n"):
        line = raw.removesuffix("\r")
        if not line:
            continue
        if line[0] in " \t":
            if key:
                value.append(line.strip())
            continue
        if key:
            fields[key] = "\n".join(value)
            key = ""
        name, colon, rest = line.partition(":")
        if not colon:
            continue
        key, value = name, [rest.strip()]
    if key:
        fields[key] = "\n".join(value)
    return fields


def _constraint(version: str) -> str:
    """syft's guess at an SPDX version suffix from an R constraint: ``(>= 2)`` → ``2+``."""
    version = version.replace("(", "").replace(")", "")
    if "," in version:  # SPDX has no ranges: the first constraint decides
        for part in version.split(","):
            operator, space, number = part.partition(" ")
            if space:
                return number + "+" if operator in (">", ">=") else number
    words = version.split(" ")
    if len(words) == 2:
        return words[1] + "+" if words[0] in (">", ">=") else words[1]
    return ""


def _licenses(text: str) -> tuple[str, ...]:
    """The ``License`` field as syft 1.18.1 reads it ("Writing R Extensions", §1.1.2
    "Licensing": alternatives separated by ``|``; ``GPL (>= 2)`` a name with a version
    constraint; ``MIT + file LICENSE`` a name with a pointer), each then mapped to an SPDX id
    where syft's table has one."""
    out = []
    for part in text.split("|"):
        part = part.strip()
        name, space, constraint = part.partition(" ")
        if "(" in part and ")" in part and space:
            part = name + _constraint(constraint)
        elif "+" in part and "LICENSE" in part:
            part = part.split(" ")[0]
        elif part == "file LICENSE":
            continue
        if part:
            out.append(spdx_license(part) or part)
    return tuple(dict.fromkeys(out))


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    if path.endswith("/DESCRIPTION") or path == "DESCRIPTION":
        return _MAX
    return None


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    fields = parse_description(data.decode("utf-8", errors="replace"))
    name, version = fields.get("Package", ""), fields.get("Version", "")
    if not name or not version:
        return []  # other projects name files DESCRIPTION too
    return [
        FoundPackage(
            type="R-package",
            name=name,
            version=version,
            purl=purl("cran", "", name, version),
            licenses=_licenses(fields.get("License", "")),
            metadata=sorted_metadata(
                title=" ".join(fields.get("Title", "").split()),
                repository=fields.get("Repository", ""),
                built=fields.get("Built", ""),
                needs_compilation=fields.get("NeedsCompilation", ""),
            ),
            supplier=" ".join(fields.get("Maintainer", "").split()),
        )
    ]


CATALOGER = Declared(
    name="r-package-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(names=frozenset(("DESCRIPTION",))),
)
