"""JavaScript lock files: ``package-lock.json`` (v1, v2, v3), ``yarn.lock`` (v1 and berry),
``pnpm-lock.yaml`` (v5 to v9), as syft 1.18.1's ``javascript-lock-cataloger`` reads them.

package-lock.json (https://docs.npmjs.com/cli/v10/configuring-npm/package-lock-json):

* a lock file below a ``node_modules`` directory is skipped (it is a dependency's, not the
  project's);
* v1: every top-level ``dependencies`` entry (nested ones are not read), ``"dev": true``
  skipped; an ``npm:real@1.2.3`` alias version gives ``real`` ``1.2.3``; no licences;
* v2 / v3: every ``packages`` entry, ``"dev": true`` skipped (``devOptional`` kept); the name
  is the entry's ``name`` (the root ``""`` entry is kept only with one) or what follows the
  last ``node_modules/`` of its key; licences from a ``license`` string or list of strings.

yarn.lock: every entry whose first specifier has an ``@`` (so berry's ``__metadata`` is not
one), the name from that specifier (``a@npm:b@^1`` aliases name ``b``; a berry ``patch:``
entry names the package it patches), the version from its ``version`` line; one package per
name and version. Berry's workspace entries (``x@workspace:.``,
version ``0.0.0-use.local``) are kept, as syft keeps them. The file is read line by line, as
syft does, not as YAML (a v1 file is not YAML).

pnpm-lock.yaml (YAML): every key of ``packages``; v9 keys are ``name@version``, v6 to v8
``/name@version``, v5 ``/name/version``; a ``(peer@x)`` suffix is cut, v5's ``_peer@x``
suffix is kept in the version (as syft keeps it). Dev packages are kept: pnpm marks them, syft
does not look.

All are ``npm`` packages, ``pkg:npm/<scope>/<name>@<version>``.
"""

from __future__ import annotations

import re
from typing import Any

import yaml  # type: ignore[import-untyped]

from reporter.catalog._langutil import load_json
from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import basename, declared_metadata, named_files
from reporter.catalog.purl import scoped_purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

wants, _HINT = named_files("package-lock.json", "yarn.lock", "pnpm-lock.yaml")


def _npm(name: str, version: str, licenses: tuple[str, ...] = ()) -> FoundPackage:
    return FoundPackage(
        type="npm",
        name=name,
        version=version,
        purl=scoped_purl("npm", name, version),
        licenses=licenses,
        metadata=declared_metadata(),
    )


def _lock_licenses(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return ()  # syft reads a string or a list of strings; anything else is no licence
    return tuple(dict.fromkeys(v.strip() for v in value if v.strip()))


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    return value if isinstance(value, str) else ""


def _package_lock(path: str, data: bytes) -> list[FoundPackage]:
    if "node_modules" in path.split("/"):
        return []
    doc = load_json(data, path)
    if not isinstance(doc, dict):
        raise CatalogError("package-lock.json is not a JSON object", where=path)
    found: list[FoundPackage] = []
    version = doc.get("lockfileVersion")
    if version == 1:
        deps = doc.get("dependencies")
        for name, entry in (deps if isinstance(deps, dict) else {}).items():
            if not isinstance(entry, dict) or entry.get("dev") is True:
                continue
            release = _text(entry, "version")
            if release.startswith("npm:") and "@" in release[5:]:
                alias, _, release = release[4:].rpartition("@")
                name = alias
            found.append(_npm(name, release))
    elif version in (2, 3):
        packages = doc.get("packages")
        for key, entry in (packages if isinstance(packages, dict) else {}).items():
            if not isinstance(entry, dict) or entry.get("dev") is True:
                continue
            name = _text(entry, "name") or key
            if not name:
                continue  # the root entry without a name
            name = name.split("node_modules/")[-1]
            found.append(_npm(name, _text(entry, "version"), _lock_licenses(entry.get("license"))))
    return found


def _yarn_name(spec: str) -> str:
    """The package a specifier resolves: what precedes its first ``@`` (past a scope's), but
    the target of an ``npm:`` alias (``a@npm:b@^1`` → ``b``). So berry's ``patch:`` entries
    (``resolve@patch:resolve@npm%3A1.22.8#...``) name ``resolve`` and fold into its package."""
    spec = spec.strip().strip('"')
    at = spec.find("@", 1)
    if at < 0:
        return ""
    name, rest = spec[:at], spec[at + 1 :]
    if rest.startswith("npm:"):
        target = rest[4:]
        cut = target.find("@", 1)
        if cut > 0:  # an alias: ``local@npm:real@range`` installs ``real``
            return target[:cut]
    return name


_YARN_VERSION = re.compile(r'^\s+version:?\s+"?([^"\s]+)"?\s*$')


def _yarn_lock(path: str, data: bytes) -> list[FoundPackage]:
    found: list[FoundPackage] = []
    seen: set[tuple[str, str]] = set()
    name = ""
    for line in data.decode("utf-8", "replace").splitlines():
        if not line or line.startswith("#"):
            continue
        if not line[0].isspace():
            header = line.rstrip()
            name = _yarn_name(header[:-1].split(",")[0]) if header.endswith(":") else ""
            continue
        match = _YARN_VERSION.match(line)
        if name and match and line.startswith("  ") and not line.startswith("   "):
            key = (name, match.group(1))
            if key not in seen:
                seen.add(key)
                found.append(_npm(*key))
            name = ""
    return found


_PEER = re.compile(r"\(.*$")


def _pnpm_key(key: str, version: float) -> tuple[str, str] | None:
    key = _PEER.sub("", key)
    if version < 6:
        name, sep, release = key.lstrip("/").rpartition("/")
    else:
        name, sep, release = key.lstrip("/").rpartition("@")
    if not sep or not name:
        return None
    return name, release


def _pnpm_lock(path: str, data: bytes) -> list[FoundPackage]:
    try:
        doc = yaml.load(data, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        raise CatalogError(f"not valid YAML: {str(exc).splitlines()[0]}", where=path) from None
    if not isinstance(doc, dict):
        raise CatalogError("pnpm-lock.yaml is not a YAML mapping", where=path)
    try:
        version = float(str(doc.get("lockfileVersion", "")))
    except ValueError:
        raise CatalogError("pnpm-lock.yaml has no readable lockfileVersion", where=path) from None
    packages = doc.get("packages")
    found = []
    for key in packages if isinstance(packages, dict) else {}:
        parsed = _pnpm_key(str(key), version)
        if parsed is not None:
            found.append(_npm(*parsed))
    return found


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    name = basename(path)
    if name == "package-lock.json":
        return _package_lock(path, data)
    if name == "yarn.lock":
        return _yarn_lock(path, data)
    return _pnpm_lock(path, data)


CATALOGER = Declared(name="javascript-lock-cataloger", wants=wants, parser=parse, hint=_HINT)
