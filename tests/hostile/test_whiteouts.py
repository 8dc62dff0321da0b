"""Whiteouts and opaque markers in odd places: never a crash, never a deletion they do not
mean (image-spec layer.md "Whiteouts"), and the report stays sound (exit 0)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.hostile._build import TarFile, custom_layout, gzip_bytes, tar_bytes
from tests.hostile._cli import cli

BASE = [
    TarFile("etc", kind="dir"),
    TarFile("etc/os-release", b"ID=alpine\nVERSION_ID=3.19.0\n"),
    TarFile("lib", kind="dir"),
    TarFile("lib/apk", kind="dir"),
    TarFile("lib/apk/db", kind="dir"),
    TarFile("lib/apk/db/installed", b"P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\n\n"),
    TarFile("opt", kind="dir"),
    TarFile("opt/keep", b"keep"),
]


def _packages(tmp_path: Path, upper: list[TarFile], capsys: pytest.CaptureFixture[str]) -> set[str]:
    sample = custom_layout(
        tmp_path / "img", [gzip_bytes(tar_bytes(BASE)), gzip_bytes(tar_bytes(upper))]
    )
    out = tmp_path / "report.json"
    run = cli(capsys, "report", str(sample.root), "-f", "json", "-o", str(out))
    assert run.code == 0, run.err
    report = json.loads(out.read_bytes())
    return {p["name"] for p in report["images"][0]["packages"]}


@pytest.mark.parametrize(
    "upper",
    [
        [TarFile("never/existed/.wh.thing")],  # whiteout of a path that never existed
        [TarFile(".wh.nothing-here")],
        [TarFile("opt/.wh..wh..opq")],  # opaque dir that holds no package
        [TarFile("opt/keep/.wh..wh..opq")],  # opaque marker "inside" a regular file
        [TarFile("etc/os-release/.wh.x")],  # whiteout below a file
        [TarFile("opt/.wh.")],  # empty whiteout name
        [TarFile("opt/.wh..")],
        [TarFile("opt/.wh...")],
        [TarFile(".wh..wh.plnk")],  # AUFS bookkeeping
        [TarFile("opt/.wh..wh..opq", kind="dir")],  # marker as a directory
        [TarFile("opt/.wh.keep", kind="symlink", link="/lib/apk/db/installed")],
    ],
    ids=lambda u: u[0].path,
)
def test_markers_that_delete_nothing_that_matters(
    tmp_path: Path, upper: list[TarFile], capsys: pytest.CaptureFixture[str]
) -> None:
    assert "musl" in _packages(tmp_path, upper, capsys)


@pytest.mark.parametrize(
    "upper",
    [
        [TarFile(".wh..wh..opq")],  # opaque marker at the root hides every lower path
        [TarFile("lib/.wh.apk")],
        [TarFile("lib/apk/db/.wh.installed")],
        [TarFile("lib/apk/db/.wh..wh..opq")],
        [TarFile("lib/apk/./db/../db/.wh.installed")],
        [TarFile("../../lib/apk/db/.wh.installed")],  # climbs, clamped at the root
    ],
    ids=lambda u: u[0].path,
)
def test_markers_that_delete_the_package_database(
    tmp_path: Path, upper: list[TarFile], capsys: pytest.CaptureFixture[str]
) -> None:
    assert "musl" not in _packages(tmp_path, upper, capsys)


def test_whiteout_and_recreate_in_the_same_layer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A whiteout hides lower layers only: the same layer's new file stays."""
    upper = [
        TarFile("lib/apk/db/installed", b"P:zlib\nV:1.3-r0\nA:x86_64\nL:Zlib\n\n"),
        TarFile("lib/apk/db/.wh.installed"),
    ]
    names = _packages(tmp_path, upper, capsys)
    assert names == {"zlib"}


def test_whiteout_through_a_symlinked_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upper = [TarFile("lnk", kind="symlink", link="/"), TarFile("lnk/.wh..wh..opq")]
    names = _packages(tmp_path, upper, capsys)
    assert isinstance(names, set)
