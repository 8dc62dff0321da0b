"""Maven ordering (the simplified ComparableVersion)."""

from __future__ import annotations

import pytest

from reporter.versions import maven

from ._helpers import check_chain, check_pair


def test_qualifier_order() -> None:
    # maven-artifact ComparableVersion: alpha < beta < milestone < rc < snapshot < "" < sp
    check_chain(
        maven.compare,
        [
            "1.0-alpha1",
            "1.0-alpha2",
            "1.0-beta1",
            "1.0-milestone1",
            "1.0-rc1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp1",
            "1.0-foo",
            "1.0.1",
        ],
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1", 0),
        ("1.0.0", "1-ga", 0),
        ("1.0-final", "1.0", 0),
        ("2.0.RELEASE", "2.0", 0),
        ("1.0-cr1", "1.0-rc1", 0),
        ("1a1", "1-alpha-1", 0),
        ("1.10", "1.9", 1),
        ("2.15.2", "2.17.1", -1),  # log4j-core
        ("31.1-jre", "32.0.0-jre", -1),  # guava
        ("5.3.27", "6.0.11", -1),
    ],
)
def test_table(a: str, b: str, expected: int) -> None:
    check_pair(maven.compare, a, b, expected)
