"""Installed Ruby gems: the ``*.gemspec`` files RubyGems writes under ``specifications/``.

syft 1.18.1's ``ruby-installed-gemspec-cataloger`` reads ``**/specifications/**/*.gemspec``
(so ``specifications/default/`` too) with regular expressions over the assignments of the
``Gem::Specification.new do |s|`` block, never running Ruby. RubyGems writes them as::

    s.name = "rake".freeze
    s.version = "13.0.6"
    s.licenses = ["MIT".freeze]

A spec without a name gives no package. Licences come from ``licenses`` (and, beyond syft,
which ignores it, the singular ``license``). purl ``pkg:gem/<name>@<version>``.
"""

from __future__ import annotations

import re

from reporter.catalog._langutil import sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.purl import purl

__all__ = ["CATALOGER", "parse", "parse_gemspec", "wants"]

_MAX = WholeFile(4 * 1024 * 1024)
_ASSIGN = re.compile(
    r"^\s*(?P<var>[a-z_]\w*)\.(?P<key>name|version|licenses?|authors|homepage)\s*=\s*(?P<value>.*?)\s*$"
)
_STRING = re.compile(r"\"((?:[^\"\\]|\\.)*)\"|'((?:[^'\\]|\\.)*)'")
_TRAILER = re.compile(r"\s+(if|unless)\s+.*$")


def _strings(value: str) -> list[str]:
    value = _TRAILER.sub("", value)
    out: list[str] = []
    for match in _STRING.finditer(value):
        text = match.group(1) if match.group(1) is not None else match.group(2)
        out.append(re.sub(r"\\(.)", r"\1", text))
    return out


def parse_gemspec(text: str) -> dict[str, list[str]]:
    """The string values assigned to name, version, license(s), authors, homepage."""
    fields: dict[str, list[str]] = {}
    in_spec = False
    for line in text.splitlines():
        if "Gem::Specification.new" in line:
            in_spec = True
            continue
        if not in_spec:
            continue
        match = _ASSIGN.match(line)
        if match and match.group("key") not in fields:
            values = _strings(match.group("value"))
            if values:
                fields[match.group("key")] = values
    return fields


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    if path.endswith(".gemspec") and (
        "/specifications/" in path or path.startswith("specifications/")
    ):
        return _MAX
    return None


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    fields = parse_gemspec(data.decode("utf-8", errors="replace"))
    name = (fields.get("name") or [""])[0].strip()
    if not name:
        return []
    version = (fields.get("version") or [""])[0].strip()
    licenses = fields.get("licenses") or fields.get("license") or []
    return [
        FoundPackage(
            type="gem",
            name=name,
            version=version,
            purl=purl("gem", "", name, version),
            licenses=tuple(dict.fromkeys(x.strip() for x in licenses if x.strip())),
            metadata=sorted_metadata(
                authors=", ".join(fields.get("authors", [])),
                homepage=(fields.get("homepage") or [""])[0],
            ),
        )
    ]


CATALOGER = Declared(
    name="ruby-installed-gemspec-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(suffixes=(".gemspec",)),
)
