"""Installed Composer packages: ``vendor/composer/installed.json``.

Composer 1 writes a JSON array of packages; Composer 2 writes ``{"packages": [...],
"dev": ..., "dev-package-names": [...]}``. syft 1.18.1's ``php-composer-installed-cataloger``
reads every file named ``installed.json`` (not only under ``vendor/composer/``), so we do too,
for parity; a JSON document of another shape gives no package. Each entry with a ``name``
becomes ``php-composer`` ``pkg:composer/<vendor>/<name>@<version>`` (case kept, as syft keeps
it); licences from ``license`` (a list, or a string).
"""

from __future__ import annotations

from typing import Any

from reporter.catalog._langutil import json_text, load_json, sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, ParseContext, WholeFile
from reporter.catalog.purl import scoped_purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

_MAX = WholeFile(64 * 1024 * 1024)


def _licenses(entry: dict[str, Any]) -> tuple[str, ...]:
    value = entry.get("license")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(v.strip() for v in value if isinstance(v, str) and v.strip()))


def _source(entry: dict[str, Any]) -> str:
    for key in ("source", "dist"):
        value = entry.get(key)
        if isinstance(value, dict):
            url = json_text(value, "url")
            if url:
                return url
    return ""


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    if path.endswith("installed.json") and (path == "installed.json" or path[-15] == "/"):
        return _MAX
    return None


def _package(entry: dict[str, Any]) -> FoundPackage | None:
    name = json_text(entry, "name")
    if not name:
        return None
    version = json_text(entry, "version")
    source = entry.get("source")
    return FoundPackage(
        type="php-composer",
        name=name,
        version=version,
        purl=scoped_purl("composer", name, version),
        licenses=_licenses(entry),
        metadata=sorted_metadata(
            package_type=json_text(entry, "type"),
            source=_source(entry),
            reference=json_text(source, "reference") if isinstance(source, dict) else "",
        ),
    )


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    doc = load_json(data, path)
    if isinstance(doc, dict):
        doc = doc.get("packages")
        if doc is None:
            return []
    if not isinstance(doc, list):
        raise CatalogError("installed.json has no packages list", where=path)
    packages = (_package(entry) for entry in doc if isinstance(entry, dict))
    return [found for found in packages if found is not None]


CATALOGER = Declared(name="php-composer-installed-cataloger", wants=wants, parser=parse)
