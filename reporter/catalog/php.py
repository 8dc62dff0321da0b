"""Installed Composer packages: ``vendor/composer/installed.json``.

Composer 1 writes a JSON array of packages; Composer 2 writes ``{"packages": [...],
"dev": ..., "dev-package-names": [...]}``. syft 1.18.1's ``php-composer-installed-cataloger``
reads every file named ``installed.json`` (not only under ``vendor/composer/``), so we do too,
for parity; a JSON document of another shape gives no package. Each entry with a ``name``
becomes ``php-composer`` ``pkg:composer/<vendor>/<name>@<version>`` (case kept, as syft keeps
it); licences from ``license`` (a list, or a string).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reporter.catalog._langutil import load_json, purl, sorted_metadata
from reporter.catalog.interface import FoundPackage, ParseContext, Scanner, WholeFile
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "ComposerInstalledCataloger", "composer_purl"]

_MAX = 64 * 1024 * 1024


def composer_purl(name: str, version: str) -> str:
    vendor, sep, local = name.partition("/")
    if not sep:
        vendor, local = "", name
    return purl("composer", vendor, local, version)


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    return value.strip() if isinstance(value, str) else ""


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
            url = _text(value, "url")
            if url:
                return url
    return ""


class ComposerInstalledCataloger:
    @property
    def name(self) -> str:
        return "php-composer-installed-cataloger"

    def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
        if path.endswith("installed.json") and (path == "installed.json" or path[-15] == "/"):
            return WholeFile(_MAX)
        return None

    def parse(self, path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
        doc = load_json(data, path)
        if isinstance(doc, dict):
            doc = doc.get("packages")
            if doc is None:
                return []
        if not isinstance(doc, list):
            raise CatalogError("installed.json has no packages list", where=path)
        found: list[FoundPackage] = []
        for entry in doc:
            if not isinstance(entry, dict):
                continue
            name = _text(entry, "name")
            if not name:
                continue
            version = _text(entry, "version")
            found.append(
                FoundPackage(
                    type="php-composer",
                    name=name,
                    version=version,
                    purl=composer_purl(name, version),
                    licenses=_licenses(entry),
                    metadata=sorted_metadata(
                        package_type=_text(entry, "type"),
                        source=_source(entry),
                        reference=_text(entry.get("source") or {}, "reference")
                        if isinstance(entry.get("source"), dict)
                        else "",
                    ),
                )
            )
        return found


CATALOGER = ComposerInstalledCataloger()
