"""Test images for the ecosystem catalogers (R, WordPress, PECL, .NET, conda, Lua), built from
files of real Debian packages, and syft 1.18.1 run on them at test time.

``debian_files(package)`` is ``apt-get download`` + ``dpkg-deb -x`` (cached under
``~/.cache/oci-reporter-testdata/debian-binaries/``, as ``tests.catalog.binaries``); without
apt or the mirror the test is skipped, or fails when ``CI=true``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from reporter.model import Package
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.binaries import AptUnavailable, cache_root, download
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

__all__ = [
    "Identity",
    "TarFile",
    "build_image",
    "debian_files",
    "dpkg_database",
    "licences_ours",
    "licences_theirs",
    "ours",
    "syft_artifacts",
    "theirs",
    "unavailable",
]

Identity = tuple[str, str, str, str]  # type, name, version, purl


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but a test tool or package is missing: {reason}")
    pytest.skip(reason)


def debian_files(package: str) -> Path:
    """The unpacked tree of a Debian package (cached)."""
    try:
        deb = download([package], cache_root() / "debs")[package]
    except AptUnavailable as exc:
        unavailable(str(exc))
        raise
    root = cache_root() / "unpacked" / deb.name.removesuffix(".deb")
    if not root.is_dir():
        work = root.with_name(f".{root.name}-{os.getpid()}")
        shutil.rmtree(work, ignore_errors=True)
        work.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", str(deb), str(work)], check=True)
        try:
            work.rename(root)
        except OSError:  # another test process unpacked it first
            shutil.rmtree(work, ignore_errors=True)
    return root


def dpkg_database(packages: Sequence[str]) -> list[TarFile]:
    """``var/lib/dpkg/status`` and ``info/<package>.md5sums`` as dpkg would have written them
    on installing ``packages`` (their real control and md5sums members)."""
    status = b""
    files = []
    for package in packages:
        debian_files(package)  # downloads it
        deb = download([package], cache_root() / "debs")[package]
        control = subprocess.run(
            ["dpkg-deb", "--info", str(deb), "control"], capture_output=True, check=True
        ).stdout
        md5sums = subprocess.run(
            ["dpkg-deb", "--info", str(deb), "md5sums"], capture_output=True, check=True
        ).stdout
        status += (
            control.rstrip(b"\n").replace(
                b"\nVersion:", b"\nStatus: install ok installed\nVersion:", 1
            )
            + b"\n\n"
        )
        files.append(TarFile(f"var/lib/dpkg/info/{package}.md5sums", md5sums))
    files.append(TarFile("var/lib/dpkg/status", status))
    return files


def build_image(out: Path, files: Sequence[TarFile]) -> Path:
    """A one-layer OCI layout holding ``files``."""
    custom_layout(out, [tar_bytes(sorted(files, key=lambda f: f.path))], media_type=TAR_LAYER)
    return out


def _syft_binary() -> str:
    found = shutil.which("syft") or str(Path(sys.executable).parent / "syft")
    if not Path(found).exists():
        unavailable("syft is not installed (dev dependency)")
    return found


def syft_artifacts(target: str) -> list[dict[str, Any]]:
    """syft's artifacts for ``oci-dir:PATH`` (its image defaults) or ``dir:PATH``."""
    done = subprocess.run(
        [_syft_binary(), target, "-o", "syft-json", "-q"],
        capture_output=True,
        check=True,
        timeout=600,
        env={**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"},
    )
    return list(json.loads(done.stdout)["artifacts"])


def ours(layout: Path, types: set[str]) -> set[Identity]:
    packages: tuple[Package, ...] = generate(str(layout), Options()).images[0].packages
    return {(p.type, p.name, p.version, p.purl) for p in packages if p.type in types}


def theirs(artifacts: list[dict[str, Any]], types: set[str]) -> set[Identity]:
    return {
        (str(a["type"]), str(a["name"]), str(a["version"]), str(a.get("purl", "")))
        for a in artifacts
        if a["type"] in types
    }


def licences_ours(layout: Path, types: set[str]) -> dict[tuple[str, str, str], list[str]]:
    packages = generate(str(layout), Options()).images[0].packages
    return {(p.type, p.name, p.version): sorted(p.licenses) for p in packages if p.type in types}


def licences_theirs(
    artifacts: list[dict[str, Any]], types: set[str]
) -> dict[tuple[str, str, str], list[str]]:
    return {
        (str(a["type"]), str(a["name"]), str(a["version"])): sorted(
            str(lic.get("spdxExpression") or lic["value"]) for lic in a["licenses"]
        )
        for a in artifacts
        if a["type"] in types
    }
