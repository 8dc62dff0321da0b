"""Replay every input under tests/hostile/regressions/ (see its README.md)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.hostile._cli import assert_clean_error, subprocess_cli
from tests.hostile.fuzz_targets import json_one, tarwalk_one

HERE = Path(__file__).resolve().parent / "regressions"
FILES = sorted(p for p in HERE.iterdir() if p.name != "README.md")


def test_there_are_regression_inputs() -> None:
    assert any(p.name.startswith("archive-") for p in FILES)
    assert any(p.name.startswith("json-") for p in FILES)


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("tarwalk-")], ids=str)
def test_tarwalk_regression(path: Path) -> None:
    tarwalk_one(path.read_bytes())


@pytest.mark.parametrize("path", [p for p in FILES if p.name.startswith("json-")], ids=str)
def test_json_regression(path: Path) -> None:
    json_one(path.read_bytes())


@pytest.mark.parametrize(
    "path", [p for p in FILES if p.name.startswith("archive-")], ids=lambda p: p.name
)
def test_archive_regression(path: Path) -> None:
    match = re.search(r"\.exit(\d+)\.", path.name)
    assert match, "archive regressions are named archive-<what>.exit<N>.<ext>"
    expected = int(match.group(1))
    started = time.monotonic()
    run = subprocess_cli("inspect", str(path), timeout=60)
    assert time.monotonic() - started < 60
    if expected == 0 and run.err == "":
        assert run.code == expected, run.out[-2000:]
    else:
        assert_clean_error(run, expected, str(path))
