"""Fixtures for renderer tests and the golden-file switch.

Goldens under ``tests/golden/`` are only rewritten with ``pytest --update-goldens`` (or
``UPDATE_GOLDENS=1`` when the option is not registered because pytest was started from a
directory whose conftest did not load this one); otherwise a difference fails the test with
the first differing line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from reporter.model import Report
from tests.render.factory import make_report

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _updating(config: pytest.Config) -> bool:
    try:
        flag = bool(config.getoption("--update-goldens"))
    except ValueError:  # option registered by another conftest, or not at all
        flag = False
    return flag or os.environ.get("UPDATE_GOLDENS") == "1"


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, bytes], None]:
    """``golden(name, data)``: compare with ``tests/golden/name`` or rewrite it when updating."""
    updating = _updating(request.config)

    def check(name: str, data: bytes) -> None:
        path = GOLDEN / name
        if updating:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            return
        if not path.exists():
            pytest.fail(f"golden {path} missing: run pytest --update-goldens and review the diff")
        expected = path.read_bytes()
        if data != expected:
            old, new = (
                expected.decode(errors="replace").splitlines(),
                data.decode(errors="replace").splitlines(),
            )
            line = next(
                (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
                min(len(old), len(new)),
            )
            pytest.fail(
                f"{name} differs from the golden at line {line + 1}:\n"
                f"  golden: {old[line] if line < len(old) else '<end>'}\n"
                f"  now:    {new[line] if line < len(new) else '<end>'}\n"
                "rerun with --update-goldens if the change is intended"
            )

    return check


@pytest.fixture(scope="session")
def report() -> Report:
    return make_report()


@pytest.fixture(scope="session")
def hostile_report() -> Report:
    return make_report(hostile=True)


@pytest.fixture(scope="session")
def single_report() -> Report:
    return make_report(platforms=1)
