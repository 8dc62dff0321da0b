"""RPM versions: ``[epoch:]version[-release]``, compared with rpm's ``rpmvercmp``.

Port of rpmio/rpmvercmp.c (rpm ≥ 4.15): the strings are split into alphanumeric segments,
anything else only separates; digit segments compare numerically and beat alphabetic ones;
``~`` sorts before everything, including the end of the string (pre-releases, rpm 4.10);
``^`` sorts after the end of the string but before any further segment (post-release
snapshots, rpm 4.15). Epochs compare numerically, a missing epoch is 0, then version, then
release. Only ASCII letters and digits count as alphanumeric (``risalnum``). Never raises.
"""

from __future__ import annotations

from reporter.versions.generic import compare_epoch_release, split_epoch_release

__all__ = ["compare", "parse", "rpmvercmp"]


def _isdigit(ch: str) -> bool:
    return "0" <= ch <= "9"


def _isalpha(ch: str) -> bool:
    return "a" <= ch <= "z" or "A" <= ch <= "Z"


def _isalnum(ch: str) -> bool:
    return _isdigit(ch) or _isalpha(ch)


def rpmvercmp(a: str, b: str) -> int:
    """rpm's segment comparison of one version or release string; -1, 0 or 1."""
    if a == b:
        return 0
    i = j = 0
    la, lb = len(a), len(b)
    while i < la or j < lb:
        while i < la and not _isalnum(a[i]) and a[i] not in "~^":
            i += 1
        while j < lb and not _isalnum(b[j]) and b[j] not in "~^":
            j += 1
        ca = a[i] if i < la else ""
        cb = b[j] if j < lb else ""
        # '~' : the side that has it is older
        if ca == "~" or cb == "~":
            if ca != "~":
                return 1
            if cb != "~":
                return -1
            i += 1
            j += 1
            continue
        # '^' : newer than the end of the string, older than any further segment
        if ca == "^" or cb == "^":
            if not ca:
                return -1
            if not cb:
                return 1
            if ca != "^":
                return 1
            if cb != "^":
                return -1
            i += 1
            j += 1
            continue
        if not (ca and cb):
            break
        si, sj = i, j
        if _isdigit(ca):
            while i < la and _isdigit(a[i]):
                i += 1
            while j < lb and _isdigit(b[j]):
                j += 1
            isnum = True
        else:
            while i < la and _isalpha(a[i]):
                i += 1
            while j < lb and _isalpha(b[j]):
                j += 1
            isnum = False
        seg_a, seg_b = a[si:i], b[sj:j]
        if not seg_b:
            # segments of different kinds: numeric beats alphabetic
            return 1 if isnum else -1
        if isnum:
            seg_a, seg_b = seg_a.lstrip("0"), seg_b.lstrip("0")
            if len(seg_a) != len(seg_b):
                return 1 if len(seg_a) > len(seg_b) else -1
        if seg_a != seg_b:
            return 1 if seg_a > seg_b else -1
    if i >= la and j >= lb:
        return 0
    return 1 if i < la else -1


def parse(evr: str) -> tuple[int, str, str]:
    """``(epoch, version, release)``; a missing epoch is 0, a missing release ``""``."""
    return split_epoch_release(evr)


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as EVR ``a`` is older than, the same as or newer than ``b``."""
    return compare_epoch_release(a, b, rpmvercmp)
