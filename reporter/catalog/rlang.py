"""Installed R packages: the ``DESCRIPTION`` file R writes into each package's directory
(``<library>/<package>/DESCRIPTION``, e.g. ``usr/lib/R/site-library/jsonlite/DESCRIPTION``).

The file is in Debian Control File form (R's "Writing R Extensions", §1.1.1 "The DESCRIPTION
file": ``Field: value`` lines, continuation lines start with whitespace). syft 1.18.1's
``r-package-cataloger`` reads every ``**/DESCRIPTION`` in an image scan and, like us, keeps a
file only when it has both ``Package`` and ``Version``. We read fields as it does: a line
beginning with a space or tab continues the previous value (joined with a newline, trimmed),
a line without ``:`` is skipped, the last occurrence of a field wins.

Type ``R-package`` (syft's spelling), purl ``pkg:cran/<Package>@<Version>``. Licences: the
``License`` field's alternatives (``|``), without the ``+ file LICENSE`` pointers that R's
manual allows next to a licence name.
"""

from __future__ import annotations

import re

from reporter.catalog._langutil import sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, ParseContext, WholeFile
from reporter.catalog.purl import purl

__all__ = ["CATALOGER", "parse", "parse_description", "wants"]

_MAX = WholeFile(1024 * 1024)
_FILE_POINTER = re.compile(r"\s*\+?\s*file\s+LICEN[CS]E\s*$", re.IGNORECASE)


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


def _licenses(text: str) -> tuple[str, ...]:
    out = []
    for part in text.split("|"):
        part = _FILE_POINTER.sub("", " ".join(part.split()))
        if part and not part.lower().startswith("file "):
            out.append(part)
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


CATALOGER = Declared(name="r-package-cataloger", wants=wants, parser=parse)
