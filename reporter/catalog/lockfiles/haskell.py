"""Haskell: ``stack.yaml.lock``, ``stack.yaml`` and ``cabal.project.freeze``, as syft 1.18.1's
``haskell-cataloger`` reads them. All give ``hackage`` packages, ``pkg:hackage/<name>@<version>``.

* ``stack.yaml.lock`` (https://docs.haskellstack.org/en/stable/topics/lock_files/): each
  ``packages[].completed.hackage`` is ``name-version@sha256:<hash>,<size>``;
* ``stack.yaml``: each ``extra-deps`` string of the same ``name-version[@...]`` shape;
* ``cabal.project.freeze`` (https://cabal.readthedocs.io/en/stable/cabal-commands.html#cabal-freeze):
  each ``any.<name> ==<version>`` constraint (flag constraints such as ``zlib -bundled-c-zlib``
  give nothing).

The name is what precedes the last ``-`` of ``name-version`` (Hackage names may hold ``-``,
versions never do).
"""

from __future__ import annotations

from typing import Any

import yaml  # type: ignore[import-untyped]

from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import basename, declared_metadata, named_files
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

wants, _HINT = named_files("stack.yaml.lock", "stack.yaml", "cabal.project.freeze")


def _hackage(name: str, version: str, **metadata: str) -> FoundPackage:
    return FoundPackage(
        type="hackage",
        name=name,
        version=version,
        purl=purl("hackage", "", name, version),
        metadata=declared_metadata(**metadata),
    )


def _name_version(text: str) -> tuple[str, str, str] | None:
    """``name-version@sha256:h,size`` → (name, version, hash part)."""
    package, _, digest = text.partition("@")
    name, sep, version = package.rpartition("-")
    if not sep or not name or not version:
        return None
    return name, version, digest


def _yaml(path: str, data: bytes) -> Any:
    try:
        return yaml.load(data, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise CatalogError(f"not valid YAML: {str(exc).splitlines()[0]}", where=path) from None


def _stack_lock(path: str, data: bytes) -> list[FoundPackage]:
    doc = _yaml(path, data)
    packages = doc.get("packages") if isinstance(doc, dict) else None
    found = []
    for entry in packages if isinstance(packages, list) else ():
        completed = entry.get("completed") if isinstance(entry, dict) else None
        hackage = completed.get("hackage") if isinstance(completed, dict) else None
        parsed = _name_version(hackage) if isinstance(hackage, str) else None
        if parsed is not None:
            found.append(_hackage(parsed[0], parsed[1], hash=parsed[2]))
    return found


def _stack_yaml(path: str, data: bytes) -> list[FoundPackage]:
    doc = _yaml(path, data)
    deps = doc.get("extra-deps") if isinstance(doc, dict) else None
    found = []
    for dep in deps if isinstance(deps, list) else ():
        parsed = _name_version(dep) if isinstance(dep, str) else None
        if parsed is not None:
            found.append(_hackage(parsed[0], parsed[1], hash=parsed[2]))
    return found


def _freeze(data: bytes) -> list[FoundPackage]:
    found = []
    for line in data.decode("utf-8", "replace").splitlines():
        text = line.strip().removeprefix("constraints:").strip()
        if not text.startswith("any.") or "==" not in text:
            continue
        name, _, version = text[4:].partition("==")
        name, version = name.strip(), version.strip().rstrip(",").strip()
        if name and version:
            found.append(_hackage(name, version))
    return found


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    name = basename(path)
    if name == "stack.yaml.lock":
        return _stack_lock(path, data)
    if name == "stack.yaml":
        return _stack_yaml(path, data)
    return _freeze(data)


CATALOGER = Declared(name="haskell-cataloger", wants=wants, parser=parse, hint=_HINT)
