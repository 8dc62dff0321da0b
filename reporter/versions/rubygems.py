"""RubyGems versions, ordered like ``Gem::Version#<=>``.

Segments are runs of digits or letters (``1.0.a.1`` and ``1.0a1`` give the same segments);
a version with any letter is a pre-release. Trailing zero segments are dropped, and zeros
just before the first letter segment too (``1.0.0.a == 1.a``). Segments compare pairwise:
numbers numerically, strings lexically, a string before a number; a missing segment counts
as 0. Strings that are not gem versions fall back to the generic ordering. Never raises.
"""

from __future__ import annotations

import re

from . import generic

__all__ = ["compare"]

_VALID = re.compile(
    r"\s*[0-9]+(?:\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?\s*", re.ASCII
)
_SEGMENT = re.compile(r"[0-9]+|[a-z]+", re.ASCII | re.IGNORECASE)


def _canonical(version: str) -> list[int | str]:
    # Gem::Version: "-" means pre-release, written ".pre." internally
    segs: list[int | str] = [
        int(s) if s.isdigit() else s
        for s in _SEGMENT.findall(version.strip().replace("-", ".pre."))
    ]
    first_str = next((i for i, s in enumerate(segs) if isinstance(s, str)), len(segs))
    release, pre = segs[:first_str], segs[first_str:]
    while release and release[-1] == 0:
        release.pop()
    while pre and pre[-1] == 0:
        pre.pop()
    return release + pre


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, the same as or newer than ``b``."""
    if a == b:
        return 0
    if not (_VALID.fullmatch(a) and _VALID.fullmatch(b)):
        return generic.compare(a, b)
    ca, cb = _canonical(a), _canonical(b)
    for i in range(max(len(ca), len(cb))):
        x: int | str = ca[i] if i < len(ca) else 0
        y: int | str = cb[i] if i < len(cb) else 0
        if x == y:
            continue
        if isinstance(x, int) and isinstance(y, int):
            return -1 if x < y else 1
        if isinstance(x, str) and isinstance(y, str):
            return -1 if x < y else 1
        return -1 if isinstance(x, str) else 1  # a letter segment is older than a number
    return 0
