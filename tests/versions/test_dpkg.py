"""dpkg ordering: Debian Policy §5.6.12 and cases in the style of dpkg's t-version.c /
Dpkg_Version.t, plus version pairs from real bookworm updates."""

from __future__ import annotations

import pytest

from reporter.versions import dpkg

from ._helpers import check_chain, check_pair

CASES = [
    ("1.0", "1.0", 0),
    ("0:1.0", "1.0", 0),  # epoch 0 is implicit
    ("1:1.0", "1.0", 1),
    ("1:1.0", "2:0.1", -1),
    ("10.3", "1:0.4", -1),  # epoch beats everything
    ("1.0-1", "1.0-2", -1),
    ("1.0", "1.0-0", 0),  # missing revision == revision 0
    ("1.0000-1", "1.0-1", 0),  # digit runs compare numerically
    ("1.0~rc1", "1.0", -1),
    ("2.2~rc-4", "2.2-1", -1),
    ("1.0a", "1.0+", -1),  # letters sort before non-letters
    ("1.0+", "1.0.", -1),  # non-letters by code
    ("1.1-20080727-1", "1.1-20080316-1", 1),  # revision is after the last hyphen
    ("7.6p2-4", "7.6-0", 1),
    ("1.0.3-3", "1.0-1", 1),
    ("1.3", "1.2.2-2", 1),
    ("0-pre", "0-pree", -1),
    ("1.1.6r2-2", "1.1.6r-1", 1),
    ("2.6b2-1", "2.6b-2", 1),
    ("98.1p5-1", "98.1-pre2-b6-2", -1),
    ("0.4a6-2", "0.4-1", 1),
    ("1:3.0.5-2", "1:3.0.5.1", -1),
    ("1:1.25-4", "1:1.25-8", -1),
    ("0:1.18.36", "1.18.35", 1),
    ("9:1.18.36:5.4-20", "10:0.5.1-22", -1),  # colons allowed in upstream once an epoch exists
    ("9:1.18.36:5.4-20", "9:1.18.36:5.5-1", -1),
    ("1.18.36-0.17.35-18", "1.18.36-19", 1),
    ("1:1.2.13-3", "1:1.2.13-3.1", -1),
    ("2.0.7pre1-4", "2.0.7r-1", -1),
    ("2.30-1", "2.30-1~bpo12+1", 1),
    ("1.0", "1.0-0+b1", -1),
    # real bookworm point-release updates
    ("3.0.11-1~deb12u2", "3.0.13-1~deb12u1", -1),
    ("2.36-9+deb12u7", "2.36-9+deb12u8", -1),
    ("1:1.35.0-4+deb12u1+b1", "1:1.35.0-4+deb12u1", 1),
    ("252.30-1~deb12u2", "252.31-1~deb12u1", -1),
    ("1:9.9.4-2", "9.9.4-2", 1),
    ("20230311", "20240203", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), CASES)
def test_table(a: str, b: str, expected: int) -> None:
    check_pair(dpkg.compare, a, b, expected)


def test_policy_tilde_example() -> None:
    # §5.6.12: "~~ ~~a ~ (nothing) a" sort in this order
    check_chain(dpkg.compare, ["1.0~~", "1.0~~a", "1.0~", "1.0", "1.0a"])


def test_parse() -> None:
    assert dpkg.parse("1:2.3-4-5") == (1, "2.3-4", "5")
    assert dpkg.parse("2.3") == (0, "2.3", "")
    # a non-numeric "epoch" is not one: kept in the upstream version, never an exception
    assert dpkg.parse("x:1-2") == (0, "x:1", "2")
