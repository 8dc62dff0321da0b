"""``compare(pkg_type, a, b)`` and the never-raise contract of every scheme."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter import versions


@pytest.mark.parametrize(
    ("pkg_type", "a", "b", "expected"),
    [
        ("deb", "1.0~rc1", "1.0", -1),  # dpkg tilde
        ("rpm", "1.0^git1", "1.0", 1),  # rpm caret
        ("apk", "1.0_p1", "1.0", 1),  # apk post-release suffix
        ("python", "1.0.post1", "1.0", 1),
        ("npm", "1.0.0-rc.1", "1.0.0", -1),
        ("rust-crate", "1.0.0-alpha.1", "1.0.0-alpha.beta", -1),
        ("cargo", "0.10.0", "0.9.9", 1),
        ("go-module", "v0.0.0-20191109021931-daa7c04131f5", "v0.0.1", -1),
        ("java-archive", "1.0-SNAPSHOT", "1.0", -1),
        ("gem", "1.0.a", "1.0", -1),
        ("php-composer", "1.10", "1.9", 1),  # generic
        ("unknown-type", "2", "10", -1),
    ],
)
def test_dispatch(pkg_type: str, a: str, b: str, expected: int) -> None:
    assert versions.compare(pkg_type, a, b) == expected
    assert versions.compare(pkg_type, b, a) == -expected


def test_scheme_for() -> None:
    assert versions.scheme_for("deb") == "dpkg"
    assert versions.scheme_for("Go-Module") == "go"
    assert versions.scheme_for("binary") == "generic"
    assert set(versions.SCHEMES) >= {"dpkg", "rpm", "apk", "pep440", "semver", "go", "maven"}


# Text biased towards version syntax, so the parsers get past their first character.
_VERSIONISH = st.text(alphabet="0123456789.-~^_+:vrcabplhgitsn!", max_size=16)
_ANY = st.one_of(_VERSIONISH, st.text(max_size=16))


@pytest.mark.parametrize("scheme", sorted(versions.SCHEMES))
@settings(max_examples=300, deadline=None)
@given(a=_ANY, b=_ANY)
def test_total_antisymmetric_never_raises(scheme: str, a: str, b: str) -> None:
    cmp = versions.SCHEMES[scheme]
    r = cmp(a, b)
    assert r in (-1, 0, 1)
    assert cmp(b, a) == -r
    assert cmp(a, a) == 0
