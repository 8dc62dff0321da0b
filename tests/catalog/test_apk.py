"""apk cataloger; expectations from syft 1.18.1 run on the same database bytes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog import apk
from reporter.catalog.interface import Distro, FoundPackage, ParseContext, WholeFile
from reporter.errors import CatalogError
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.test_binary import _syft
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

INSTALLED = b"""C:Q1abc=
P:musl
V:1.2.5-r0
A:x86_64
S:100
I:200
T:the musl c library
U:https://musl.libc.org/
L:MIT
o:musl
m:Natanael Copa <ncopa@alpinelinux.org>
t:1700000000
c:abcdef
D:so:libc.musl-x86_64.so.1
F:lib
R:ld-musl-x86_64.so.1

P:libcrypto3
V:3.3.2-r0
A:x86_64
L:Apache-2.0 AND MIT
o:openssl

P:busybox-binsh
V:1.36.1-r29
A:x86_64
L:GPL-2.0-only MIT BSD
o:busybox

P:weird
V:1:2+3
A:aarch64
L:GPL-2.0-or-later OR LGPL-2.1+
o:

P:nover
A:noarch
L:
"""

ALPINE = Distro(id="alpine", version_id="3.20.3", name="Alpine Linux")


def run(
    dist: Distro | None, files: dict[str, bytes] | None = None, data: bytes = INSTALLED
) -> list[FoundPackage]:
    table = files or {}
    ctx = ParseContext(dist, "amd64", table.get)
    return list(apk.CATALOGER.parse("lib/apk/db/installed", data, ctx))


def test_like_syft_with_os_release() -> None:
    found = {p.name: p for p in run(ALPINE)}
    assert {(p.name, p.version, p.purl, p.licenses) for p in found.values()} == {
        (
            "busybox-binsh",
            "1.36.1-r29",
            "pkg:apk/alpine/busybox-binsh@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3&upstream=busybox",
            ("BSD", "GPL-2.0-only", "MIT"),
        ),
        (
            "libcrypto3",
            "3.3.2-r0",
            "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3&upstream=openssl",
            ("Apache-2.0 AND MIT",),
        ),
        (
            "musl",
            "1.2.5-r0",
            "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3",
            ("MIT",),
        ),
        ("nover", "", "pkg:apk/alpine/nover?arch=noarch&distro=alpine-3.20.3", ()),
        (
            "weird",
            "1:2+3",
            "pkg:apk/alpine/weird@1:2%2B3?arch=aarch64&distro=alpine-3.20.3",
            ("GPL-2.0-or-later OR LGPL-2.1+",),
        ),
    }
    assert dict(found["musl"].metadata) == {
        "arch": "x86_64",
        "build_time": "1700000000",
        "commit": "abcdef",
        "maintainer": "Natanael Copa <ncopa@alpinelinux.org>",
        "origin": "musl",
    }


def test_distro_from_repositories_without_os_release() -> None:
    repos = {
        "etc/apk/repositories": b"# mirrors\nhttps://dl-cdn.alpinelinux.org/alpine/v3.19/main\n"
        b"https://dl-cdn.alpinelinux.org/alpine/v3.19/community\n"
    }
    musl = next(p for p in run(None, repos) if p.name == "musl")
    assert musl.purl == "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.19"


def test_no_distro_no_purl() -> None:
    assert {p.purl for p in run(None)} == {""}


def test_os_release_wins_over_repositories() -> None:
    repos = {"etc/apk/repositories": b"https://dl-cdn.alpinelinux.org/alpine/v3.19/main\n"}
    wolfi = Distro(id="wolfi", version_id="20230201")
    purls = {p.purl for p in run(wolfi, repos)}
    assert "pkg:apk/wolfi/musl@1.2.5-r0?arch=x86_64&distro=wolfi-20230201" in purls


def test_edge_repositories() -> None:
    assert apk.distro_from_repositories(b"") is None
    assert (
        apk.distro_from_repositories(b"# https://x/alpine/v3.1/main\n/media/cdrom/apks\n") is None
    )
    found = apk.distro_from_repositories(b"@edge https://mirror/alpine/vedge/testing\n")
    assert found is not None
    assert found.version_id == "edge"


def test_crlf_and_no_trailing_blank_line() -> None:
    (pkg,) = run(ALPINE, data=b"P:a\r\nV:1-r0\r\nA:x86\r\nL:MIT\r\no:a")
    assert pkg.purl == "pkg:apk/alpine/a@1-r0?arch=x86&distro=alpine-3.20.3"
    assert pkg.licenses == ("MIT",)


def test_paragraph_without_name_is_skipped() -> None:
    found = run(ALPINE, data=b"V:1\nA:x86_64\n\nP:zlib\nV:1.3-r0\n\n")
    assert [(p.name, p.version) for p in found] == [("zlib", "1.3-r0")]


@pytest.mark.parametrize("data", [b"V:1\nA:x86_64\n\n\n", b"junk\n", b"\x00" * 64])
def test_text_without_any_package_is_an_error(data: bytes) -> None:
    with pytest.raises(CatalogError, match="no package paragraph"):
        run(ALPINE, data=data)


def test_empty_database_is_nothing_installed() -> None:
    assert run(ALPINE, data=b"") == []
    assert run(ALPINE, data=b"\n\n") == []


def test_junk_line_is_skipped_with_a_warning() -> None:
    # syft 1.18.1 on this database: both packages, musl with its licence, and a log line
    # 'WARN unable to parse field data from line "this is junk"'
    data = b"P:musl\nV:1.2.5-r0\nA:x86_64\nthis is junk\nL:MIT\n\nP:zlib\nV:1.3-r0\nno\n\n"
    warnings: list[str] = []
    ctx = ParseContext(ALPINE, "amd64", warn=warnings.append)
    found = apk.CATALOGER.parse("lib/apk/db/installed", data, ctx)
    assert [(p.name, p.licenses) for p in found] == [("musl", ("MIT",)), ("zlib", ())]
    assert warnings == ["line 4 is not a field ('this is junk') and 1 more; skipped"]
    # a field with a longer key is a field nobody reads, not junk
    warnings.clear()
    apk.CATALOGER.parse("lib/apk/db/installed", b"P:a\nV:1\nXY:z\n", ctx)
    assert warnings == []


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("lib/apk/db/installed", True),
        ("usr/lib/apk/db/installed", True),
        ("etc/apk/repositories", True),
        ("xlib/apk/db/installed", False),
        ("lib/apk/db/installed.bak", False),
        ("lib/apk/db/scripts.tar", False),
    ],
)
def test_wants(path: str, wanted: bool) -> None:
    result = apk.CATALOGER.wants(path, 0o100644, 10)
    assert isinstance(result, WholeFile) if wanted else result is None


def test_repositories_file_yields_nothing() -> None:
    assert (
        list(apk.CATALOGER.parse("etc/apk/repositories", b"P:x\n", ParseContext(ALPINE, "x"))) == []
    )


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=500), st.binary(max_size=100))
def test_random_bytes(data: bytes, repos: bytes) -> None:
    try:
        found = run(None, {"etc/apk/repositories": repos}, data=data)
    except CatalogError:
        return
    assert all(isinstance(p, FoundPackage) and p.name for p in found)


def test_junk_line_in_an_image_is_a_finding_and_syft_packages(tmp_path: Path) -> None:
    # (without the version-less paragraph: syft's JSON writes its version as "UNKNOWN")
    data = INSTALLED.replace(b"S:100\n", b"S:100\nthis line is junk\n").partition(b"P:nover")[0]
    release = b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n'
    out = tmp_path / "image"
    files = [TarFile("etc/os-release", release), TarFile("lib/apk/db/installed", data)]
    custom_layout(out, [tar_bytes(files)], media_type=TAR_LAYER)
    image = generate(str(out), Options()).images[0]
    ours = {(p.name, p.version, p.purl, p.licenses) for p in image.packages}
    theirs = {
        (a["name"], a["version"], a["purl"], tuple(sorted(lic["value"] for lic in a["licenses"])))
        for a in _syft(out)
    }
    assert ours == theirs
    assert len(ours) == 4
    (finding,) = [f for f in image.findings if f.kind == "catalog"]
    assert finding.where == "/lib/apk/db/installed"
    assert "line 6 is not a field ('this line is junk')" in finding.message
