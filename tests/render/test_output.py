"""Atomic output: old file intact on failure, devices and pipes written in place, safe names."""

from __future__ import annotations

import io
import os
import stat
import threading
from pathlib import Path

import pytest

from reporter.errors import RenderError
from reporter.model import Report
from reporter.output import platform_filenames, sanitize_name, write_bytes, write_per_platform
from reporter.render.dispatch import get_renderer


def test_new_file_written(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    write_bytes(target, b"hello")
    assert target.read_bytes() == b"hello"
    assert os.listdir(tmp_path) == ["out.json"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_existing_file_replaced_and_mode_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    write_bytes(target, b"new")
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_failure_mid_write_keeps_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_bytes(b"previous report")
    real_write = os.write
    calls = 0

    def failing_write(fd: int, data: bytes | memoryview) -> int:
        nonlocal calls
        calls += 1
        if calls > 1:
            raise OSError(28, "No space left on device")
        return real_write(fd, bytes(data)[:3])  # a short write first, then the disk fills

    monkeypatch.setattr(os, "write", failing_write)
    with pytest.raises(RenderError, match="No space left on device"):
        write_bytes(target, b"a much longer new report")
    monkeypatch.undo()
    assert target.read_bytes() == b"previous report"
    assert os.listdir(tmp_path) == ["report.html"]


def test_failure_at_rename_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.json"
    target.write_bytes(b"old")

    def failing_replace(src: str, dst: str) -> None:
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(RenderError):
        write_bytes(target, b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.json"]


def test_dev_null_written_not_replaced() -> None:
    before = os.stat("/dev/null")
    write_bytes("/dev/null", b"discarded")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (before.st_ino, before.st_rdev) == (after.st_ino, after.st_rdev)


def test_fifo_written_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_bytes(fifo, b"through the pipe")
    reader.join(timeout=10)
    assert received == [b"through the pipe"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a pipe, not renamed over
    assert os.listdir(tmp_path) == ["pipe"]


def test_stdout_dash() -> None:
    stream = io.BytesIO()
    write_bytes("-", b"to stdout", stdout=stream)
    assert stream.getvalue() == b"to stdout"


def test_symlink_named_by_user_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_bytes(b"old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    write_bytes(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


def test_missing_directory_and_directory_target(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="cannot write"):
        write_bytes(tmp_path / "absent" / "out.json", b"x")
    with pytest.raises(RenderError, match="is a directory"):
        write_bytes(tmp_path, b"x")


@pytest.mark.parametrize(
    ("platform", "name"),
    [
        ("linux/amd64", "linux_amd64"),
        ("linux/arm64/v8", "linux_arm64_v8"),
        ("windows/amd64", "windows_amd64"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "unknown"),
        ("", "unknown"),
        ("<script>/x", "script_x"),
        ("a" * 200, "a" * 64),
        ("LINUX/AMD64", "linux_amd64"),
        ("linux/\x1b[31m", "linux_31m"),
    ],
)
def test_sanitize_name(platform: str, name: str) -> None:
    assert sanitize_name(platform) == name


def test_platform_filenames_are_distinct() -> None:
    assert platform_filenames(["linux/amd64", "linux/amd64", "linux/arm64/v8"], ".cdx.json") == [
        "linux_amd64.cdx.json",
        "linux_amd64-2.cdx.json",
        "linux_arm64_v8.cdx.json",
    ]
    with pytest.raises(RenderError):
        platform_filenames(["x"], "/../x")


def test_output_dir(tmp_path: Path, report: Report) -> None:
    renderer = get_renderer("cyclonedx-json")
    paths = write_per_platform(
        tmp_path / "sboms", renderer.render_per_platform(report), renderer.suffix
    )
    assert [p.name for p in paths] == ["linux_amd64.cdx.json", "linux_arm64_v8.cdx.json"]
    assert sorted(os.listdir(tmp_path / "sboms")) == [
        "linux_amd64.cdx.json",
        "linux_arm64_v8.cdx.json",
    ]


def test_output_dir_never_follows_planted_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "linux_amd64.md").symlink_to(outside)
    write_per_platform(out, [("linux/amd64", b"report"), ("../../evil", b"x")], ".md")
    assert outside.read_bytes() == b"precious"
    assert not (out / "linux_amd64.md").is_symlink()
    assert (out / "linux_amd64.md").read_bytes() == b"report"
    assert sorted(os.listdir(out)) == ["evil.md", "linux_amd64.md"]
    assert sorted(os.listdir(tmp_path)) == ["out", "outside.txt"]


def test_every_format_has_a_safe_suffix() -> None:
    from reporter.render.dispatch import FORMATS

    suffixes = {get_renderer(name).suffix for name in FORMATS}
    assert suffixes == {".html", ".md", ".cdx.json", ".cdx.xml", ".spdx.json", ".json"}
