"""Alpine package versions: ``digit{.digit}...{letter}{_suf{#}}...{~hash}{-r#}``.

Port of apk-tools' src/version.c (apk-tools 2.14 / 3.x token machine). Tokens are read left to
right: initial digits, ``.digits``, one lower-case letter, ``_suffix[digits]`` (pre-release
suffixes ``alpha < beta < pre < rc`` sort before no suffix, post-release ``cvs < svn < git <
hg < p`` after it), ``~hexhash``, ``-r<revision>``. Equal-typed tokens compare by value
(digit groups after a dot with a leading zero compare as strings, as in Gentoo's PMS §3.3);
when one version runs out first, the longer one is newer unless its next token is a
pre-release suffix. apk itself calls two invalid versions equal; we instead fall back to the
generic ordering when either string is not a valid apk version, so a garbage change still
shows a direction. Never raises.
"""

from __future__ import annotations

from . import generic

__all__ = ["compare", "is_valid"]

# token kinds, in apk's order: the order matters for "which version ran out first"
INITIAL, DIGIT, LETTER, SUFFIX, SUFFIX_NO, COMMIT_HASH, REVISION_NO, END, INVALID = range(9)

_SUFFIXES = {
    "alpha": 0,
    "beta": 1,
    "pre": 2,
    "rc": 3,
    "cvs": 5,
    "svn": 6,
    "git": 7,
    "hg": 8,
    "p": 9,
}
_SUFFIX_NONE = 4
_HEX = frozenset("0123456789abcdefABCDEF")


class _Token:
    __slots__ = ("kind", "number", "suffix", "value")

    def __init__(self) -> None:
        self.kind = INITIAL
        self.number = 0
        self.suffix = -1
        self.value = ""


def _digits(s: str, pos: int, tok: _Token) -> int:
    end = pos
    while end < len(s) and "0" <= s[end] <= "9":
        end += 1
    tok.value = s[pos:end]
    tok.number = int(tok.value) if tok.value else 0
    if not tok.value:
        tok.kind = INVALID
    return end


def _first(s: str, tok: _Token) -> int:
    tok.kind = INITIAL
    return _digits(s, 0, tok)


def _next(s: str, pos: int, tok: _Token) -> int:
    if pos >= len(s):
        tok.kind = END
        return pos
    ch = s[pos]
    if "a" <= ch <= "z":
        if tok.kind > DIGIT:
            tok.kind = INVALID
            return pos
        tok.value = ch
        tok.kind = LETTER
        return pos + 1
    if ch == "." or "0" <= ch <= "9":
        if ch == ".":
            if tok.kind > DIGIT:
                tok.kind = INVALID
                return pos
            pos += 1
        if tok.kind in (INITIAL, DIGIT):
            tok.kind = DIGIT
        elif tok.kind == SUFFIX:
            tok.kind = SUFFIX_NO
        else:
            tok.kind = INVALID
            return pos
        return _digits(s, pos, tok)
    if ch == "_":
        if tok.kind > SUFFIX_NO:
            tok.kind = INVALID
            return pos
        end = pos + 1
        while end < len(s) and "a" <= s[end] <= "z":
            end += 1
        tok.value = s[pos + 1 : end]
        suffix = _SUFFIXES.get(tok.value)
        if suffix is None:
            tok.kind = INVALID
            return pos
        tok.suffix = suffix
        tok.kind = SUFFIX
        return end
    if ch == "~":
        if tok.kind >= COMMIT_HASH:
            tok.kind = INVALID
            return pos
        end = pos + 1
        while end < len(s) and s[end] in _HEX:
            end += 1
        if end == pos + 1:
            tok.kind = INVALID
            return pos
        tok.value = s[pos + 1 : end]
        tok.kind = COMMIT_HASH
        return end
    if ch == "-":
        if tok.kind >= REVISION_NO or not s.startswith("-r", pos):
            tok.kind = INVALID
            return pos
        tok.kind = REVISION_NO
        return _digits(s, pos + 2, tok)
    tok.kind = INVALID
    return pos


def _icmp(x: int, y: int) -> int:
    return (x > y) - (x < y)


def _scmp(x: str, y: str) -> int:
    return (x > y) - (x < y)


def _token_cmp(ta: _Token, tb: _Token) -> int:
    kind = ta.kind
    if kind == DIGIT and (ta.value.startswith("0") or tb.value.startswith("0")):
        # a leading zero makes the group a decimal fraction: compare as strings (PMS §3.3)
        return _scmp(ta.value, tb.value)
    if kind in (INITIAL, DIGIT, SUFFIX_NO, REVISION_NO):
        return _icmp(ta.number, tb.number)
    if kind == SUFFIX:
        return _icmp(ta.suffix, tb.suffix)
    return _scmp(ta.value, tb.value)  # letter, commit hash


def is_valid(version: str) -> bool:
    """``apk_version_validate``: the whole string is a well-formed apk version."""
    tok = _Token()
    pos = _first(version, tok)
    while tok.kind < END:
        pos = _next(version, pos, tok)
    return tok.kind == END


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, the same as or newer than ``b``."""
    if a == b:
        return 0
    if not (is_valid(a) and is_valid(b)):
        return generic.compare(a, b)
    ta, tb = _Token(), _Token()
    pa, pb = _first(a, ta), _first(b, tb)
    while ta.kind == tb.kind and ta.kind < END:
        r = _token_cmp(ta, tb)
        if r:
            return r
        pa = _next(a, pa, ta)
        pb = _next(b, pb, tb)
    if ta.kind == tb.kind:
        return 0
    # one ran out first: the longer one is newer unless it continues with a pre-release suffix
    if ta.kind == SUFFIX and ta.suffix < _SUFFIX_NONE:
        return -1
    if tb.kind == SUFFIX and tb.suffix < _SUFFIX_NONE:
        return 1
    return -1 if ta.kind > tb.kind else 1
