"""Progress: what the pipeline reports, and that people see it only on a terminal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.layers import schedule
from reporter.options import Options
from reporter.pipeline import generate
from reporter.progress import ScanStatus, TerminalProgress, terminal_progress
from samples.build import docker_save_bytes, gzip_bytes, write_layout


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_silent_when_quiet_or_not_a_terminal() -> None:
    assert terminal_progress(quiet=True, stream=_Tty()) is None
    assert terminal_progress(stream=io.StringIO()) is None
    closed = io.StringIO()
    closed.close()
    assert terminal_progress(stream=closed) is None
    assert isinstance(terminal_progress(stream=_Tty()), TerminalProgress)


@pytest.mark.parametrize("extra", [[], ["--quiet"]])
@pytest.mark.parametrize("command", ["report", "inspect"])
def test_cli_writes_nothing_to_a_pipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, extra: list[str]
) -> None:
    write_layout(tmp_path / "demo.oci")
    out = tmp_path / "out"
    assert main([command, str(tmp_path / "demo.oci"), "-o", str(out), *extra]) == 0
    assert capsys.readouterr().err == ""


def test_quiet_wins_on_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    tty = _Tty()
    monkeypatch.setattr("sys.stderr", tty)
    write_layout(tmp_path / "demo.oci")
    assert main(["report", str(tmp_path / "demo.oci"), "-o", str(tmp_path / "o"), "-q"]) == 0
    assert tty.getvalue() == ""


def _statuses(path: str, **options: object) -> list[ScanStatus]:
    seen: list[ScanStatus] = []
    generate(path, Options(**options), seen.append)  # type: ignore[arg-type]
    return seen


@pytest.mark.parametrize("jobs", [1, 2])
def test_pipeline_reports_layers_and_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(schedule, "_PARALLEL_MIN_BYTES", 0)
    write_layout(tmp_path / "demo.oci")
    seen = _statuses(str(tmp_path / "demo.oci"), jobs=jobs)
    last = seen[-1]
    assert last.finished
    assert last.layers_total == last.layers_done == 4
    assert last.bytes_total == last.bytes_done > 0
    assert all(s.bytes_done <= (s.bytes_total or 0) for s in seen)
    assert [s.layers_done for s in seen] == sorted(s.layers_done for s in seen)


def test_cached_layers_are_counted(tmp_path: Path) -> None:
    write_layout(tmp_path / "demo.oci")
    cache = str(tmp_path / "cache")
    _statuses(str(tmp_path / "demo.oci"), cache_dir=cache)
    last = _statuses(str(tmp_path / "demo.oci"), cache_dir=cache)[-1]
    assert last.cached == 4
    assert last.finished


def test_stream_mode_counts_as_it_goes(tmp_path: Path) -> None:
    images = write_layout(tmp_path / "demo.oci")
    big = gzip_bytes(docker_save_bytes(images[0]))
    (tmp_path / "d.tar.gz").write_bytes(big)
    seen = _statuses(str(tmp_path / "d.tar.gz"))
    assert seen[-1].finished


def test_terminal_bar_appears_after_the_delay() -> None:
    tty = _Tty()
    bar = TerminalProgress(tty, delay=0.0, min_interval=0.0)
    bar(ScanStatus(0, 3, 0, 300))
    bar(ScanStatus(1, 3, 100, 300, cached=1))
    bar(ScanStatus(3, 3, 300, 300, finished=True))
    text = tty.getvalue()
    assert "scanning layers" in text
    assert "3/3" in text
    assert "(1 cached)" in text or "1 cached" in text


def test_terminal_bar_stays_hidden_for_quick_scans() -> None:
    tty = _Tty()
    bar = TerminalProgress(tty, delay=60.0)
    bar(ScanStatus(0, 1, 0, 10))
    bar(ScanStatus(1, 1, 10, 10, finished=True))
    assert tty.getvalue() == ""
