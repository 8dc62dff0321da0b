"""PEP 440 ordering: the spec's own example list and normalisation rules."""

from __future__ import annotations

import pytest

from reporter.versions import pep440

from ._helpers import check_chain, check_pair


def test_pep440_example_order() -> None:
    # PEP 440, "Summary of permitted suffixes and relative ordering"
    check_chain(
        pep440.compare,
        [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
        ],
    )


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0", "1.0.0", 0),  # release segments are zero-padded
        ("1.0-alpha1", "1.0a1", 0),  # normalisation
        ("1!0.1", "2.0", 1),  # epoch first
        ("2.0.7", "2.2.1", -1),  # urllib3
        ("23.2", "24.0", -1),  # packaging
        ("1.16.0", "1.17.0", -1),  # six
        ("not a version", "1.0", -1),  # not PEP 440: generic, where words sort below numbers
    ],
)
def test_table(a: str, b: str, expected: int) -> None:
    check_pair(pep440.compare, a, b, expected)
