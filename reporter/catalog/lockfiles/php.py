"""``composer.lock``, as syft 1.18.1's ``php-composer-lock-cataloger`` reads it.

The lock file (https://getcomposer.org/doc/01-basic-usage.md#commit-your-composer-lock-file-to-version-control)
is a JSON object whose ``packages`` are what ``composer install --no-dev`` installs and whose
``packages-dev`` the rest. syft reads ``packages`` only; so do we. Each entry with a ``name`` is
a ``php-composer`` ``pkg:composer/<vendor>/<name>@<version>``, licences from ``license``.

Composer always writes ``license`` as a list in the lock file (composer.json may hold a string).
syft decodes it into a list of strings and fails on the whole file when one is not (measured:
"cannot unmarshal string into Go struct field ... license of type []string"), so a lock file
with another shape is a ``CatalogError`` here too, not a guess.
"""

from __future__ import annotations

from typing import Any

from reporter.catalog._langutil import json_text, load_json
from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import declared_metadata, named_files
from reporter.catalog.purl import scoped_purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

wants, _HINT = named_files("composer.lock")


def _licenses(entry: dict[str, Any], path: str) -> tuple[str, ...]:
    value = entry.get("license")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(
            f"license of {json_text(entry, 'name')!r} is not a list of strings", where=path
        )
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


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
                licenses=_licenses(entry, path),
                metadata=declared_metadata(package_type=json_text(entry, "type")),
            )
        )
    return found


CATALOGER = Declared(name="php-composer-lock-cataloger", wants=wants, parser=parse, hint=_HINT)
