"""The declarative cataloger, the one purl builder and the vendored SPDX licence list."""

from __future__ import annotations

import struct
from collections.abc import Iterable

import pytest
from cyclonedx.spdx import is_supported_id
from packageurl import PackageURL

from reporter.catalog import ALL_CATALOGERS
from reporter.catalog.interface import Declared, FoundPackage, ParseContext, WholeFile
from reporter.catalog.licences import spdx_ids
from reporter.catalog.purl import purl, scoped_purl
from reporter.errors import CatalogError

CTX = ParseContext(None, "amd64")


def _never(path: str, mode: int, size: int) -> WholeFile | None:
    return None


def _raising(error: Exception) -> Declared:
    def parser(path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
        yield FoundPackage("x", "first", "1")
        raise error

    return Declared("t", _never, parser, unreadable=(struct.error,), what="test database")


def test_a_catalog_error_gets_the_path_when_it_has_none() -> None:
    with pytest.raises(CatalogError) as caught:
        _raising(CatalogError("bad header")).parse("var/db", b"", CTX)
    assert str(caught.value) == "var/db: bad header"


def test_a_catalog_error_with_a_path_is_kept_as_is() -> None:
    with pytest.raises(CatalogError) as caught:
        _raising(CatalogError("bad", where="inner")).parse("var/db", b"", CTX)
    assert str(caught.value) == "inner: bad"


def test_an_unreadable_exception_becomes_a_catalog_error() -> None:
    with pytest.raises(CatalogError) as caught:
        _raising(struct.error("short read")).parse("var/db", b"", CTX)
    assert str(caught.value) == "var/db: unreadable test database: short read"


def test_other_exceptions_pass_through() -> None:
    # run.py turns them into one finding; the cataloger does not hide parser bugs.
    with pytest.raises(ZeroDivisionError):
        _raising(ZeroDivisionError("bug")).parse("var/db", b"", CTX)


def _two(path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
    yield FoundPackage("x", "a", "1", purl="pkg:generic/a@1")
    yield FoundPackage("x", "a", "1", licenses=("MIT",))  # the same identity again
    yield FoundPackage("x", "b", "")


def test_identities_without_identify_are_those_of_parse() -> None:
    assert Declared("t", _never, _two).identities("var/db", b"", CTX) == {
        ("x", "a", "1"),
        ("x", "b", ""),
    }


def test_identities_use_identify_when_declared() -> None:
    def identify(path: str, data: bytes, ctx: ParseContext) -> Iterable[tuple[str, str, str]]:
        return [("x", "only", path)]

    cataloger = Declared("t", _never, _two, identify=identify)
    assert cataloger.identities("var/db", b"", CTX) == {("x", "only", "var/db")}
    assert len(cataloger.parse("var/db", b"", CTX)) == 3


def test_identify_errors_are_wrapped_as_parse_errors_are() -> None:
    def identify(path: str, data: bytes, ctx: ParseContext) -> Iterable[tuple[str, str, str]]:
        yield ("x", "first", "1")
        raise struct.error("short read")

    cataloger = Declared(
        "t", _never, _two, unreadable=(struct.error,), what="test database", identify=identify
    )
    with pytest.raises(CatalogError) as caught:
        cataloger.identities("var/db", b"", CTX)
    assert str(caught.value) == "var/db: unreadable test database: short read"


def test_the_registry_is_declared_and_names_are_unique() -> None:
    assert all(isinstance(c, Declared) for c in ALL_CATALOGERS)
    names = [c.name for c in ALL_CATALOGERS]
    assert len(set(names)) == len(names)
    assert names[0] == "distro"  # detected first: the OS purls need it


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (scoped_purl("npm", "@types/node", "20.1.0"), "pkg:npm/%40types/node@20.1.0"),
        (scoped_purl("composer", "monolog/monolog", "3.5.0"), "pkg:composer/monolog/monolog@3.5.0"),
        (
            purl("golang", "github.com/x", "y", "v1.0.0+incompatible"),
            "pkg:golang/github.com/x/y@v1.0.0%2Bincompatible",
        ),
        (purl("golang", "example.com", "app", "(devel)"), "pkg:golang/example.com/app@(devel)"),
        (purl("golang", "a.b/c", "d", "v1", subpath="e/f"), "pkg:golang/a.b/c/d@v1#e/f"),
        (purl("pypi", "", "foo-bar", ""), "pkg:pypi/foo-bar"),
    ],
)
def test_language_purls_are_spelled_as_syft(built: str, expected: str) -> None:
    assert built == expected


@pytest.mark.parametrize("name", ["libstdc++6", "gcc-12-base", "util-linux", "x!(y)"])
def test_os_purls_are_spelled_as_packageurl_python(name: str) -> None:
    qualifiers = {"arch": "amd64", "upstream": "gcc-12@12.2.0-14", "distro": "debian-12"}
    expected = PackageURL(
        type="deb", namespace="debian", name=name, version="1:2.3+b1", qualifiers=qualifiers
    ).to_string()
    assert purl("deb", "debian", name, "1:2.3+b1", qualifiers) == expected


def test_language_purl_qualifiers_are_spelled_as_syft() -> None:
    # syft 1.18.1 on a pip install from git (tests/catalog/test_python.py runs it)
    vcs = "git+file:///tmp/r@34158c35"
    assert purl("pypi", "", "x", "1", {"vcs_url": vcs, "b": ""}) == (
        "pkg:pypi/x@1?vcs_url=git%2Bfile:///tmp/r%4034158c35"
    )


def test_the_vendored_spdx_ids_are_spdx_ids() -> None:
    ids = spdx_ids()
    assert len(ids) == len(set(ids)) > 500
    assert {"MIT", "Apache-2.0", "GPL-2.0-or-later", "Classpath-exception-2.0"} <= set(ids)
    unknown = [i for i in ids if not is_supported_id(i)]
    assert unknown == []
