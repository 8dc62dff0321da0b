"""rpmvercmp: the cases of rpm's tests/rpmvercmp.at, plus EVR handling."""

from __future__ import annotations

import pytest

from reporter.versions import rpm

from ._helpers import check_pair

RPMVERCMP = [
    ("1.0", "1.0", 0),
    ("1.0", "2.0", -1),
    ("2.0.1", "2.0.1", 0),
    ("2.0", "2.0.1", -1),
    ("2.0.1a", "2.0.1a", 0),
    ("2.0.1a", "2.0.1", 1),
    ("5.5p1", "5.5p1", 0),
    ("5.5p1", "5.5p2", -1),
    ("5.5p10", "5.5p10", 0),
    ("5.5p1", "5.5p10", -1),
    ("10xyz", "10.1xyz", -1),
    ("xyz10", "xyz10", 0),
    ("xyz10", "xyz10.1", -1),
    ("xyz.4", "xyz.4", 0),
    ("xyz.4", "8", -1),
    ("xyz.4", "2", -1),
    ("5.5p2", "5.6p1", -1),
    ("5.6p1", "6.5p1", -1),
    ("6.0.rc1", "6.0", 1),
    ("10b2", "10a1", 1),
    ("10a2", "10b2", -1),
    ("1.0aa", "1.0aa", 0),
    ("1.0a", "1.0aa", -1),
    ("10.0001", "10.0001", 0),
    ("10.0001", "10.1", 0),
    ("10.0001", "10.0039", -1),
    ("4.999.9", "5.0", -1),
    ("20101121", "20101121", 0),
    ("20101121", "20101122", -1),
    ("2_0", "2_0", 0),
    ("2.0", "2_0", 0),
    ("a", "a", 0),
    ("a+", "a+", 0),
    ("a+", "a_", 0),
    ("+a", "+a", 0),
    ("+a", "_a", 0),
    ("+_", "+_", 0),
    ("_+", "+_", 0),
    ("_+", "_", 0),
    ("+", "_", 0),
    # tilde: pre-releases (rpm 4.10)
    ("1.0~rc1", "1.0~rc1", 0),
    ("1.0~rc1", "1.0", -1),
    ("1.0~rc1", "1.0~rc2", -1),
    ("1.0~rc1~git123", "1.0~rc1~git123", 0),
    ("1.0~rc1~git123", "1.0~rc1", -1),
    # caret: post-release snapshots (rpm 4.15)
    ("1.0^", "1.0^", 0),
    ("1.0^", "1.0", 1),
    ("1.0^git1", "1.0^git1", 0),
    ("1.0^git1", "1.0", 1),
    ("1.0^git1", "1.0^git2", -1),
    ("1.0^git1", "1.01", -1),
    ("1.0^20160101", "1.0^20160101", 0),
    ("1.0^20160101", "1.0.1", -1),
    ("1.0^20160101^git1", "1.0^20160101^git1", 0),
    ("1.0^20160102", "1.0^20160101^git1", 1),
    ("1.0~rc1^git1", "1.0~rc1^git1", 0),
    ("1.0~rc1^git1", "1.0~rc1", 1),
    ("1.0^git1~pre", "1.0^git1~pre", 0),
    ("1.0^git1", "1.0^git1~pre", 1),
]


@pytest.mark.parametrize(("a", "b", "expected"), RPMVERCMP)
def test_rpmvercmp(a: str, b: str, expected: int) -> None:
    check_pair(rpm.rpmvercmp, a, b, expected)


EVR = [
    ("1:1.0-1", "2.0-1", 1),  # epoch first
    ("0:1.0-1", "1.0-1", 0),  # missing epoch == 0
    ("3.2.1-3.el9", "3.2.1-4.el9", -1),
    ("3.0.7-24.el9", "3.0.7-27.el9_4", -1),
    ("1:3.0.7-27.el9", "1:3.0.7-27.el9_4", -1),
    ("2.34-100.el9_4.2", "2.34-100.el9_4.12", -1),
    ("5.1.8-6.el9_1", "5.1.8-6.el9", 1),
]


@pytest.mark.parametrize(("a", "b", "expected"), EVR)
def test_evr(a: str, b: str, expected: int) -> None:
    check_pair(rpm.compare, a, b, expected)


def test_parse() -> None:
    assert rpm.parse("2:1.0-3.fc40") == (2, "1.0", "3.fc40")
    assert rpm.parse("1.0") == (0, "1.0", "")
