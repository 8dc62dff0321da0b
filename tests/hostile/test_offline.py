"""No network, ever: the whole pipeline and every output format run with sockets blocked."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from reporter.options import Options
from reporter.pipeline import generate
from reporter.render.dispatch import FORMATS
from tests.hostile._build import Sample, docker_save_bytes, gzip_bytes, layout_tar
from tests.hostile._cli import cli

ATTEMPTS: list[str] = []


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ATTEMPTS.clear()

    def refuse(name: str) -> Any:
        def blocked(*args: Any, **kwargs: Any) -> Any:
            ATTEMPTS.append(f"{name}{args[1:] if name.startswith('socket.') else args}")
            raise OSError(f"network access attempted: {name}")

        return blocked

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket.socket, "sendto", refuse("socket.sendto"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "gethostbyname", refuse("gethostbyname"))
    return ATTEMPTS


def test_the_guard_works(no_network: list[str]) -> None:
    with pytest.raises(OSError, match="network access attempted"):
        socket.create_connection(("example.invalid", 443))
    assert no_network


def test_pipeline_offline(sample: Sample, no_network: list[str]) -> None:
    report = generate(str(sample.root), Options())
    assert report.images
    assert report.integrity_ok
    assert no_network == []


def test_every_command_and_format_offline(
    sample: Sample, tmp_path: Path, no_network: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    docker = tmp_path / "save.tar.gz"
    docker.write_bytes(gzip_bytes(docker_save_bytes(sample.images[0])))
    oci = tmp_path / "image.tar"
    oci.write_bytes(layout_tar(sample.root))
    out = tmp_path / "out"
    formats = [arg for name in FORMATS for arg in ("-f", name)]
    for target in (str(sample.root), str(docker), str(oci)):
        run = cli(capsys, "report", target, *formats, "--output-dir", str(out))
        assert run.code == 0, run.err
    assert cli(capsys, "inspect", str(sample.root), "--format", "json").code == 0
    assert cli(capsys, "inspect", str(docker)).code == 0
    assert cli(capsys, "diff", str(sample.root), str(oci), "-f", "md").code == 0
    run = cli(capsys, "check-base", str(sample.root), "--base", str(oci))
    assert run.code in (0, 10, 11), run.err
    run = cli(
        capsys,
        "report",
        str(sample.root),
        "-f",
        "cyclonedx-xml",
        "--cyclonedx-version",
        "1.4",
        "--platform",
        "linux/arm64",
        "-o",
        str(tmp_path / "x.xml"),
    )
    assert run.code == 0, run.err
    assert no_network == []
    assert (out / "report.html").exists()
