"""Python cataloger: real dist-info bytes from the fixture images, compared with syft 1.18.1."""

from __future__ import annotations

import contextlib
import io
import json
import tarfile
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog.interface import FoundPackage, ParseContext, WholeFile
from reporter.catalog.python import CATALOGER, normalize_name
from reporter.errors import CatalogError
from tests.conftest import shared_path

SITE_LAYER = "b356fbc76b972c504b044374eb0707565fc4c05cfc5223426e5241849554d0ff"


def _catalog_tar(layer: tarfile.TarFile) -> dict[str, list[FoundPackage]]:
    """What the walker would do for one layer: ask wants, keep, then parse with ctx.read."""
    kept: dict[str, bytes] = {}
    for member in layer.getmembers():
        if not member.isfile():
            continue
        want = CATALOGER.wants(member.name, member.mode, member.size)
        if want is None:
            continue
        assert isinstance(want, WholeFile)
        handle = layer.extractfile(member)
        assert handle is not None
        kept[member.name] = handle.read()
    ctx = ParseContext(distro=None, arch="amd64", read=kept.get)
    return {path: list(CATALOGER.parse(path, data, ctx)) for path, data in kept.items()}


def _syft_python(name: str) -> dict[str, tuple[str, str, str, str]]:
    doc = json.loads(shared_path("fixtures", "real", "_reference", "syft", name).read_text())
    return {
        a["locations"][0]["path"].lstrip("/"): (a["type"], a["name"], a["version"], a["purl"])
        for a in doc["artifacts"]
        if a["type"] == "python"
    }


def _key(pkg: FoundPackage) -> tuple[str, str, str, str]:
    return (pkg.type, pkg.name, pkg.version, pkg.purl)


def test_debian_app_site_packages_match_syft() -> None:
    blob = shared_path("fixtures", "real", "debian-app.oci-gzip", "blobs", "sha256", SITE_LAYER)
    with tarfile.open(blob) as layer:
        found = _catalog_tar(layer)
    packages = {path: pkgs for path, pkgs in found.items() if pkgs}
    syft = _syft_python("debian-app.oci-gzip.syft.json")
    # six and packaging are visible in the final image; idna is whited out by a later layer
    for path, expected in syft.items():
        assert [_key(p) for p in packages[path]] == [expected]
    site = "usr/local/lib/python3.11/site-packages"
    assert [_key(p) for p in packages[f"{site}/idna-3.7.dist-info/METADATA"]] == [
        ("python", "idna", "3.7", "pkg:pypi/idna@3.7")
    ]
    assert len(packages) == 3
    six = packages[f"{site}/six-1.16.0.dist-info/METADATA"][0]
    # syft: evidence RECORD and top_level.txt, licence MIT from the License field
    assert six.supporting_paths == (
        f"{site}/six-1.16.0.dist-info/RECORD",
        f"{site}/six-1.16.0.dist-info/top_level.txt",
    )
    assert six.licenses == ("MIT",)
    assert ("site_packages_root", site) in six.metadata
    packaging = packages[f"{site}/packaging-24.0.dist-info/METADATA"][0]
    # syft reports no licence; we read the classifiers (Apache, and BSD in its own words)
    assert packaging.licenses == ("Apache-2.0", "BSD License")


def test_docker_buildkit_app_urllib3_matches_syft() -> None:
    archive = shared_path("fixtures", "real", "docker-buildkit-app.docker-save.tar.gz")
    syft = _syft_python("docker-buildkit-app.docker-save.tar.syft.json")
    seen: dict[str, list[FoundPackage]] = {}
    with tarfile.open(archive) as outer:
        for member in outer.getmembers():
            if not member.name.endswith("layer.tar"):
                continue
            handle = outer.extractfile(member)
            assert handle is not None
            with tarfile.open(fileobj=handle) as layer:
                seen.update(_catalog_tar(layer))
    for path, expected in syft.items():
        assert [_key(p) for p in seen[path]] == [expected]
    assert ("python", "urllib3", "2.2.1", "pkg:pypi/urllib3@2.2.1") in syft.values()


def _meta(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n\nLong description\nLicense: not-a-header\n").encode()


CTX = ParseContext(distro=None, arch="amd64")


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("Foo_Bar.baz", "foo-bar-baz"), ("dirEgg", "diregg"), ("a__-.b", "a-b"), ("six", "six")],
)
def test_pep503_names_as_syft(raw: str, normalized: str) -> None:
    assert normalize_name(raw) == normalized
    pkgs = list(
        CATALOGER.parse("x/y-1.dist-info/METADATA", _meta(f"Name: {raw}", "Version: 1"), CTX)
    )
    assert (pkgs[0].name, pkgs[0].purl) == (normalized, f"pkg:pypi/{normalized}@1")


def test_licence_precedence() -> None:
    def licences(*lines: str) -> tuple[str, ...]:
        data = _meta("Name: a", "Version: 1", *lines)
        return next(iter(CATALOGER.parse("a-1.dist-info/METADATA", data, CTX))).licenses

    assert licences("License-Expression: MIT OR Apache-2.0", "License: BSD") == (
        "MIT OR Apache-2.0",
    )
    assert licences("License: BSD", "Classifier: License :: OSI Approved :: MIT License") == (
        "BSD",
    )
    # a pasted licence text is not a declaration: classifiers win
    assert licences(
        "License: Permission is hereby granted, free of charge, to any person",
        "        obtaining a copy of this software",
        "Classifier: License :: OSI Approved :: MIT License",
        "Classifier: License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
    ) == ("MIT", "GPL-2.0-or-later")
    assert licences("License: UNKNOWN") == ()
    assert licences("Classifier: Programming Language :: Python") == ()


def test_egg_info_file_dir_and_zipped_egg() -> None:
    pkg_info = b"Metadata-Version: 1.1\nName: Eggy\nVersion: 0.5\nLicense: GPL-2.0-only\n"
    as_file = list(
        CATALOGER.parse("usr/lib/python3/dist-packages/eggy-0.5.egg-info", pkg_info, CTX)
    )
    assert [_key(p) for p in as_file] == [("python", "eggy", "0.5", "pkg:pypi/eggy@0.5")]
    in_dir = "usr/lib/python3/dist-packages/eggy-0.5.egg-info/PKG-INFO"
    assert CATALOGER.wants(in_dir, 0o644, 100) == WholeFile(8 * 1024 * 1024)
    assert [p.licenses for p in CATALOGER.parse(in_dir, pkg_info, CTX)] == [("GPL-2.0-only",)]
    unpacked = "site/z-1.0.egg/EGG-INFO/PKG-INFO"
    assert CATALOGER.wants(unpacked, 0o644, 100) is not None
    assert (
        dict(next(iter(CATALOGER.parse(unpacked, pkg_info, CTX))).metadata)["site_packages_root"]
        == "site"
    )

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("EGG-INFO/PKG-INFO", pkg_info)
        zf.writestr("eggy/__init__.py", "")
    zipped = list(CATALOGER.parse("site/eggy-0.5-py3.11.egg", buf.getvalue(), CTX))
    assert [_key(p) for p in zipped] == [("python", "eggy", "0.5", "pkg:pypi/eggy@0.5")]
    with pytest.raises(CatalogError, match="egg"):
        list(CATALOGER.parse("site/broken.egg", b"PK\x03\x04 not really", CTX))


def test_wants_is_selective() -> None:
    yes = [
        "a/b-1.dist-info/METADATA",
        "a/B-1.DIST-INFO/METADATA",
        "a/b-1.egg-info/PKG-INFO",
        "a/b-1.egg-info",
        "a/b-1.dist-info/RECORD",
        "a/b-1.egg-info/installed-files.txt",
    ]
    no = [
        "a/METADATA",
        "a/b/METADATA",
        "a/b-1.dist-info/LICENSE",
        "a/PKG-INFO",
        "a/b/RECORD",
        "usr/share/doc/README",
    ]
    assert all(CATALOGER.wants(p, 0o644, 10) is not None for p in yes)
    assert all(CATALOGER.wants(p, 0o644, 10) is None for p in no)
    assert list(CATALOGER.parse("a/b-1.dist-info/RECORD", b"x,y,z\n", CTX)) == []


def test_no_name_no_package() -> None:
    assert list(CATALOGER.parse("a-1.dist-info/METADATA", b"Version: 1\n", CTX)) == []


@settings(max_examples=200, deadline=None)
@given(
    data=st.binary(max_size=2048),
    path=st.sampled_from(
        ["a-1.dist-info/METADATA", "a-1.egg-info/PKG-INFO", "a-1.egg-info", "a-1.egg"]
    ),
)
def test_random_bytes_raise_only_catalog_error(data: bytes, path: str) -> None:
    with contextlib.suppress(CatalogError):
        list(CATALOGER.parse(path, data, CTX))
