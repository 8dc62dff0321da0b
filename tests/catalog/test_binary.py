"""Binary classifiers and JVM release files on real executables from Debian's packages,
compared with syft 1.18.1 run on the same image at test time."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from reporter.catalog import binary
from reporter.model import Package
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.binaries import AptUnavailable, build_binaries_image, cache_root, download
from tests.hostile._build import GZIP_LAYER, TAR_LAYER, TarFile, custom_layout, tar_bytes

_Identity = tuple[str, str, str, str]  # name, version, purl, CPEs


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the Debian binaries could not be fetched: {reason}")
    pytest.skip(f"Debian binaries unavailable: {reason}")


def _syft_binary() -> str:
    found = shutil.which("syft") or str(Path(sys.executable).parent / "syft")
    if not Path(found).exists():
        _unavailable("syft is not installed (dev dependency)")
    return found


@pytest.fixture(scope="module")
def layout() -> Path:
    try:
        return build_binaries_image()
    except AptUnavailable as exc:
        _unavailable(str(exc))
        raise  # unreachable: skip/fail raise


def _syft(target: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [_syft_binary(), f"oci-dir:{target}", "-o", "syft-json", "-q"],
        capture_output=True,
        check=True,
        timeout=600,
        env={**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"},
    )
    return list(json.loads(done.stdout)["artifacts"])


def _ours(packages: tuple[Package, ...]) -> dict[_Identity, set[str]]:
    found: dict[_Identity, set[str]] = defaultdict(set)
    for p in packages:
        if p.type == "binary":
            identity = (p.name, p.version, p.purl, " ".join(p.cpes))
            found[identity].update(loc.path for loc in p.locations)
    return dict(found)


def _theirs(artifacts: list[dict[str, Any]]) -> dict[_Identity, set[str]]:
    found: dict[_Identity, set[str]] = defaultdict(set)
    for a in artifacts:
        if a["type"] == "binary":
            cpes = " ".join(str(c["cpe"]) for c in a["cpes"])
            identity = (str(a["name"]), str(a["version"]), str(a["purl"]), cpes)
            found[identity].update(str(loc["path"]) for loc in a["locations"])
    return dict(found)


def test_binary_packages_equal_syft(layout: Path) -> None:
    report = generate(str(layout), Options())
    ours = _ours(report.images[0].packages)
    theirs = _theirs(_syft(layout))
    assert ours == theirs
    # 25 real files; syft 1.18.1 makes 12 packages of them (Debian's perl, ruby, php, node,
    # haproxy, redis, erlang and rust builds carry no string its classifiers know)
    assert len(ours) == 12
    assert (
        "go",
        "1.19.8",
        "pkg:generic/go@1.19.8",
        "cpe:2.3:a:golang:go:1.19.8:*:*:*:*:*:*:*",
    ) in ours


# --- ownership: a binary dpkg installed is dpkg's package, not a binary one ---------------


def _deb_member(deb: Path, option: str, name: str, tmp: Path) -> bytes:
    out = tmp / option.strip("-")
    subprocess.run(["dpkg-deb", option, str(deb), str(out)], check=True)
    return (out / name).read_bytes()


def _bash_image(tmp: Path, with_md5sums: bool) -> Path:
    try:
        deb = download(["bash"], cache_root() / "debs")["bash"]
    except AptUnavailable as exc:
        _unavailable(str(exc))
        raise
    control = _deb_member(deb, "-e", "control", tmp)
    md5sums = _deb_member(deb, "-e", "md5sums", tmp)
    bash = _deb_member(deb, "-x", "bin/bash", tmp)
    status = control.rstrip(b"\n").replace(
        b"\nVersion:", b"\nStatus: install ok installed\nVersion:", 1
    )
    files = [
        TarFile("bin", kind="symlink", link="usr/bin"),  # merged /usr, as bookworm images
        TarFile("usr/bin/bash", bash, mode=0o755),
        TarFile("var/lib/dpkg/status", status + b"\n"),
    ]
    if with_md5sums:
        files.append(TarFile("var/lib/dpkg/info/bash.md5sums", md5sums))
    out = tmp / ("owned" if with_md5sums else "unowned")
    custom_layout(out, [tar_bytes(files)], media_type=TAR_LAYER)
    return out


def test_binary_owned_by_dpkg_is_dropped_as_syft_drops_it(tmp_path: Path) -> None:
    owned = _bash_image(tmp_path, with_md5sums=True)
    packages = generate(str(owned), Options()).images[0].packages
    assert {(p.type, p.name) for p in packages} == {("deb", "bash")}
    assert _ours(packages) == _theirs(_syft(owned)) == {}

    # the same image without the md5sums: nothing owns the file, so it is a binary package
    unowned = _bash_image(tmp_path, with_md5sums=False)
    packages = generate(str(unowned), Options()).images[0].packages
    assert _ours(packages) == _theirs(_syft(unowned))
    assert [name for name, *_ in _ours(packages)] == ["bash"]


# --- the streaming scanner ---------------------------------------------------------------


def _image_file(layout: Path, path: str) -> bytes:
    index = json.loads((layout / "index.json").read_text())
    digest = index["manifests"][0]["digest"].split(":")[1]
    manifest = json.loads((layout / "blobs" / "sha256" / digest).read_text())
    blob = layout / "blobs" / "sha256" / manifest["layers"][0]["digest"].split(":")[1]
    with tarfile.open(blob) as tar:
        member = tar.extractfile(path)
        assert member is not None
        return member.read()


def _scan(path: str, data: bytes, chunk: int) -> bytes | None:
    scanner = binary.CLASSIFIER_CATALOGER.wants(path, 0o755, len(data))
    assert isinstance(scanner, binary.ClassifierScanner)
    for start in range(0, len(data), chunk):
        if not scanner.feed(data[start : start + chunk]):
            break
    return scanner.result()


@pytest.mark.parametrize("chunk", [4, 4093, 1 << 20])
def test_scanner_result_does_not_depend_on_chunking(layout: Path, chunk: int) -> None:
    data = _image_file(layout, "bin/bash")
    assert _scan("bin/bash", data, chunk) == _scan("bin/bash", data, len(data))
    assert _scan("bin/bash", data, chunk) == b'[[0,[0,"5.2.15"]]]'


def test_files_no_glob_matches_cost_nothing() -> None:
    cataloger = binary.CLASSIFIER_CATALOGER
    for path in ("usr/bin/ls", "usr/lib/x86_64-linux-gnu/libc.so.6", "etc/bash.bashrc"):
        assert cataloger.wants(path, 0o755, 1 << 20) is None


def test_scanner_gives_up_on_a_file_that_is_not_an_executable(layout: Path) -> None:
    # a shell script called bash: the magic check stops it after the first chunk
    scanner = binary.CLASSIFIER_CATALOGER.wants("usr/local/bin/bash", 0o755, 100)
    assert scanner is not None
    assert isinstance(scanner, binary.ClassifierScanner)
    assert scanner.feed(b"#!/bin/sh\necho @(#)Bash version 5.2.15(1) release GNU\n") is False
    assert scanner.result() is None


def test_jvm_release_tells_a_jdk_by_its_javac(layout: Path) -> None:
    release = _image_file(layout, "usr/lib/jvm/java-17-openjdk-amd64/release")
    path = "usr/lib/jvm/java-17-openjdk-amd64/release"
    jre = binary.parse_jvm_release(path, release, has_jdk=False)
    jdk = binary.parse_jvm_release(path, release, has_jdk=True)
    # Debian's IMPLEMENTOR is "Debian": syft calls it oracle/openjdk either way
    assert [p.purl for p in jre] == [p.purl for p in jdk]
    assert jre[0].purl == "pkg:generic/oracle/openjdk@17.0.21.1%2B2-1-deb12u1-Debian"
    oracle = release.replace(b'IMPLEMENTOR="Debian"', b'IMPLEMENTOR="Oracle Corporation"')
    assert binary.parse_jvm_release(path, oracle, has_jdk=True)[0].name == "jdk"
    # without javac, IMAGE_TYPE decides (syft's jvmProjectByType: anything but "jre" is a JDK)
    assert binary.parse_jvm_release(path, oracle, has_jdk=False)[0].name == "jdk"
    oracle_jre = oracle + b'IMAGE_TYPE="JRE"\n'
    (found,) = binary.parse_jvm_release(path, oracle_jre, has_jdk=False)
    assert (found.name, " ".join(found.cpes)) == (
        "jre",
        "cpe:2.3:a:oracle:java_se:17.0.21.1:*:*:*:*:*:*:* "
        "cpe:2.3:a:oracle:jre:17.0.21.1:*:*:*:*:*:*:*",
    )


# --- hard links: busybox's applets are one file under many names -----------------------------


def _busybox_tree(tmp: Path) -> tuple[Path, str]:
    """bin/busybox from Debian's package, with applets made by ln(1): real hard links; and
    the upstream version (the .deb's, without epoch and Debian revision)."""
    try:
        deb = download(["busybox"], cache_root() / "debs")["busybox"]
    except AptUnavailable as exc:
        _unavailable(str(exc))
        raise
    version = deb.name.split("_")[1].replace("%3a", ":").partition(":")[2].rpartition("-")[0]
    root = tmp / "root"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "busybox").write_bytes(_deb_member(deb, "-x", "bin/busybox", tmp))
    (root / "bin" / "busybox").chmod(0o755)
    for applet in ("[", "cat", "ls", "sh"):
        os.link(root / "bin" / "busybox", root / "bin" / applet)
    return root, version


def _gnu_tar(root: Path) -> bytes:
    done = subprocess.run(
        ["tar", "-C", str(root), "--sort=name", "--owner=0", "--group=0", "-cf", "-", "bin"],
        capture_output=True,
        check=True,
    )
    return done.stdout


def _python_tar(root: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(root / "bin", arcname="bin")  # sorted names; later names become hard links
    return buf.getvalue()


@pytest.mark.parametrize("writer", [_gnu_tar, _python_tar], ids=["gnu-tar", "python-tarfile"])
@pytest.mark.parametrize("media_type", [TAR_LAYER, GZIP_LAYER], ids=["tar", "gzip"])
def test_busybox_under_a_hard_link_equals_syft(
    tmp_path: Path, writer: Any, media_type: str
) -> None:
    root, version = _busybox_tree(tmp_path)
    layer = writer(root)
    with tarfile.open(fileobj=io.BytesIO(layer)) as tar:
        member = tar.getmember("bin/busybox")
        assert member.islnk()
        assert member.linkname == "bin/["
    out = tmp_path / "image"
    custom_layout(
        out,
        [gzip.compress(layer, mtime=0) if media_type == GZIP_LAYER else layer],
        media_type=media_type,
    )
    report = generate(str(out), Options())
    ours = _ours(report.images[0].packages)
    artifacts = _syft(out)
    # syft names the file by its first name and the link as the access path; we report the
    # name it was found under (syft's accessPath)
    binaries = [a for a in artifacts if a["type"] == "binary"]
    assert [(loc["path"], loc["accessPath"]) for a in binaries for loc in a["locations"]] == [
        ("/bin/[", "/bin/busybox")
    ]
    for a in binaries:
        for loc in a["locations"]:
            loc["path"] = loc["accessPath"]
    assert ours == _theirs(artifacts)
    assert [(name, found) for name, found, *_ in ours] == [("busybox", version)]
    assert not [f for f in report.images[0].findings if "hard link" in f.message]
