"""A compressed input inflated by a child process reads exactly as the in-process decoder."""

from __future__ import annotations

import gzip
import io
import os
import random
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pytest
import zstandard

from reporter.archive.childinflate import can_fork, inflate_in_child
from reporter.cli import main
from reporter.compression import STREAM_ERRORS, open_stream

pytestmark = pytest.mark.skipif(not can_fork(), reason="forking is not safe here")

_RNG = random.Random(16)
_PLAIN = b"".join(_RNG.randbytes(1000) + bytes(5000) for _ in range(700))  # ~4 MiB, mixed


def _tool(name: str, *args: str) -> Callable[[bytes], bytes]:
    path = shutil.which(name)

    def run(data: bytes) -> bytes:
        if path is None:  # the libraries write the same formats
            return gzip.compress(data) if name == "gzip" else zstandard.compress(data)
        return subprocess.run([path, *args], input=data, capture_output=True, check=True).stdout

    return run


_GZIP = _tool("gzip", "-c")
_ZSTD = _tool("zstd", "-c", "-q")


def _read_all(stream: IO[bytes], size: int = 1 << 16) -> tuple[bytes, Exception | None]:
    """Everything the stream gives, and what it raised at the end (if anything)."""
    errors: tuple[type[Exception], ...] = (*STREAM_ERRORS, OSError, EOFError)
    parts: list[bytes] = []
    try:
        while chunk := stream.read(size):
            parts.append(chunk)
    except errors as exc:
        return b"".join(parts), exc
    return b"".join(parts), None


def _both(
    blob: bytes, tmp_path: Path
) -> tuple[tuple[bytes, Exception | None], tuple[bytes, Exception | None]]:
    here, _ = open_stream(io.BufferedReader(io.BytesIO(blob)), blob[:512])
    in_process = _read_all(here)
    path = tmp_path / "blob"
    path.write_bytes(blob)
    with open(path, "rb") as raw:
        child = inflate_in_child(raw, blob[:512])
        try:
            return in_process, _read_all(child)
        finally:
            child.close()


@pytest.mark.parametrize(
    "blob",
    [
        pytest.param(_GZIP(_PLAIN), id="gzip"),
        pytest.param(_GZIP(_PLAIN[:100_000]) + _GZIP(_PLAIN[100_000:]), id="gzip-two-members"),
        pytest.param(_ZSTD(_PLAIN), id="zstd"),
    ],
)
def test_the_child_gives_the_same_bytes(blob: bytes, tmp_path: Path) -> None:
    (here, here_error), (child, child_error) = _both(blob, tmp_path)
    assert here_error is None
    assert child_error is None
    assert child == here == _PLAIN


@pytest.mark.parametrize(
    "blob",
    [
        pytest.param(_GZIP(_PLAIN)[:300_000], id="gzip-cut"),
        pytest.param(
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + _RNG.randbytes(4096), id="gzip-garbage"
        ),
        pytest.param(_ZSTD(_PLAIN)[:200_000], id="zstd-cut"),
    ],
)
def test_an_error_arrives_after_the_same_bytes_as_the_same_exception(
    blob: bytes, tmp_path: Path
) -> None:
    (here, here_error), (child, child_error) = _both(blob, tmp_path)
    assert here_error is not None
    # what came before the error is good data in both (how much depends on read sizes)
    assert _PLAIN.startswith(child)
    assert _PLAIN.startswith(here)
    assert type(child_error) is type(here_error)
    assert str(child_error) == str(here_error)


def test_closing_early_stops_and_reaps_the_child(tmp_path: Path) -> None:
    path = tmp_path / "big.gz"
    path.write_bytes(_GZIP(_PLAIN * 4))
    with open(path, "rb") as raw:
        child = inflate_in_child(raw, path.read_bytes()[:512])
        assert len(child.read(1000)) == 1000
        pid = child.raw._pid  # type: ignore[attr-defined]
        child.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped: no zombie left behind


def test_a_gzipped_docker_save_reports_the_same_with_one_or_two_cores(
    real_fixtures: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    image = real_fixtures / "docker-buildkit-app.docker-save.tar.gz"
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        args = ["report", "-q", "--no-cache", "-j", jobs, str(image), "-f", "json,cyclonedx-json"]
        assert main([*args, "--output-dir", str(out)]) == 0
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]


def test_a_cut_gzipped_input_fails_alike_with_one_or_two_cores(
    real_fixtures: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = real_fixtures / "docker-buildkit-app.docker-save.tar.gz"
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(image.read_bytes()[:20_000_000])
    seen = []
    for jobs in ("1", "2"):
        code = main(
            ["report", "-q", "--no-cache", "-j", jobs, str(cut), "-o", str(tmp_path / "r.json")]
        )
        seen.append((code, capsys.readouterr().err))
    assert seen[0] == seen[1]
    assert seen[0][0] != 0
