"""Ecosystem-correct version ordering, one module per scheme.

``compare(pkg_type, a, b)`` picks the scheme from ``Package.type`` (syft's type names) and
returns -1, 0 or 1. Every comparator is total on arbitrary strings: it never raises, returns 0
for equal strings and is antisymmetric; strings a scheme cannot parse fall back to
``generic``. Two different strings may still compare equal (``1.0`` and ``1.0.0`` in PEP 440,
``1.0`` and ``1.0-0`` in dpkg): callers that need to tell them apart compare the strings too.

    scheme   module       package types
    dpkg     dpkg.py      deb
    rpm      rpm.py       rpm, alpm (pacman's vercmp derives from rpmvercmp)
    apk      apk.py       apk
    pep440   pep440.py    python
    semver   semver.py    npm, rust-crate / cargo, swift, pub, hex, github-action
    go       golang.py    go-module
    maven    maven.py     java-archive, jenkins-plugin, maven
    gem      rubygems.py  gem
    generic  generic.py   everything else (php-composer, dotnet, binary, ...)
"""

from __future__ import annotations

from collections.abc import Callable

from . import apk, dpkg, generic, golang, maven, pep440, rpm, rubygems, semver

__all__ = ["SCHEMES", "compare", "scheme_for"]

Comparator = Callable[[str, str], int]


def _semver_loose(a: str, b: str) -> int:
    return semver.compare(a, b, loose=True)


SCHEMES: dict[str, Comparator] = {
    "dpkg": dpkg.compare,
    "rpm": rpm.compare,
    "apk": apk.compare,
    "pep440": pep440.compare,
    "semver": _semver_loose,
    "go": golang.compare,
    "maven": maven.compare,
    "gem": rubygems.compare,
    "generic": generic.compare,
}

_BY_TYPE = {
    "deb": "dpkg",
    "rpm": "rpm",
    "alpm": "rpm",
    "apk": "apk",
    "python": "pep440",
    "npm": "semver",
    "rust-crate": "semver",
    "cargo": "semver",
    "swift": "semver",
    "pub": "semver",
    "hex": "semver",
    "github-action": "semver",
    "go-module": "go",
    "golang": "go",
    "java-archive": "maven",
    "jenkins-plugin": "maven",
    "maven": "maven",
    "gem": "gem",
}


def scheme_for(pkg_type: str) -> str:
    """The scheme name used for ``Package.type`` ``pkg_type`` (``generic`` when unknown)."""
    return _BY_TYPE.get(pkg_type.lower(), "generic")


def compare(pkg_type: str, a: str, b: str) -> int:
    """-1, 0 or 1 as version ``a`` is older than, the same as or newer than ``b``."""
    return SCHEMES[scheme_for(pkg_type)](a, b)
