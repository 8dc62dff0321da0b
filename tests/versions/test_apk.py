"""apk ordering: the token rules of apk-tools' version.c."""

from __future__ import annotations

import pytest

from reporter.versions import apk

from ._helpers import check_chain, check_pair

CASES = [
    ("1.0", "1.0", 0),
    ("1.0", "1.0-r1", -1),
    ("1.0-r1", "1.0-r2", -1),
    ("1.0-r10", "1.0-r9", 1),  # revisions are numbers
    ("1.10", "1.9", 1),
    ("1.01", "1.1", -1),  # a leading zero compares as a string (decimal fraction)
    ("1.0a", "1.0", 1),
    ("1.0a", "1.0b", -1),
    ("1.0.1", "1.0a", 1),
    ("2.34", "0.1.0_alpha", 1),
    ("1.0_rc1-r1", "1.0-r0", -1),  # a pre-release suffix is older even with a revision
    ("1.0~abc1", "1.0", 1),
    ("2.4.0_git20240101-r0", "2.4.0-r0", 1),  # post-release suffix
    # real Alpine updates
    ("3.3.1-r0", "3.3.2-r0", -1),
    ("1.36.1-r29", "1.36.1-r30", -1),
    ("3.1.4-r5", "3.1.4-r6", -1),
    ("1.2.13-r0", "1.2.13-r1", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), CASES)
def test_table(a: str, b: str, expected: int) -> None:
    check_pair(apk.compare, a, b, expected)


def test_suffix_order() -> None:
    check_chain(
        apk.compare,
        [
            "1.0_alpha",
            "1.0_alpha1",
            "1.0_alpha2",
            "1.0_beta",
            "1.0_pre",
            "1.0_rc1",
            "1.0",
            "1.0-r1",
            "1.0_cvs",
            "1.0_svn",
            "1.0_git",
            "1.0_hg",
            "1.0_p",
            "1.0_p1",
            "1.0.1",
        ],
    )


@pytest.mark.parametrize(
    ("version", "valid"),
    [
        ("1.2.3_rc1~ab12-r3", True),
        ("1.0a", True),
        ("1.0ab", False),  # one letter only
        ("1.0_foo", False),  # unknown suffix
        ("1.0-x1", False),
        ("v1.0", False),
        ("", False),
    ],
)
def test_is_valid(version: str, valid: bool) -> None:
    assert apk.is_valid(version) is valid


def test_invalid_falls_back_to_generic() -> None:
    # apk-tools calls two invalid versions equal; we still give a direction
    check_pair(apk.compare, "1.0_foo1", "1.0_foo2", -1)
