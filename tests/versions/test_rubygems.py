"""RubyGems ordering (Gem::Version#<=>)."""

from __future__ import annotations

import pytest

from reporter.versions import rubygems

from ._helpers import check_chain, check_pair


def test_prerelease_order() -> None:
    check_chain(rubygems.compare, ["1.0.a", "1.0.b1", "1.0.b2", "1.0", "1.0.1", "1.9.3", "1.10"])


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0.0", "1", 0),  # trailing zeros dropped
        ("1.0.a", "1.0a", 0),  # same segments
        ("1.0.0.a", "1.a", 0),  # zeros before the first letter segment dropped
        ("2.0.0.pre", "2.0.0", -1),
        ("1.0-1", "1.0", -1),  # "-" is a pre-release (".pre.")
        ("7.0.8", "7.1.3.4", -1),  # rails
    ],
)
def test_table(a: str, b: str, expected: int) -> None:
    check_pair(rubygems.compare, a, b, expected)
