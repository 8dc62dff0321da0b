"""Running the CLI in-process or as a subprocess, and the "one clean line" assertions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reporter.cli import main

REPO = Path(__file__).resolve().parents[2]

__all__ = ["Run", "all_findings", "assert_clean_error", "cli", "inspect_json", "subprocess_cli"]


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    """``oci-reporter ARGV`` in this process."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


def subprocess_cli(*argv: str, stdin: bytes | None = None, timeout: float = 120) -> Run:
    """``python -m reporter ARGV`` in a child process (no OCI_REPORTER_DEBUG)."""
    env = {k: v for k, v in os.environ.items() if k != "OCI_REPORTER_DEBUG"}
    done = subprocess.run(
        [sys.executable, "-m", "reporter", *argv],
        input=stdin if stdin is not None else b"",
        capture_output=True,
        cwd=REPO,
        env=env,
        timeout=timeout,
        check=False,
    )
    return Run(
        done.returncode,
        done.stdout.decode("utf-8", "replace"),
        done.stderr.decode("utf-8", "replace"),
    )


def assert_clean_error(run: Run, code: int, *names: str) -> None:
    """Exit ``code``, standard error one line ``oci-reporter: …`` naming ``names``, no traceback."""
    assert run.code == code, (run.code, run.err)
    assert "Traceback" not in run.err
    assert run.err.startswith("oci-reporter: "), run.err
    assert run.err.count("\n") == 1, run.err
    assert run.err.endswith("\n"), run.err
    assert "internal error" not in run.err
    for name in names:
        assert name in run.err, (name, run.err)


def inspect_json(
    capsys: pytest.CaptureFixture[str], path: str | Path, *extra: str
) -> tuple[int, Any]:
    """``inspect --format json``: (exit code, document); no errors printed but, for exit 4, the
    one line that says why (README "Exit codes")."""
    run = cli(capsys, "inspect", str(path), "--format", "json", *extra)
    if run.code == 4:
        assert_clean_error(run, 4, "integrity failed")
    else:
        assert run.err == "", run.err
    return run.code, json.loads(run.out)


def all_findings(doc: Any) -> list[dict[str, Any]]:
    found = list(doc["findings"])
    for image in doc["images"]:
        found.extend(image["findings"])
    return found
