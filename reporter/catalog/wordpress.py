"""WordPress plugins: the header comment of a plugin's main PHP file.

WordPress reads a plugin's metadata from a comment block of ``Header: value`` lines in a PHP
file directly inside ``wp-content/plugins/<plugin>/`` (developer.wordpress.org, Plugin
Handbook, "Header Requirements": ``Plugin Name`` is the only required header). syft 1.18.1's
``wordpress-plugins-cataloger`` (on in image scans) reads every
``**/wp-content/plugins/*/*.php`` and makes a package of a file in which it finds both a
``Plugin Name:`` and a ``Version:`` (digits and dots); so do we, with its patterns (first
match in the whole file, case-insensitive): the name is the rest of the line, the licence the
first word after ``License:``.

Type ``wordpress-plugin``; no purl (purl-spec has no WordPress type and syft gives none).

A plugin directory holds many PHP files and only one has the header: ``HeaderScanner`` reads
each in the one streaming pass and keeps it only when it says ``Plugin Name:``, so the others
are not held until parsing.
"""

from __future__ import annotations

import re

from reporter.catalog._langutil import sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext
from reporter.catalog.licences import spdx_license

__all__ = ["CATALOGER", "HeaderScanner", "parse", "wants"]

_MAX = 16 * 1024 * 1024
_MARK = "wp-content/plugins/"
# Go's RE2 classes (ASCII \d \w; \s is [\t\n\f\r ]); Python's . and Go's both stop at \n only
_S = r"[\t\n\f\r ]*"
_NAME = re.compile(r"(?i)plugin name:" + _S + r"(.+)")
_VERSION = re.compile(r"(?i)version:" + _S + r"([0-9.]+)")
_LICENSE = re.compile(r"(?i)license:" + _S + r"([0-9A-Za-z_]+)")
_AUTHOR = re.compile(r"(?i)author:" + _S + r"(.+)")
_AUTHOR_URI = re.compile(r"(?i)author uri:" + _S + r"(.+)")


class HeaderScanner:
    """Keeps the file only if it contains ``Plugin Name:`` (any case), as the parser needs."""

    def __init__(self) -> None:
        self._data = bytearray()
        self._too_big = False

    def feed(self, chunk: bytes) -> bool:
        self._data += chunk
        if len(self._data) > _MAX:
            self._too_big = True
            self._data = bytearray()
            return False
        return True

    def result(self) -> bytes | None:
        if self._too_big or not _HAS_NAME.search(self._data):
            return None
        return bytes(self._data)


_HAS_NAME = re.compile(rb"(?i)plugin name:")


def wants(path: str, mode: int, size: int) -> HeaderScanner | None:
    if not path.endswith(".php") or size > _MAX:
        return None
    at = path.rfind(_MARK)
    if at < 0 or (at > 0 and path[at - 1] != "/"):
        return None
    rest = path[at + len(_MARK) :]
    slash = rest.find("/")
    if slash <= 0 or "/" in rest[slash + 1 :]:
        return None
    return HeaderScanner()


def _first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(1) if match else ""


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    text = data.decode("utf-8", errors="replace")
    name, version = _first(_NAME, text), _first(_VERSION, text)
    if not name or not version:
        return []  # a plugin's other PHP files
    licence = _first(_LICENSE, text)
    return [
        FoundPackage(
            type="wordpress-plugin",
            name=name,
            version=version,
            licenses=(spdx_license(licence) or licence,) if licence else (),
            metadata=sorted_metadata(
                plugin_name=path.rsplit("/", 2)[-2],
                author_uri=_first(_AUTHOR_URI, text).strip(),
            ),
            authors=tuple(a for a in (_first(_AUTHOR, text).strip(),) if a),
        )
    ]


CATALOGER = Declared(
    name="wordpress-plugins-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(suffixes=(".php",)),
)
