"""``pubspec.lock`` (Dart / Flutter pub), as syft 1.18.1's ``dart-pubspec-lock-cataloger``
reads it.

The lock file (YAML, https://dart.dev/tools/pub/glossary#lockfile) maps each package name to
its ``source`` (hosted, git, path, sdk), ``description`` and ``version``. Every one becomes a
``dart-pub`` ``pkg:pub/<name>@<version>``, with syft's qualifiers: ``hosted_url=<host>`` for a
hosted package whose registry is not ``https://pub.dartlang.org`` (syft's default: so today's
``https://pub.dev`` gets the qualifier), ``vcs_url=<url>@<resolved-ref>`` (``#<path>`` unless
the path is ``.``) for a git one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import yaml  # type: ignore[import-untyped]

from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import declared_metadata, named_files, qualified
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

wants, _HINT = named_files("pubspec.lock")

_DEFAULT_REGISTRY = "https://pub.dartlang.org"


def _text(mapping: Any, key: str) -> str:
    value = mapping.get(key) if isinstance(mapping, dict) else None
    return str(value) if isinstance(value, str | int | float) else ""


def _qualifiers(entry: dict[str, Any]) -> dict[str, str]:
    source, description = _text(entry, "source"), entry.get("description")
    if source == "hosted":
        url = _text(description, "url")
        if url != _DEFAULT_REGISTRY:
            return {"hosted_url": urlsplit(url).netloc or url}
    if source == "git":
        url, ref, sub = (_text(description, k) for k in ("url", "resolved-ref", "path"))
        return {"vcs_url": f"{url}@{ref}" if sub == "." else f"{url}@{ref}#{sub}"}
    return {}


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    try:
        doc = yaml.load(data, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise CatalogError(f"not valid YAML: {str(exc).splitlines()[0]}", where=path) from None
    packages = doc.get("packages") if isinstance(doc, dict) else None
    if not isinstance(packages, dict):
        raise CatalogError("pubspec.lock has no packages mapping", where=path)
    found = []
    for name in sorted(str(key) for key in packages):
        entry = packages.get(name)
        entry = entry if isinstance(entry, dict) else {}
        version = _text(entry, "version")
        found.append(
            FoundPackage(
                type="dart-pub",
                name=name,
                version=version,
                purl=qualified(purl("pub", "", name, version), _qualifiers(entry)),
                metadata=declared_metadata(
                    source=_text(entry, "source"), dependency=_text(entry, "dependency")
                ),
            )
        )
    return found


CATALOGER = Declared(name="dart-pubspec-lock-cataloger", wants=wants, parser=parse, hint=_HINT)
