"""Go module ordering (golang.org/x/mod/semver) including pseudo-versions and toolchains."""

from __future__ import annotations

import pytest

from reporter.versions import golang

from ._helpers import check_chain, check_pair


def test_pseudo_versions_sit_between_releases() -> None:
    # Go Modules Reference, "Pseudo-versions": the three forms
    check_chain(
        golang.compare,
        [
            "v0.0.0-20191109021931-daa7c04131f5",
            "v0.0.0-20200101000000-0123456789ab",
            "v0.1.0",
            "v1.2.3",
            "v1.2.4-0.20191109021931-daa7c04131f5",
            "v1.2.4",
            "v1.3.0-pre",
            "v1.3.0-pre.0.20200101000000-0123456789ab",
            "v1.3.0",
        ],
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("v2.0.0+incompatible", "v2.0.0", 0),  # build metadata ignored
        ("v1", "v1.0.0", 0),  # shorthands
        ("v1.2", "v1.2.0", 0),
        ("v0.23.0", "v0.24.0", -1),  # golang.org/x/net
        ("v1.10.0", "v1.9.1", 1),
        ("1.2.3", "v0.0.1", -1),  # invalid (no "v") sorts below valid
        ("(devel)", "v1.0.0", -1),
        ("v1.02.0", "v1.2.0", -1),  # leading zero: invalid
        ("go1.21.5", "go1.22.0", -1),  # stdlib as syft reports it
        ("go1.22rc1", "go1.22.0", -1),
        ("go1.21", "go1.21rc1", -1),  # go/version: language version first
        ("go1.22beta1", "go1.22rc1", -1),
        ("go1.21.10", "go1.21.9", 1),
    ],
)
def test_table(a: str, b: str, expected: int) -> None:
    check_pair(golang.compare, a, b, expected)
