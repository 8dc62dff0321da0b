"""Run the CLI in-process and read an inventory, for the fleet tests."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from reporter.cli import main


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()
