"""Python cataloger: real dist-info bytes from the fixture images, compared with syft 1.18.1."""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog.interface import FoundPackage, ParseContext, WholeFile
from reporter.catalog.python import CATALOGER, normalize_name, vcs_url
from reporter.errors import CatalogError
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.test_binary import _syft
from tests.conftest import shared_path
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

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


# --- real installs, against syft 1.18.1 run on the same image ---------------------------------

# A PEP 517 backend of a few lines, committed into a git repository at test time so that pip
# itself installs it from a VCS URL (offline: no build requirements) and writes
# direct_url.json with vcs_info (PyPA "Direct URL Data Structure").
_BACKEND = """
import base64, hashlib, zipfile

NAME, VERSION = "vcs_demo", "0.3.1"


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    dist = f"{NAME}-{VERSION}.dist-info"
    files = {
        "vcs_demo.py": b"VALUE = 1\\n",
        f"{dist}/METADATA": f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n"
        .encode(),
        f"{dist}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\n"
        b"Tag: py3-none-any\\n",
    }
    name = f"{NAME}-{VERSION}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(f"{wheel_directory}/{name}", "w") as whl:
        for path, data in files.items():
            whl.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            record.append(f"{path},sha256={digest.decode()},{len(data)}")
        whl.writestr(f"{dist}/RECORD", "\\n".join([*record, f"{dist}/RECORD,,"]) + "\\n")
    return name
"""
_PYPROJECT = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
_SITE = "usr/lib/python3.11/site-packages"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {name} is missing")
        pytest.skip(f"{name} is not installed")
    return found


def _run(args: list[str], cwd: Path | None = None) -> str:
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    done = subprocess.run(
        args, cwd=cwd, check=True, capture_output=True, text=True, timeout=300, env=env
    )
    return done.stdout


def _layout(tmp: Path, files: list[TarFile]) -> Path:
    out = tmp / "image"
    custom_layout(out, [tar_bytes(files)], media_type=TAR_LAYER)
    return out


def _ours_and_syft(layout: Path) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    ours = {
        (p.name, p.version, p.purl, *sorted(loc.path for loc in p.locations))
        for p in generate(str(layout), Options()).images[0].packages
        if p.type == "python"
    }
    theirs = {
        (a["name"], a["version"], a["purl"], *sorted(loc["path"] for loc in a["locations"]))
        for a in _syft(layout)
        if a["type"] == "python"
    }
    return ours, theirs


def test_pip_install_from_git_gives_the_vcs_url_qualifier_as_syft(tmp_path: Path) -> None:
    git = _tool("git")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "backend.py").write_text(_BACKEND)
    (repo / "pyproject.toml").write_text(_PYPROJECT)
    _run([git, "init", "-q"], repo)
    _run([git, "add", "-A"], repo)
    _run([git, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], repo)
    commit = _run([git, "rev-parse", "HEAD"], repo).strip()
    target = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile"]
    _run([*pip, "--target", str(target), f"git+{repo.as_uri()}"])
    direct = json.loads(next(target.glob("*.dist-info/direct_url.json")).read_text())
    assert direct["vcs_info"] == {"vcs": "git", "commit_id": commit}
    files = [
        TarFile(f"{_SITE}/{p.relative_to(target).as_posix()}", p.read_bytes())
        for p in sorted(target.rglob("*"))
        if p.is_file()
    ]
    ours, theirs = _ours_and_syft(_layout(tmp_path, files))
    assert ours == theirs
    ((name, version, purl, *locations),) = ours
    assert (name, version) == ("vcs-demo", "0.3.1")
    assert purl == f"pkg:pypi/vcs-demo@0.3.1?vcs_url=git%2B{repo.as_uri()}%40{commit}"
    assert f"/{_SITE}/vcs_demo-0.3.1.dist-info/direct_url.json" in locations


def test_direct_url_without_vcs_info_adds_no_qualifier() -> None:
    assert vcs_url(b'{"url": "file:///src/pkg", "dir_info": {"editable": true}}') == ""
    assert vcs_url(b'{"url": "https://x/p.tar.gz", "archive_info": {}}') == ""
    assert vcs_url(b"not json") == ""
    assert vcs_url(b"[1]") == ""
    assert vcs_url(b'{"url": "https://h/r", "vcs_info": {"vcs": "git", "commit_id": "ab"}}') == (
        "git+https://h/r@ab"
    )


def _interpreter_egg_info(version: str) -> bytes:
    """What CPython's setup.py (install_egg_info, Python <= 3.11) wrote for the interpreter:
    distutils' own writer (setuptools' copy of it) with setup.py's metadata."""
    # setuptools ships no type stubs for its distutils copy
    meta: Any = importlib.import_module("setuptools._distutils.dist").DistributionMetadata()
    meta.name = "Python"
    meta.version = version
    meta.url = "https://www.python.org/" + version.rpartition(".")[0]
    meta.maintainer = "Guido van Rossum and the Python community"
    meta.maintainer_email = "python-dev@python.org"
    meta.description = "A high-level object-oriented programming language"
    meta.license = "PSF license"
    meta.platforms = ["Many"]
    meta.classifiers = ["License :: OSI Approved :: Python Software Foundation License"]
    out = io.StringIO()
    meta.write_pkg_file(out)
    return out.getvalue().encode()


def test_the_interpreters_own_egg_info_is_no_package_as_syft(tmp_path: Path) -> None:
    egg = _interpreter_egg_info("3.9.18")
    assert egg.startswith(b"Metadata-Version: 1.1\nName: Python\nVersion: 3.9.18\n")
    other = egg.replace(b"Name: Python", b"Name: wsgiref").replace(b"3.9.18", b"0.1.2")
    files = [
        # CPython's make install, and Debian's python2.7, put it in lib-dynload
        TarFile("usr/local/lib/python3.9/lib-dynload/Python-3.9.18-py3.9.egg-info", egg),
        TarFile("usr/lib/python2.7/lib-dynload/Python-2.7.egg-info", egg),
        TarFile("usr/lib/python2.7/wsgiref.egg-info", other),  # a real distribution beside it
        TarFile(f"{_SITE}/python3-1.0.dist-info/METADATA", egg.replace(b"Python\n", b"Python3\n")),
    ]
    ours, theirs = _ours_and_syft(_layout(tmp_path, files))
    assert ours == theirs
    assert sorted(name for name, *_ in ours) == ["python3", "wsgiref"]
