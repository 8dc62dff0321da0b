"""Python lock and requirement files, as syft 1.18.1's ``python-package-cataloger`` reads them.

* ``poetry.lock`` (TOML, https://python-poetry.org/docs/basic-usage/#installing-with-poetrylock):
  every ``[[package]]`` with its ``name`` and ``version``, dev groups included (the lock file
  does not say which groups an image installed; syft keeps them all);
* ``Pipfile.lock`` (JSON, https://github.com/pypa/pipfile#pipfilelock): the ``default``
  section only (syft leaves ``develop`` out), the version without its ``==``;
* ``*requirements*.txt`` (https://pip.pypa.io/en/stable/reference/requirements-file-format/):
  only pinned requirements ``name==version`` (ranges, bare names, URLs, paths and ``-`` options
  give nothing, as in syft); continuation lines joined, comments, environment markers,
  ``--hash`` options and extras dropped; the name normalised as PEP 503 says (``zope.interface``
  → ``zope-interface``); ``===`` leaves ``=`` in the version, as syft does.

All are ``python`` packages, ``pkg:pypi/<name>@<version>``.
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from reporter.catalog._langutil import load_json
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.lockfiles._common import MAX, basename, declared_metadata
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]


def _is_requirements(name: str) -> bool:
    return name.endswith(".txt") and "requirements" in name


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    name = basename(path)
    if name in ("poetry.lock", "Pipfile.lock") or _is_requirements(name):
        return MAX
    return None


def _python(name: str, version: str) -> FoundPackage:
    return FoundPackage(
        type="python",
        name=name,
        version=version,
        purl=purl("pypi", "", name, version),
        metadata=declared_metadata(),
    )


def _poetry(path: str, data: bytes) -> list[FoundPackage]:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"not valid TOML: {exc}", where=path) from None
    found = []
    for entry in doc.get("package", ()) if isinstance(doc.get("package"), list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]:
            version = entry.get("version")
            found.append(_python(entry["name"], version if isinstance(version, str) else ""))
    return found


def _pipfile(path: str, data: bytes) -> list[FoundPackage]:
    doc = load_json(data, path)
    if not isinstance(doc, dict):
        raise CatalogError("Pipfile.lock is not a JSON object", where=path)
    default: Any = doc.get("default")
    found = []
    for name, entry in sorted(default.items()) if isinstance(default, dict) else ():
        if isinstance(entry, dict):
            version = entry.get("version")
            text = version if isinstance(version, str) else ""
            found.append(_python(name, text.removeprefix("==")))
    return found


_OPTION = re.compile(r"\s+--?[A-Za-z]")
_EXTRAS = re.compile(r"\[.*?\]")
_SEPARATORS = re.compile(r"[-_.]+")


def _requirement(line: str) -> tuple[str, str] | None:
    line = line.split(" #", 1)[0].strip()
    if not line or line.startswith(("#", "-")) or "==" not in line:
        return None
    line = _OPTION.split(line.split(";", 1)[0], maxsplit=1)[0]
    name, _, version = line.partition("==")
    name = _EXTRAS.sub("", name).strip()
    version = version.strip()
    if not name or not version or "://" in line or name.startswith((".", "/")):
        return None
    return _SEPARATORS.sub("-", name).lower(), version


def _requirements(data: bytes) -> list[FoundPackage]:
    text = data.decode("utf-8", "replace").replace("\\\r\n", " ").replace("\\\n", " ")
    found = []
    for line in text.splitlines():
        parsed = _requirement(line)
        if parsed is not None:
            found.append(_python(*parsed))
    return found


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    name = basename(path)
    if name == "poetry.lock":
        return _poetry(path, data)
    if name == "Pipfile.lock":
        return _pipfile(path, data)
    return _requirements(data)


# tomllib recurses into nested arrays and tables: a deep enough one exhausts the stack
CATALOGER = Declared(
    name="python-package-cataloger",
    wants=wants,
    # poetry.lock, Pipfile.lock, and *requirements*.txt (``_is_requirements``)
    hint=Hint(names=frozenset(("poetry.lock", "Pipfile.lock")), suffixes=(".txt",)),
    parser=parse,
    unreadable=(RecursionError,),
    what="TOML (nested too deep)",
)
