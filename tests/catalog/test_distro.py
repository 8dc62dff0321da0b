"""Distro detection against real layers and syft 1.18.1's answers for them."""

from __future__ import annotations

import json
import tarfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog import distro
from reporter.catalog.interface import Cataloger, Distro, ParseContext, WholeFile
from tests.conftest import shared_path

DEBIAN_APP = ("fixtures", "real", "debian-app.oci-gzip")
DEBIAN_BASE_LAYER = "a666983d34ecbafd1831f004a5ddeaaa4b471cdd03a29782f14ab6cbc21a7179"
TINY = ("fixtures", "real", "tiny-multiarch.oci")
# platform -> (layer blob, syft reference file)
TINY_LAYERS = {
    "amd64": "bf3cf18ab83099178043d09d2684c32a1c7b8dc7d4b4adfea188dda11abadb9d",
    "arm64": "a08d3e490f70f2aa13a73c31b097deca02c1440d868c31dafdcff1e1edf884e2",
    "arm_v7": "7bdf48f0ef17a4e0ab8e1354cf49dfcd9c99877d832a423d796cd9799235241a",
}


def read_members(tar: tarfile.TarFile, wanted: Callable[[str], bool]) -> dict[str, bytes]:
    """Regular files of one layer tar whose (``./``-less) path is wanted."""
    out: dict[str, bytes] = {}
    for member in tar:
        name = member.name.removeprefix("./")
        if member.isfile() and wanted(name):
            handle = tar.extractfile(member)
            assert handle is not None
            out[name] = handle.read()
    return out


def squash(
    layers: Iterable[dict[str, bytes]], whiteouts: Iterable[set[str]] = ()
) -> dict[str, bytes]:
    """Later layers win; whiteout names (``dir/.wh.x``) drop what lower layers had."""
    view: dict[str, bytes] = {}
    wh_list = list(whiteouts)
    for index, layer in enumerate(layers):
        for wh in wh_list[index] if index < len(wh_list) else set():
            parent, _, base = wh.rpartition("/")
            gone = (parent + "/" if parent else "") + base.removeprefix(".wh.")
            for path in [p for p in view if p == gone or p.startswith(gone + "/")]:
                del view[path]
        view.update(layer)
    return view


def layer_files(blob: Path, wanted: Callable[[str], bool]) -> tuple[dict[str, bytes], set[str]]:
    """(wanted files, whiteout paths) of a layer blob, gzip or plain."""
    with tarfile.open(blob, mode="r:*") as tar:
        whiteouts: set[str] = set()
        files: dict[str, bytes] = {}
        for member in tar:
            name = member.name.removeprefix("./")
            if name.rpartition("/")[2].startswith(".wh.") and not name.endswith(".wh..wh..opq"):
                whiteouts.add(name)
            elif member.isfile() and wanted(name):
                handle = tar.extractfile(member)
                assert handle is not None
                files[name] = handle.read()
        return files, whiteouts


def wanted_by(cataloger: Cataloger) -> Callable[[str], bool]:
    return lambda path: cataloger.wants(path, 0o100644, 0) is not None


def syft_distro(name: str) -> dict[str, object]:
    path = shared_path("fixtures", "real", "_reference", "syft", name)
    data = json.loads(path.read_text())
    result: dict[str, object] = data["distro"]
    return result


# --- wants -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["etc/os-release", "usr/lib/os-release", "etc/system-release-cpe", "etc/redhat-release"],
)
def test_wants_release_files_whole(path: str) -> None:
    assert isinstance(distro.wants(path, 0o100644, 300), WholeFile)
    assert isinstance(distro.CATALOGER.wants(path, 0o100644, 300), WholeFile)


@pytest.mark.parametrize(
    "path",
    [
        "etc/os-release.bak",
        "/etc/os-release",
        "usr/etc/os-release",
        "etc/alpine-release",  # syft 1.18.1 does not read it: neither do we
        "etc/debian_version",
        "bin/busybox.static",
        "usr/bin/busybox",
    ],
)
def test_wants_nothing_else(path: str) -> None:
    assert distro.wants(path, 0o100644, 300) is None


def test_cataloger_finds_no_packages() -> None:
    assert distro.CATALOGER.name == "distro"
    assert (
        list(distro.CATALOGER.parse("etc/os-release", b"ID=x\n", ParseContext(None, "amd64"))) == []
    )


# --- os-release ------------------------------------------------------------------------


def test_real_debian_os_release_matches_syft() -> None:
    blob = shared_path(*DEBIAN_APP, "blobs", "sha256", DEBIAN_BASE_LAYER)
    files, _ = layer_files(blob, wanted_by(distro.CATALOGER))
    # /etc/os-release is a symlink there: only usr/lib/os-release is a regular file
    assert set(files) == {"usr/lib/os-release"}
    found = distro.detect(files.get)
    ref = syft_distro("debian-app.oci-gzip.syft.json")
    assert found == Distro(
        id=str(ref["id"]),
        version_id=str(ref["versionID"]),
        version_codename=str(ref["versionCodename"]),
        name=str(ref["name"]),
        pretty_name=str(ref["prettyName"]),
        source_path="usr/lib/os-release",
    )


def test_etc_os_release_wins_over_usr_lib() -> None:
    files = {
        "etc/os-release": b"ID=ubuntu\nVERSION_ID=22.04\n",
        "usr/lib/os-release": b"ID=debian\nVERSION_ID=12\n",
    }
    found = distro.detect(files.get)
    assert found is not None
    assert (found.id, found.version_id, found.source_path) == ("ubuntu", "22.04", "etc/os-release")


def test_os_release_quotes_escapes_comments() -> None:
    text = (
        "# comment line\n"
        "\n"
        'NAME="Fancy \\"Quoted\\" Linux"\n'
        "ID='fancy'\n"
        'ID_LIKE="rhel  fedora"\n'
        "VERSION_ID=9.4\n"
        'PRETTY_NAME="Dollar \\$ and back\\\\slash and \\`tick\\`"\n'
        "  VERSION_CODENAME = plain \n"
        "garbage line without equals\n"
        "=novalue\n"
    )
    values = distro.parse_os_release(text)
    assert values["NAME"] == 'Fancy "Quoted" Linux'
    assert values["ID"] == "fancy"
    assert values["PRETTY_NAME"] == "Dollar $ and back\\slash and `tick`"
    assert values["VERSION_CODENAME"] == "plain"
    assert "" not in values
    found = distro.detect({"usr/lib/os-release": text.encode()}.get)
    assert found is not None
    assert found.id_like == ("rhel", "fedora")
    assert found.version_id == "9.4"


def test_os_release_single_quotes_keep_backslashes() -> None:
    assert distro.parse_os_release("X='a\\b'\n")["X"] == "a\\b"
    # in double quotes a backslash before an ordinary character stays (sh rules)
    assert distro.parse_os_release('X="a\\b"\n')["X"] == "a\\b"


def test_empty_os_release_falls_through() -> None:
    files = {
        "etc/os-release": b"# nothing\n\n",
        "usr/lib/os-release": b"ID=alpine\nVERSION_ID=3.20.3\n",
    }
    found = distro.detect(files.get)
    assert found is not None
    assert (found.id, found.version_id) == ("alpine", "3.20.3")


def test_nothing_found() -> None:
    empty: dict[str, bytes] = {}
    assert distro.detect(empty.get) is None
    assert distro.detect({"etc/redhat-release": b"no release here"}.get) is None


# --- older fallbacks (syft's order) ----------------------------------------------------


def test_system_release_cpe() -> None:
    found = distro.detect({"etc/system-release-cpe": b"cpe:/o:centos:linux:6:GA\n"}.get)
    assert found is not None
    assert (found.id, found.version_id, found.id_like) == ("centos", "6", ("centos",))


@pytest.mark.parametrize(
    ("text", "ident", "version"),
    [
        (b"CentOS release 6.10 (Final)\n", "centos", "6.10"),
        (b"Red Hat Enterprise Linux Server release 7.9 (Maipo)\n", "rhel", "7.9"),
        (b"Rocky Linux release 8.9 (Green Obsidian)\n", "rocky linux", "8.9"),
    ],
)
def test_redhat_release(text: bytes, ident: str, version: str) -> None:
    found = distro.detect({"etc/redhat-release": text}.get)
    assert found is not None
    assert (found.id, found.version_id) == (ident, version)


def test_os_release_beats_redhat_release_and_busybox() -> None:
    files = {
        "etc/redhat-release": b"CentOS release 6.10 (Final)",
        "bin/busybox": b"BusyBox v1.36.1",
        "usr/lib/os-release": b"ID=rocky\nVERSION_ID=9.3\n",
    }
    found = distro.detect(files.get)
    assert found is not None
    assert found.id == "rocky"


# --- busybox ---------------------------------------------------------------------------


def scan(data: bytes, chunk: int) -> bytes | None:
    scanner = distro.wants("bin/busybox", 0o100755, len(data))
    assert scanner is not None
    assert not isinstance(scanner, WholeFile)
    for start in range(0, len(data), chunk):
        if not scanner.feed(data[start : start + chunk]):
            break
    return scanner.result()


@pytest.mark.parametrize("platform", sorted(TINY_LAYERS))
def test_real_busybox_matches_syft(platform: str) -> None:
    blob = shared_path(*TINY, "blobs", "sha256", TINY_LAYERS[platform])
    with tarfile.open(blob, mode="r:gz") as tar:
        files = read_members(tar, lambda name: name == "bin/busybox")
    kept = scan(files["bin/busybox"], 65536)
    assert kept is not None
    assert len(kept) < 32  # the banner, not the binary
    found = distro.detect({"bin/busybox": kept}.get)
    ref = syft_distro(f"tiny-multiarch.oci__multi_linux_{platform}_.syft.json")
    assert found is not None
    assert found.id == ref["id"]
    assert list(found.id_like) == ref["idLike"]
    assert found.version_id == ref["versionID"]
    assert found.pretty_name == ref["prettyName"]
    assert found.name == ref["name"]


@pytest.mark.parametrize("chunk", [1, 2, 5, 9, 10, 11, 13, 4096])
def test_busybox_banner_split_across_chunks(chunk: int) -> None:
    data = (
        b"\x00" * 37 + b"BusyBox vx " + b"\x7fELF" * 10 + b"BusyBox v1.36.1 (2024)" + b"\x00" * 50
    )
    assert scan(data, chunk) == b"BusyBox v1.36.1"


@pytest.mark.parametrize("chunk", [1, 3, 100])
def test_busybox_banner_at_very_end(chunk: int) -> None:
    assert scan(b"\x00" * 80 + b"BusyBox v1.2", chunk) == b"BusyBox v1.2"


def test_busybox_without_banner() -> None:
    assert scan(b"\x00" * 1000 + b"BusyBox version", 64) is None


def test_busybox_scanner_stops_early() -> None:
    scanner = distro.BusyBoxScanner()
    assert scanner.feed(b"BusyBox v1.35.0 rest") is False
    assert scanner.feed(b"BusyBox v9.9.9 ") is False
    assert scanner.result() == b"BusyBox v1.35.0"


# --- robustness ------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "etc/os-release",
                "usr/lib/os-release",
                "etc/system-release-cpe",
                "etc/redhat-release",
                "bin/busybox",
            ]
        ),
        st.binary(max_size=200),
    )
)
def test_detect_never_raises(files: dict[str, bytes]) -> None:
    found = distro.detect(files.get)
    assert found is None or isinstance(found, Distro)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=40))
def test_scanner_agrees_with_whole_search(data: bytes, chunk: int) -> None:
    import re

    match = re.search(rb"BusyBox v[0-9.]+", data)
    assert scan(data, chunk) == (match.group(0) if match else None)
