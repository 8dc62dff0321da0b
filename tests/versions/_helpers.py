"""Shared assertions for the version tables."""

from __future__ import annotations

from collections.abc import Callable, Sequence

Comparator = Callable[[str, str], int]


def check_pair(cmp: Comparator, a: str, b: str, expected: int) -> None:
    assert cmp(a, b) == expected, f"compare({a!r}, {b!r})"
    assert cmp(b, a) == -expected, f"compare({b!r}, {a!r})"


def check_chain(cmp: Comparator, chain: Sequence[str]) -> None:
    """Every earlier element is strictly older than every later one."""
    for i, a in enumerate(chain):
        assert cmp(a, a) == 0
        for b in chain[i + 1 :]:
            check_pair(cmp, a, b, -1)
