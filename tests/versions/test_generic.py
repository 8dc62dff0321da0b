"""The fallback ordering."""

from __future__ import annotations

import pytest

from reporter.versions import generic

from ._helpers import check_pair


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.1", -1),
        ("2", "10", -1),
        ("1.0rc1", "1.0", -1),
        ("1.0-beta", "1.0", -1),
        ("1.0", "1.0.1", -1),
        ("1.0", "1.0-x", -1),  # an unknown word after the end is newer
        ("r10", "r9", 1),
        ("", "1", -1),
        ("1.0", "1_0", 0),  # separators only split
    ],
)
def test_table(a: str, b: str, expected: int) -> None:
    check_pair(generic.compare, a, b, expected)
