"""Semantic Versioning 2.0.0 precedence (semver.org §11), as npm and Cargo use it.

``MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]``: the three numbers compare numerically; a version
with a pre-release is older than the same version without (§11.3); pre-release identifiers
compare left to right, numeric ones numerically and below alphanumeric ones, alphanumeric
ones in ASCII order, and a shorter list of equal leading identifiers is older (§11.4).
Build metadata is ignored (§10), so ``1.0.0+a`` and ``1.0.0+b`` compare equal.

``loose`` parsing accepts what node-semver's loose mode does in lock files and package.json
files found in images: a leading ``v`` or ``=``, surrounding blanks, leading zeros.
Strings that are not semver fall back to the generic ordering. Never raises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import generic

__all__ = ["SemVer", "compare", "compare_parsed", "parse"]

_STRICT = re.compile(
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?",
    re.ASCII,
)
_LOOSE = re.compile(
    r"[v=\s]*(\d+)\.(\d+)\.(\d+)"
    r"(?:-?((?:\d+|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:\d+|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\s*",
    re.ASCII,
)


@dataclass(frozen=True, slots=True)
class SemVer:
    major: int
    minor: int
    patch: int
    prerelease: tuple[str, ...] = ()
    build: tuple[str, ...] = ()


def parse(version: str, *, loose: bool = False) -> SemVer | None:
    """The parsed version, or None when ``version`` is not semver."""
    m = (_LOOSE if loose else _STRICT).fullmatch(version)
    if m is None:
        return None
    pre, build = m.group(4), m.group(5)
    return SemVer(
        int(m.group(1)),
        int(m.group(2)),
        int(m.group(3)),
        tuple(pre.split(".")) if pre else (),
        tuple(build.split(".")) if build else (),
    )


def _ident_cmp(a: str, b: str) -> int:
    a_num, b_num = a.isdigit(), b.isdigit()
    if a_num and b_num:
        x, y = int(a), int(b)
        return (x > y) - (x < y)
    if a_num != b_num:
        return -1 if a_num else 1  # §11.4.3: numeric identifiers sort below alphanumeric
    return (a > b) - (a < b)


def compare_parsed(a: SemVer, b: SemVer) -> int:
    """Precedence of two parsed versions; build metadata is ignored."""
    ka, kb = (a.major, a.minor, a.patch), (b.major, b.minor, b.patch)
    if ka != kb:
        return -1 if ka < kb else 1
    if not a.prerelease or not b.prerelease:
        # §11.3: a pre-release is older than the release it precedes
        return (not a.prerelease) - (not b.prerelease)
    for x, y in zip(a.prerelease, b.prerelease, strict=False):
        r = _ident_cmp(x, y)
        if r:
            return r
    la, lb = len(a.prerelease), len(b.prerelease)
    return (la > lb) - (la < lb)


def compare(a: str, b: str, *, loose: bool = True) -> int:
    """-1, 0 or 1 as ``a`` is older than, the same as or newer than ``b``."""
    if a == b:
        return 0
    pa, pb = parse(a, loose=loose), parse(b, loose=loose)
    if pa is None or pb is None:
        return generic.compare(a, b)
    return compare_parsed(pa, pb)
