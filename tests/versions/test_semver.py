"""semver.org §11 precedence and npm's loose parsing."""

from __future__ import annotations

import pytest

from reporter.versions import semver

from ._helpers import check_chain, check_pair


def test_semver_org_precedence_example() -> None:
    # semver.org §11.4, the example chain
    check_chain(
        semver.compare,
        [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ],
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0.0+20130313144700", "1.0.0", 0),  # §10: build metadata is ignored
        ("1.0.0-alpha+001", "1.0.0-alpha", 0),
        ("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta+exp.sha.999", 0),
        ("v1.2.3", "1.2.3", 0),  # npm loose
        ("=1.2.3", "1.2.3", 0),
        ("1.10.0", "1.9.0", 1),
        ("4.17.20", "4.17.21", -1),  # lodash
        ("18.2.0", "18.3.0-canary-14898b6a9-20240318", -1),
        ("1.2", "1.2.0", -1),  # not semver: generic
    ],
)
def test_table(a: str, b: str, expected: int) -> None:
    check_pair(semver.compare, a, b, expected)


def test_strict_parse() -> None:
    assert semver.parse("01.2.3") is None
    assert semver.parse("1.2.3-01") is None  # numeric identifiers without leading zeros
    assert semver.parse("1.2.3-rc.1+build.5") == semver.SemVer(1, 2, 3, ("rc", "1"), ("build", "5"))
    assert semver.parse("v1.2.3", loose=True) == semver.SemVer(1, 2, 3)
