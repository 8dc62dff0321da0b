"""Fallback ordering for version strings of no known scheme (and for garbage in a known one).

Numbers compare numerically, words case-insensitively, separators (``. - _ + :``) only split.
A missing component sorts above a pre-release word (``alpha``, ``beta``, ``rc``, ``pre``,
``dev``, ``snapshot``, ``a``, ``b``, ``c``, ``m``) and below anything else, so ``1.0rc1 < 1.0 <
1.0.1 < 1.0a``... where ``a`` follows a digit run it is read as a word like any other.
Never raises; ``compare(a, a) == 0`` and ``compare(a, b) == -compare(b, a)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["compare", "compare_epoch_release", "split_epoch_release"]

_TOKEN = re.compile(r"[0-9]+|[^\W\d_]+|[^0-9A-Za-z._+:\-]", re.UNICODE)
_PRE_WORDS = frozenset(
    {"alpha", "beta", "rc", "pre", "preview", "dev", "snapshot", "a", "b", "c", "m"}
)

# Component ranks: a pre-release word < end of string < other word < number.
_PRE, _END, _WORD, _NUM = 0, 1, 2, 3


def _key(version: str) -> list[tuple[int, int, str]]:
    key: list[tuple[int, int, str]] = []
    for tok in _TOKEN.findall(version):
        if tok.isascii() and tok.isdigit():
            key.append((_NUM, int(tok), ""))
        else:
            word = tok.casefold()
            key.append((_PRE if word in _PRE_WORDS else _WORD, 0, word))
    return key


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, the same as or newer than ``b``."""
    if a == b:
        return 0
    ka, kb = _key(a), _key(b)
    end = (_END, 0, "")
    for i in range(max(len(ka), len(kb))):
        ta = ka[i] if i < len(ka) else end
        tb = kb[i] if i < len(kb) else end
        if ta != tb:
            return -1 if ta < tb else 1
    return 0


def split_epoch_release(text: str) -> tuple[int, str, str]:
    """``[epoch:]version[-release]`` → ``(epoch, version, release)``, as dpkg and rpm write them:
    the epoch only when all digits, the release after the LAST hyphen; absent parts 0 / ``""``."""
    text = text.strip()
    epoch = 0
    head, sep, rest = text.partition(":")
    if sep and head.isascii() and head.isdigit():
        epoch = int(head)
        text = rest
    version, sep, release = text.rpartition("-")
    if not sep:
        return epoch, text, ""
    return epoch, version, release


def compare_epoch_release(a: str, b: str, segment: Callable[[str, str], int]) -> int:
    """dpkg's and rpm's EVR order alike: epochs numerically, then the version, then the release,
    each of the last two by the scheme's own ``segment`` comparison (verrevcmp / rpmvercmp)."""
    if a == b:
        return 0
    ea, va, ra = split_epoch_release(a)
    eb, vb, rb = split_epoch_release(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return segment(va, vb) or segment(ra, rb)
