"""Nix store paths (type ``nix``), as syft 1.18.1's nix-store-cataloger reads them.

A Nix store object is named ``<hash>-<name>`` (Nix manual, "Store Path": 32 characters of
Nix's base-32 over a truncated SHA-256, then the name); nixpkgs names a package output
``<pname>-<version>[-<output>]`` (nixpkgs manual, "Package naming"). syft 1.18.1 reads no file:
every entry of the squashed view whose path matches ``**/nix/store/*`` (directory or file; an
implicit parent directory, present only through its children, is not an entry) and does not end
in ``.drv`` is split into hash, name, version and output by its regular expressions; a name
without a version is no package. The Nix database (``nix/var/nix/db/db.sqlite``) is not read
by 1.18.1, so it is not read here either.

purl: ``pkg:nix/<name>@<version>?output=<output>&outputhash=<hash>`` (qualifiers sorted, the
output only when there is one): syft's, since the purl spec has no ``nix`` type yet.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from reporter.catalog.interface import (
    Declared,
    FoundPackage,
    Hint,
    ParseContext,
    Scanner,
    WholeFile,
)
from reporter.catalog.purl import purl

__all__ = ["CATALOGER", "parse_store_name"]

# syft's rightMostVersionIshPattern and unstableVersion (parse_nix_store_path.go), verbatim
# in meaning: the leftmost ``-<digit>…`` that reads as a version, with its prerelease part.
_VERSION = re.compile(
    r"-(?P<version>(?P<major>[0-9][a-zA-Z0-9]*)(\.(?P<minor>[0-9][a-zA-Z0-9]*))?"
    r"(\.(?P<patch>0|[1-9][a-zA-Z0-9]*)){0,3}(?:-(?P<prerelease>\d*[.a-zA-Z-][.0-9a-zA-Z-]*)*)?"
    r"(?:\+(?P<metadata>[.0-9a-zA-Z-]+(?:\.[.0-9a-zA-Z-]+)*))?)"
)
_UNSTABLE = re.compile(r"-(?P<version>unstable-\d{4}-\d{2}-\d{2})$")
_DIGIT = re.compile(r"\d")


def _store_child(path: str) -> bool:
    """``**/nix/store/*``: a direct child of a ``nix/store`` directory, at any depth."""
    parent, _, base = path.rpartition("/")
    return bool(base) and (parent == "nix/store" or parent.endswith("/nix/store"))


def parse_store_name(base: str) -> tuple[str, str, str, str] | None:
    """(hash, name, version, output) of a store object's name; None if it names no package."""
    if base.endswith(".drv"):
        return None  # derivations are build recipes, not installed outputs
    unstable = _UNSTABLE.search(base)
    if unstable is not None:
        start, version, prerelease = unstable.start("version"), unstable["version"], ""
    else:
        match = _VERSION.search(base)
        if match is None:
            return None
        start, version = match.start("version"), match["version"]
        prerelease = match["prerelease"] or ""
    hash_name = base[:start].removesuffix("-")
    fields = hash_name.split("-")
    if len(fields) < 2:
        return None
    digest, name = fields[0], "-".join(fields[1:])
    last = prerelease.split("-")[-1]
    output = ""
    if not _DIGIT.search(last):
        # a last prerelease field without digits is an output name (bin, dev, man, lib…)
        version = version.removesuffix(f"-{last}")
        output = last
    if not name or not version:
        return None
    return digest, name, version, output


def _wants(path: str, mode: int, size: int) -> WholeFile | Scanner | None:
    return None  # nothing of any file's content: the store path's name is all there is


def _parse(path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
    parsed = parse_store_name(path.rpartition("/")[2])
    if parsed is None:
        return
    digest, name, version, output = parsed
    qualifiers = {"outputhash": digest} if digest else {}
    if output:
        qualifiers["output"] = output
    metadata = [("outputHash", digest)] + ([("output", output)] if output else [])
    yield FoundPackage(
        "nix",
        name,
        version,
        purl=purl("nix", "", name, version, qualifiers),
        metadata=tuple(sorted(metadata)),
    )


CATALOGER = Declared("nix-store-cataloger", _wants, _parse, lists=_store_child, hint=Hint())
