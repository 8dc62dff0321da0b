"""Installed npm packages: every ``package.json`` in the image.

syft 1.18.1's ``javascript-package-cataloger`` (the one it runs on images) reads every file
named ``package.json``, not only those under ``node_modules``: the application's own root
``package.json``, ``"private": true`` packages and stray ``package.json`` files inside a
package's folders all become packages. We do the same for parity. What it skips, we skip:

* a file that is not a JSON object (syft logs a parse error; we raise ``CatalogError``);
* an object without a ``name`` string (no package);

A missing ``version`` gives a package with an empty version and a purl without ``@version``
(syft prints that version as ``UNKNOWN`` in its JSON; its purl has no version either).

Licences: ``license`` as a string or as ``{"type": ...}``, or the deprecated ``licenses``
array of ``{"type": ...}`` objects, as syft reads them; beyond syft, strings inside a
``license`` / ``licenses`` array are read too (syft drops them).

purl: ``pkg:npm/<name>@<version>`` with the scope as namespace, so ``@types/node`` →
``pkg:npm/%40types/node@…``.
"""

from __future__ import annotations

from typing import Any

from reporter.catalog._langutil import json_text, load_json, sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.purl import scoped_purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

_MAX = WholeFile(16 * 1024 * 1024)


def _license_of(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        kind = value.get("type")
        return [kind.strip()] if isinstance(kind, str) and kind.strip() else []
    if isinstance(value, list):
        found: list[str] = []
        for item in value:
            found.extend(_license_of(item))
        return found
    return []


def _licenses(doc: dict[str, Any]) -> tuple[str, ...]:
    found = _license_of(doc.get("license"))
    if not found:
        licenses = doc.get("licenses")
        if isinstance(licenses, list):
            found = _license_of(licenses)
    return tuple(dict.fromkeys(found))


def _author(doc: dict[str, Any]) -> str:
    author = doc.get("author")
    if isinstance(author, str):
        return author.strip()
    if isinstance(author, dict):
        return json_text(author, "name")
    return ""


def _dependencies(doc: dict[str, Any]) -> tuple[tuple[str, ...], ...]:
    """``dependencies`` names (not dev/optional/peer: not needed at run time), sorted."""
    deps = doc.get("dependencies")
    if not isinstance(deps, dict):
        return ()
    return tuple((name,) for name in sorted(deps) if isinstance(name, str) and name)


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    if path.endswith("package.json") and (path == "package.json" or path[-13] == "/"):
        return _MAX
    return None


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    doc = load_json(data, path)
    if not isinstance(doc, dict):
        raise CatalogError("package.json is not a JSON object", where=path)
    name = json_text(doc, "name")
    if not name:
        return []
    version = json_text(doc, "version")
    repository = doc.get("repository")
    repo_url = repository if isinstance(repository, str) else ""
    if isinstance(repository, dict):
        repo_url = json_text(repository, "url")
    return [
        FoundPackage(
            type="npm",
            name=name,
            version=version,
            purl=scoped_purl("npm", name, version),
            licenses=_licenses(doc),
            metadata=sorted_metadata(
                author=_author(doc),
                homepage=json_text(doc, "homepage"),
                private="true" if doc.get("private") is True else "",
                url=repo_url,
                in_node_modules="true" if "node_modules/" in path else "",
            ),
            authors=(_author(doc),) if _author(doc) else (),
            requires=_dependencies(doc),
        )
    ]


CATALOGER = Declared(
    name="javascript-package-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(names=frozenset(("package.json",))),
)
