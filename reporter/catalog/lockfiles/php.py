"""``composer.lock``, as syft 1.18.1's ``php-composer-lock-cataloger`` reads it.

The lock file (https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control)
is a JSON object whose ``packages`` are what ``composer install --no-dev`` installs and whose
``packages-dev`` the rest. syft reads ``packages`` only; so do we. Each entry with a ``name`` is
a ``php-composer`` ``pkg:composer/<vendor>/<name>@<version>``, licences from ``license`` (a
list, or a string).
"""

from __future__ import annotations

from typing import Any

from reporter.catalog._langutil import json_text, load_json
from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import declared_metadata, wants_names
from reporter.catalog.purl import scoped_purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

wants = wants_names("composer.lock")


def _licenses(entry: dict[str, Any]) -> tuple[str, ...]:
    value = entry.get("license")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(v.strip() for v in value if isinstance(v, str) and v.strip()))


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    doc = load_json(data, path)
    if not isinstance(doc, dict):
        raise CatalogError("composer.lock is not a JSON object", where=path)
    packages = doc.get("packages")
    found = []
    for entry in packages if isinstance(packages, list) else ():
        name = json_text(entry, "name") if isinstance(entry, dict) else ""
        if not name:
            continue
        version = json_text(entry, "version")
        found.append(
            FoundPackage(
                type="php-composer",
                name=name,
                version=version,
                purl=scoped_purl("composer", name, version),
                licenses=_licenses(entry),
                metadata=declared_metadata(package_type=json_text(entry, "type")),
            )
        )
    return found


CATALOGER = Declared(name="php-composer-lock-cataloger", wants=wants, parser=parse)
