"""Go module versions: semver with a ``v`` prefix, as golang.org/x/mod/semver orders them.

``vMAJOR[.MINOR[.PATCH]][-pre][+build]``; ``v1`` and ``v1.2`` are shorthands for ``v1.0.0``
and ``v1.2.0``. Pseudo-versions (``v0.0.0-20191109021931-daa7c04131f5``,
``v1.2.4-0.20191109021931-daa7c04131f5``) are ordinary pre-releases, so semver precedence
already places them after the tagged version they build on and before the next release
(Go Modules Reference, "Pseudo-versions"). ``+incompatible`` is build metadata and ignored.
Toolchain versions as syft reports the ``stdlib`` module (``go1.21.5``, ``go1.22rc1``) are
read with the Go release rules (go/version): ``go1.21 < go1.21rc1 < go1.21.0``.
x/mod/semver sorts invalid versions below valid ones; between two invalid versions we use the
generic ordering rather than calling them equal. Never raises.
"""

from __future__ import annotations

import re

from . import generic, semver

__all__ = ["compare"]

_GO_SEMVER = re.compile(
    r"v(0|[1-9]\d*)(?:\.(0|[1-9]\d*)(?:\.(0|[1-9]\d*)"
    r"(-(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*)?"
    r"(\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?)?",
    re.ASCII,
)
# go/version toolchain names: "go1.21rc2", "go1.21.0", "go1.22"
_GO_TOOLCHAIN = re.compile(r"go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(alpha|beta|rc)(\d+))?", re.ASCII)
_KIND_RANK = {"alpha": 0, "beta": 1, "rc": 2}


def _parse(version: str) -> semver.SemVer | None:
    m = _GO_SEMVER.fullmatch(version)
    if m is None:
        return None
    major, minor, patch, pre, build = m.groups()
    if minor is None or patch is None:
        # x/mod/semver: shorthands only without pre-release or build ("v1.2-pre" is invalid)
        return semver.SemVer(int(major), int(minor or 0), 0)
    return semver.SemVer(
        int(major),
        int(minor),
        int(patch),
        tuple(pre[1:].split(".")) if pre else (),
        tuple(build[1:].split(".")) if build else (),
    )


def _toolchain_key(version: str) -> tuple[int, ...] | None:
    m = _GO_TOOLCHAIN.fullmatch(version)
    if m is None:
        return None
    major, minor, patch, kind, num = m.groups()
    # go/version: the language version "go1.21" < "go1.21rc1" < "go1.21.0" < "go1.21.1"
    if patch is not None:
        return (int(major), int(minor or 0), 2, 0, 0, int(patch))
    if kind is not None:
        return (int(major), int(minor or 0), 1, _KIND_RANK[kind], int(num), 0)
    return (int(major), int(minor or 0), 0, 0, 0, 0)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, the same as or newer than ``b``."""
    if a == b:
        return 0
    ta, tb = _toolchain_key(a), _toolchain_key(b)
    if ta is not None and tb is not None:
        return (ta > tb) - (ta < tb)
    pa, pb = _parse(a), _parse(b)
    if pa is not None and pb is not None:
        return semver.compare_parsed(pa, pb)
    if pa is None and pb is None:
        return generic.compare(a, b)
    return -1 if pa is None else 1
