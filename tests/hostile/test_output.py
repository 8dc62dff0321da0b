"""Output safety through the CLI: atomic replace, nothing written on failure, devices and
pipes written in place, ``--output-dir`` never left whatever the image calls itself."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from tests.hostile._build import Sample, TarFile, custom_layout, gzip_bytes, tar_bytes
from tests.hostile._cli import assert_clean_error, cli, subprocess_cli


def test_failed_run_leaves_the_old_output(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"previous")
    sample.index_json.write_bytes(b"{broken")
    run = cli(capsys, "report", str(sample.root), "-f", "json", "-o", str(target))
    assert_clean_error(run, 3, "index.json")
    assert target.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image.oci", "report.json"]


def test_integrity_failure_still_writes_the_report(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample.path_of("layer").write_bytes(b"tampered")
    target = tmp_path / "report.json"
    target.write_bytes(b"previous")
    run = cli(capsys, "report", str(sample.root), "-f", "json", "-o", str(target))
    assert run.code == 4
    assert json.loads(target.read_bytes())["summary"]["integrity_ok"] is False
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_dev_null_is_written_in_place(sample: Sample, capsys: pytest.CaptureFixture[str]) -> None:
    run = cli(capsys, "report", str(sample.root), "-f", "json", "-o", "/dev/null")
    assert run.code == 0, run.err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    run = cli(capsys, "inspect", str(sample.root), "-o", "/dev/null")
    assert run.code == 0, run.err


def test_fifo_is_written_in_place(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader)
    thread.start()
    run = cli(capsys, "report", str(sample.root), "-f", "json", "-o", str(fifo))
    thread.join(timeout=30)
    assert run.code == 0, run.err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["images"]


def test_output_dir_stays_inside_whatever_the_image_is_called(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = custom_layout(
        tmp_path / "img",
        [gzip_bytes(tar_bytes([TarFile("etc/os-release", b"ID=alpine\n")]))],
        config={"os": "../../../../escaped", "architecture": "/etc/passwd", "variant": ".."},
        ref="../../../../escaped:latest",
    )
    out = tmp_path / "deep" / "out"
    run = cli(
        capsys,
        "report",
        str(sample.root),
        *("-f", "json", "-f", "cyclonedx-json", "-f", "spdx-json", "-f", "md", "-f", "html"),
        "--output-dir",
        str(out),
    )
    assert run.code == 0, run.err
    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert all(name.startswith(("deep/out/", "img/")) for name in written), written
    assert all("/" not in name[len("deep/out/") :] for name in written if name.startswith("deep/"))
    assert not (tmp_path / "escaped").exists()


def test_output_dir_replaces_planted_symlinks(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"do not touch")
    (out / "report.json").symlink_to(victim)
    run = cli(capsys, "report", str(sample.root), "-f", "json", "--output-dir", str(out))
    assert run.code == 0, run.err
    assert victim.read_bytes() == b"do not touch"
    assert not (out / "report.json").is_symlink()


def test_output_errors_are_one_line(sample: Sample, tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_bytes(b"")
    run = subprocess_cli("report", str(sample.root), "-f", "json", "--output-dir", str(a_file))
    assert_clean_error(run, 7, str(a_file))
    run = subprocess_cli(
        "report", str(sample.root), "-f", "json", "-o", str(tmp_path / "no" / "dir" / "x.json")
    )
    assert_clean_error(run, 7, "x.json")
