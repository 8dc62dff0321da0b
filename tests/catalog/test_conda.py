"""conda-meta records. No conda is reachable here (not in Debian; PyPI's ``conda`` is not the
installer), so the bytes follow conda's documented PrefixRecord fields (docs.conda.io,
"Package specification" / conda's ``conda-meta/<name>-<version>-<build>.json``: ``name``,
``version``, ``build``, ``build_number``, ``channel``, ``subdir``, ``license``, ``files``,
``md5``, ``sha256``, ``url``). syft 1.18.1 has no conda cataloger: the test checks that it
finds nothing in the same image, so the day it does, the test says so."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from reporter.catalog.conda import CATALOGER
from reporter.catalog.interface import ParseContext
from reporter.errors import CatalogError
from tests.catalog.ecosys_images import TarFile, build_image, ours, syft_artifacts
from tests.catalog.strategies import json_or_bytes

CTX = ParseContext(distro=None, arch="amd64")

ZLIB = {
    "build": "h5eee18b_1",
    "build_number": 1,
    "channel": "https://repo.anaconda.com/pkgs/main/linux-64",
    "constrains": [],
    "depends": ["libgcc-ng >=11.2.0"],
    "extracted_package_dir": "/opt/conda/pkgs/zlib-1.2.13-h5eee18b_1",
    "files": ["include/zlib.h", "lib/libz.so.1.2.13"],
    "fn": "zlib-1.2.13-h5eee18b_1.conda",
    "license": "Zlib",
    "md5": "92e42d8310108b0a440fb2e60b2b2a25",
    "name": "zlib",
    "sha256": "b5ab3bb4f6d8f0f2c2e5d6a1f0b6e0f5e1f8b3a9d4c2b1a0e9f8d7c6b5a4f3e2",
    "size": 113012,
    "subdir": "linux-64",
    "timestamp": 1681316463,
    "url": "https://repo.anaconda.com/pkgs/main/linux-64/zlib-1.2.13-h5eee18b_1.conda",
    "version": "1.2.13",
}


def _record(**changes: object) -> bytes:
    return json.dumps({**ZLIB, **changes}, indent=2).encode()


def test_records_in_an_image(tmp_path: Path) -> None:
    files = [
        TarFile("opt/conda/conda-meta/zlib-1.2.13-h5eee18b_1.json", _record()),
        TarFile(
            "opt/conda/envs/app/conda-meta/python-3.11.5-h955ad1f_0.json",
            _record(name="python", version="3.11.5", build="h955ad1f_0", license="PSF-2.0"),
        ),
        TarFile("opt/conda/conda-meta/history", b"==> 2023-09-01 <==\n+defaults::zlib\n"),
    ]
    layout = build_image(tmp_path / "conda", files)
    assert ours(layout, {"conda"}) == {
        ("conda", "zlib", "1.2.13", ""),
        ("conda", "python", "3.11.5", ""),
    }
    assert not [a for a in syft_artifacts(f"oci-dir:{layout}") if a["type"] == "conda"]


def test_record_fields() -> None:
    (pkg,) = CATALOGER.parse("opt/conda/conda-meta/zlib.json", _record(), CTX)
    assert (pkg.type, pkg.name, pkg.version, pkg.purl, pkg.licenses) == (
        "conda",
        "zlib",
        "1.2.13",
        "",
        ("Zlib",),
    )
    meta = dict(pkg.metadata)
    assert meta["build"] == "h5eee18b_1"
    assert meta["subdir"] == "linux-64"
    assert pkg.hashes == ()  # md5/sha256 are of the package archive, not of this file


def test_paths_and_bad_records() -> None:
    assert CATALOGER.wants("conda-meta/x.json", 0o644, 1) is not None
    assert CATALOGER.wants("opt/conda/conda-meta/x.json", 0o644, 1) is not None
    assert CATALOGER.wants("opt/conda/conda-meta/sub/x.json", 0o644, 1) is None
    assert CATALOGER.wants("opt/myconda-meta/x.json", 0o644, 1) is None
    assert CATALOGER.parse("conda-meta/x.json", _record(name=""), CTX) == []
    with pytest.raises(CatalogError, match="not a JSON object"):
        CATALOGER.parse("conda-meta/x.json", b"[]", CTX)


@settings(max_examples=200, deadline=None)
@given(json_or_bytes(["name", "version", "license", "build", "channel", "subdir"]))
def test_random_input_raises_only_catalog_error(data: bytes) -> None:
    with contextlib.suppress(CatalogError):
        CATALOGER.parse("conda-meta/x.json", data, CTX)
