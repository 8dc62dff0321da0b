"""Python package versions, ordered by PEP 440 ("Version specifiers", §Summary of permitted
suffixes and relative ordering): ``1.0.dev0 < 1.0a1 < 1.0b1 < 1.0rc1 < 1.0 < 1.0.post1``,
epochs first (``1!0.1 > 2.0``), local labels last (``1.0+local > 1.0``), release segments
padded with zeros (``1.0 == 1.0.0``).

We delegate to ``packaging.version``, the reference implementation pip uses; strings that are
not PEP 440 versions (legacy or garbage) fall back to the generic ordering. Never raises.
"""

from __future__ import annotations

from functools import lru_cache

from packaging.version import InvalidVersion, Version

from . import generic

__all__ = ["compare"]


@lru_cache(maxsize=4096)
def _parse(version: str) -> Version | None:
    try:
        return Version(version)
    except (InvalidVersion, TypeError, ValueError):
        return None


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, the same as or newer than ``b``."""
    if a == b:
        return 0
    va, vb = _parse(a), _parse(b)
    if va is None or vb is None:
        return generic.compare(a, b)
    return (va > vb) - (va < vb)
