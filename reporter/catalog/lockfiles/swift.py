"""``Package.resolved`` (Swift Package Manager), as syft 1.18.1's
``swift-package-manager-cataloger`` reads it.

Version 1 of the file (https://github.com/apple/swift-package-manager, ``PinsStore``) is
``{"object": {"pins": [{"package", "repositoryURL", "state": {"version", "revision"}}]}}``;
versions 2 and 3 are ``{"pins": [{"identity", "location", "state": {...}}]}``. Every pin is a
``swift`` package named by its ``package`` / ``identity``, at ``state.version`` (empty for a
branch pin), ``pkg:swift/<location without its scheme>/<name>@<version>`` as syft spells it
(``git@github.com:o/r.git`` kept whole). syft also reads ``.package.resolved``; so do we.
"""

from __future__ import annotations

from typing import Any

from reporter.catalog._langutil import json_text, load_json
from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import declared_metadata, named_files
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

wants, _HINT = named_files("Package.resolved", ".package.resolved")


def _pins(doc: dict[str, Any]) -> tuple[list[Any], str, str]:
    if doc.get("version") == 1:
        inner = doc.get("object")
        pins = inner.get("pins") if isinstance(inner, dict) else None
        return (pins if isinstance(pins, list) else []), "package", "repositoryURL"
    pins = doc.get("pins")
    return (pins if isinstance(pins, list) else []), "identity", "location"


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    doc = load_json(data, path)
    if not isinstance(doc, dict):
        raise CatalogError("Package.resolved is not a JSON object", where=path)
    pins, name_key, location_key = _pins(doc)
    found = []
    for pin in pins:
        if not isinstance(pin, dict) or not json_text(pin, name_key):
            continue
        name, location = json_text(pin, name_key), json_text(pin, location_key)
        raw_state = pin.get("state")
        state: dict[str, Any] = raw_state if isinstance(raw_state, dict) else {}
        version = json_text(state, "version")
        found.append(
            FoundPackage(
                type="swift",
                name=name,
                version=version,
                purl=purl("swift", location.partition("://")[2] or location, name, version),
                metadata=declared_metadata(revision=json_text(state, "revision")),
            )
        )
    return found


CATALOGER = Declared(name="swift-package-manager-cataloger", wants=wants, parser=parse, hint=_HINT)
