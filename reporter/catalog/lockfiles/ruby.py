"""``Gemfile.lock`` (Bundler), as syft 1.18.1's ``ruby-gemfile-cataloger`` reads it.

The lock file (https://bundler.io/guides/bundler_lockfile.html) lists, in its ``GEM``, ``GIT``
and ``PATH`` sections, one ``specs:`` line per resolved gem at four spaces of indent,
``name (version)``, with the gem's own requirements below at six. Every four-space spec
becomes a ``gem`` ``pkg:gem/<name>@<version>``; the version keeps a platform suffix
(``1.16.0-x86_64-linux``), as syft keeps it, so a gem locked for two platforms is two packages.
"""

from __future__ import annotations

import re

from reporter.catalog.interface import Declared, FoundPackage, ParseContext
from reporter.catalog.lockfiles._common import declared_metadata, named_files
from reporter.catalog.purl import purl

__all__ = ["CATALOGER", "parse", "wants"]

wants, _HINT = named_files("Gemfile.lock")

_SECTIONS = frozenset(("GEM", "GIT", "PATH"))
_SPEC = re.compile(r"^    (\S+) \(([^)\s]+)\)\s*$")


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    found: list[FoundPackage] = []
    seen: set[tuple[str, str]] = set()
    section = ""
    for line in data.decode("utf-8", "replace").splitlines():
        if line and not line[0].isspace():
            section = line.strip()
            continue
        match = _SPEC.match(line) if section in _SECTIONS else None
        if match and (match.group(1), match.group(2)) not in seen:
            name, version = match.group(1), match.group(2)
            seen.add((name, version))
            found.append(
                FoundPackage(
                    type="gem",
                    name=name,
                    version=version,
                    purl=purl("gem", "", name, version),
                    metadata=declared_metadata(),
                )
            )
    return found


CATALOGER = Declared(name="ruby-gemfile-cataloger", wants=wants, parser=parse, hint=_HINT)
