"""Licence names → SPDX ids, as syft 1.18.1 maps them (``internal/spdxlicense``).

``spdx_license("GPL-2+")`` is ``GPL-2.0-or-later``: the id list, its deprecated ids replaced
by current ones, the short spellings Debian uses (``X+``, ``X`` for ``X-only``) and version
spellings (``gpl-2`` for ``gpl-2.0``), keyed as syft keys them (lower case, no ``-``). Used by
the dpkg, apk and rpm catalogers.

The id list is vendored in ``spdx_ids.txt`` (SPDX licence list 3.28.0, in the order of the
``enum`` of CycloneDX's ``spdx.schema.json`` as cyclonedx-python-lib 11.12.0 ships it; the
order matters, an earlier id wins a key). Pinned here rather than read from the installed
cyclonedx package (whose schema folder is private) so that an upgrade of that library cannot
change which licences a package gets. Regenerated (keeping the three comment lines at the
top) with::

    python -c "import json, cyclonedx.schema._res as r
    print(*json.load(open(r.SPDX_JSON))['enum'], sep='\n')"
"""

from __future__ import annotations

import functools
import re
from importlib import resources

__all__ = ["spdx_ids", "spdx_license"]

# SPDX ids that are licence *exceptions*, not licences, and contain no "exception" in them.
_EXCEPTIONS_WITHOUT_THE_WORD = frozenset(
    ("GPL-CC-1.0", "LLGPL", "Linux-syscall-note", "SHL-2.0", "SHL-2.1")
)
# syft's generator replaces deprecated ids by a current one: "X" by "X-only", "X+" by
# "X-or-later", and these three by hand (internal/spdxlicense/generate/license.go).
_REPLACED = {
    "BSD-2-Clause-NetBSD": "BSD-2-Clause",
    "BSD-2-Clause-FreeBSD": "BSD-2-Clause-Views",
    "bzip2-1.0.5": "bzip2-1.0.6",
}
_VERSION_RE = re.compile(r"-([0-9]+)\.?([0-9]+)?\.?([0-9]+)?\.?")
_ENDS_WITH_VERSION = re.compile(r"-[0-9]+(?:\.[0-9]+)*$")


@functools.cache
def spdx_ids() -> tuple[str, ...]:
    """Every id of the vendored SPDX licence list, in its order."""
    text = resources.files("reporter.catalog").joinpath("spdx_ids.txt").read_text(encoding="utf-8")
    return tuple(line for line in text.splitlines() if line and not line.startswith("#"))


def _spdx_ids() -> list[str]:
    """The licence ids of the list (not the exceptions), as syft's generator keeps them."""
    return [
        i
        for i in spdx_ids()
        if i not in _EXCEPTIONS_WITHOUT_THE_WORD
        and ("exception" not in i.lower() or "-with-" in i or i.startswith("CAL-"))
    ]


def _version_permutations(license_id: str) -> list[str]:
    """syft's buildLicensePermutations: ``gpl-2.0`` → ``gpl-2``, ``gpl-2.0``, ``gpl-2.0.0``."""
    match = _VERSION_RE.search(license_id)
    if match is None:
        return []
    version = [g for g in match.groups() if g]
    joined = ".".join(version)
    perms: set[str] = set()
    ver = list(version)
    for i in range(1, 4):
        if len(ver) < i + 1:
            ver.append("0")
        perm = ".".join(ver[:i])
        if perm.count("0") + perm.count(".") != len(perm):
            perms.add(perm)
    return [license_id.replace(joined, p, 1) for p in sorted(perms)]


def _key(value: str) -> str:
    # syft's cleanLicenseID: trimmed, lower case, without "-".
    return value.strip().lower().replace("-", "")


@functools.cache
def _license_table() -> dict[str, str]:
    ids = _spdx_ids()
    known = set(ids)

    def current(license_id: str) -> str:
        if license_id in _REPLACED:
            return _REPLACED[license_id]
        if license_id + "-only" in known:
            return license_id + "-only"
        if license_id.endswith("+") and license_id[:-1] + "-or-later" in known:
            return license_id[:-1] + "-or-later"
        return license_id

    # First the list itself (SPDX's truth, never overwritten), then the short names Debian
    # uses: "X-or-later" is also "X+", "X-only" also "X"; then the version spellings
    # ("gpl-2" for "gpl-2.0", "apache-2.0.0" for "apache-2.0").
    table = {_key(i): current(i) for i in ids}
    targets = {i: current(i) for i in ids}
    for license_id in ids:
        base = license_id.removesuffix("-or-later").removesuffix("-only")
        # syft 1.18.1 knows "GFDL-1.1+" but not "GFDL-1.2-invariants+": only ids whose
        # version comes last get the short spellings.
        if base != license_id and _ENDS_WITH_VERSION.search(base):
            short = base + "+" if license_id.endswith("-or-later") else base
            targets.setdefault(short, license_id)
    for name, target in targets.items():
        table.setdefault(_key(name), target)
    for name in sorted(targets):  # sorted, so "gpl-1" goes to GPL-1.0, not GPL-1.1
        for perm in _version_permutations(name.lower()):
            table.setdefault(_key(perm), targets[name])
    return table


_OPERATORS = frozenset(("and", "or", "with"))


def could_be_expression(value: str) -> bool:
    """False when ``value`` cannot be a valid SPDX expression: several words and no operator
    between them ("Apache License, Version 2.0", "BSD License"). SPDX expressions join
    license ids, which hold no spaces, with AND/OR/WITH (SPDX 2.3 annex D); license-expression
    also takes the operators in lower case, so the test does too."""
    words = value.replace("(", " ").replace(")", " ").split()
    return len(words) <= 1 or any(word.lower() in _OPERATORS for word in words)


def _is_expression(value: str) -> bool:
    # The licence names most catalogers meet ("Apache License, Version 2.0") are settled
    # without license-expression: building its licensing table costs ~0.3 s of a run.
    if not could_be_expression(value):
        return False
    from cyclonedx.spdx import is_expression

    return bool(is_expression(value))


def spdx_license(value: str) -> str | None:
    """The SPDX id or expression syft would give ``value`` (``GPL-2+`` → GPL-2.0-or-later)."""
    if not value.strip():
        return None
    found = _license_table().get(_key(value))
    if found is not None:
        return found
    if value.startswith(("LicenseRef-", "DocumentRef-")) and " " not in value:
        return value
    # syft validates what is not in its table as an SPDX expression and keeps it as written:
    # "MIT+" is valid ("or later" of a listed id), "Artistic-2+" is not.
    if value.endswith("+") and " " not in value:
        base = value[:-1].lower()
        ids = _lower_ids()
        listed = base in ids or base + "-or-later" in ids or base + "-only" in ids
        return value if listed else None
    if " " in value.strip() and _is_expression(value):
        return value
    return None


@functools.cache
def _lower_ids() -> frozenset[str]:
    return frozenset(i.lower() for i in _spdx_ids())
