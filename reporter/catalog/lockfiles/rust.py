"""``Cargo.lock``, as syft 1.18.1's ``rust-cargo-lock-cataloger`` reads it.

The lock file (TOML, https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html) holds
one ``[[package]]`` per crate of the build, the workspace's own crates and path dependencies
included (no ``source``). Every one becomes a ``rust-crate`` ``pkg:cargo/<name>@<version>``, as
in syft; its ``source`` and ``checksum`` (sha256 of the .crate) go into the metadata.
"""

from __future__ import annotations

import tomllib
from typing import Any

from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import declared_metadata, named_files
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "parse", "wants"]

wants, _HINT = named_files("Cargo.lock")


def _text(entry: dict[str, Any], key: str) -> str:
    value = entry.get(key)
    return value if isinstance(value, str) else ""


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogError(f"not valid TOML: {exc}", where=path) from None
    entries = doc.get("package")
    found = []
    for entry in entries if isinstance(entries, list) else ():
        if not isinstance(entry, dict) or not _text(entry, "name"):
            continue
        name, version = _text(entry, "name"), _text(entry, "version")
        found.append(
            FoundPackage(
                type="rust-crate",
                name=name,
                version=version,
                purl=purl("cargo", "", name, version),
                metadata=declared_metadata(
                    source=_text(entry, "source"), checksum=_text(entry, "checksum")
                ),
            )
        )
    return found


# tomllib recurses into nested arrays and tables: a deep enough one exhausts the stack
CATALOGER = Declared(
    name="rust-cargo-lock-cataloger",
    wants=wants,
    hint=_HINT,
    parser=parse,
    unreadable=(RecursionError,),
    what="TOML (nested too deep)",
)
