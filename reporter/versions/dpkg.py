"""Debian package versions: ``[epoch:]upstream_version[-debian_revision]``.

Debian Policy §5.6.12 ("Version"), as implemented by dpkg's ``verrevcmp``
(lib/dpkg/version.c). Epochs compare numerically; upstream version and revision compare by
alternating non-digit and digit runs. In non-digit runs letters sort before non-letters and
``~`` sorts before everything, even the end of the string (so ``1.0~rc1 < 1.0``); digit runs
compare numerically. A missing revision equals revision ``0`` (§5.6.12: "absence of
debian_revision is equivalent to a debian_revision of 0").
Lenient like apt: a malformed epoch is treated as part of the upstream version; never raises.
"""

from __future__ import annotations

from reporter.versions.generic import compare_epoch_release, split_epoch_release

__all__ = ["compare", "parse"]


def parse(version: str) -> tuple[int, str, str]:
    """``(epoch, upstream, revision)``; a missing revision is ``""``."""
    return split_epoch_release(version)


def _order(ch: str) -> int:
    # lib/dpkg/version.c order(): digits 0 (never reached in the string part), letters their
    # code, '~' -1, every other character after all letters.
    if ch == "~":
        return -1
    if ch.isascii() and ch.isalpha():
        return ord(ch)
    if ch.isascii() and ch.isdigit():
        return 0
    return ord(ch) + 256


def _isdigit(ch: str) -> bool:
    return "0" <= ch <= "9"


def verrevcmp(a: str, b: str) -> int:
    """dpkg's ``verrevcmp`` on one part (upstream or revision); -1, 0 or 1."""
    i = j = 0
    while i < len(a) or j < len(b):
        first_diff = 0
        while (i < len(a) and not _isdigit(a[i])) or (j < len(b) and not _isdigit(b[j])):
            ac = _order(a[i]) if i < len(a) and not _isdigit(a[i]) else 0
            bc = _order(b[j]) if j < len(b) and not _isdigit(b[j]) else 0
            if ac != bc:
                return -1 if ac < bc else 1
            i += 1
            j += 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        while i < len(a) and _isdigit(a[i]) and j < len(b) and _isdigit(b[j]):
            if not first_diff:
                first_diff = ord(a[i]) - ord(b[j])
            i += 1
            j += 1
        if i < len(a) and _isdigit(a[i]):
            return 1  # a has the longer number
        if j < len(b) and _isdigit(b[j]):
            return -1
        if first_diff:
            return -1 if first_diff < 0 else 1
    return 0


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, the same as or newer than ``b``."""
    return compare_epoch_release(a, b, verrevcmp)
