"""Maven artifact versions, a simplified ``ComparableVersion`` (maven-artifact).

The string is split on ``.`` and ``-`` and at every digit/letter transition; numbers compare
numerically, trailing zero and release-qualifier items are dropped (``1.0.0 == 1 == 1-ga``).
Qualifiers order ``alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release <
sp``, unknown qualifiers after ``sp`` in case-insensitive string order; ``a1``/``b1``/``m1``
are ``alpha-1``/``beta-1``/``milestone-1``. A number is newer than a qualifier in the same
position (``1.0.1 > 1.0-sp``). The one simplification: ``.`` and ``-`` separators do not build
nested lists, so ``1-1`` equals ``1.1`` (Maven puts ``1-1`` between ``1`` and ``1.1``).
Never raises.
"""

from __future__ import annotations

import re

__all__ = ["compare"]

_TOKEN = re.compile(r"[0-9]+|[^0-9.\-]+", re.ASCII)
_ALIASES = {
    "a": "alpha",
    "b": "beta",
    "m": "milestone",
    "cr": "rc",
    "ga": "",
    "final": "",
    "release": "",
}
_RANK = {"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "snapshot": 4, "": 5, "sp": 6}
_UNKNOWN = 7

# Item kinds: qualifiers sort below numbers in the same position.
_QUALIFIER, _NUMBER = 0, 1


def _items(version: str) -> list[tuple[int, int, str]]:
    tokens = _TOKEN.findall(version.strip().lower())
    items: list[tuple[int, int, str]] = []
    for i, tok in enumerate(tokens):
        if "0" <= tok[0] <= "9":
            items.append((_NUMBER, int(tok), ""))
            continue
        followed_by_digit = i + 1 < len(tokens) and "0" <= tokens[i + 1][0] <= "9"
        # "a1" is alpha-1, but a lone "a" is an unknown qualifier (ComparableVersion.StringItem)
        use_alias = followed_by_digit or tok not in ("a", "b", "m")
        word = _ALIASES.get(tok, tok) if use_alias else tok
        rank = _RANK.get(word, _UNKNOWN)
        items.append((_QUALIFIER, rank, word if rank == _UNKNOWN else ""))
    # trailing "null" items (0, release qualifier) do not count: 1.0.0 == 1 == 1-final
    while items and items[-1] in ((_NUMBER, 0, ""), (_QUALIFIER, _RANK[""], "")):
        items.pop()
    return items


def compare(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, the same as or newer than ``b``."""
    if a == b:
        return 0
    ia, ib = _items(a), _items(b)
    for i in range(max(len(ia), len(ib))):
        # a missing item is "null": the number 0 against a number, the release qualifier
        # against a qualifier (ComparableVersion's compareTo(null))
        x = ia[i] if i < len(ia) else None
        y = ib[i] if i < len(ib) else None
        if x is None:
            x = (_NUMBER, 0, "") if y is not None and y[0] == _NUMBER else (_QUALIFIER, 5, "")
        if y is None:
            y = (_NUMBER, 0, "") if x[0] == _NUMBER else (_QUALIFIER, 5, "")
        if x != y:
            return -1 if x < y else 1
    return 0
