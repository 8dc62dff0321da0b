"""Shared test fixtures: where ../shared lives, and a guard that blocks sockets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("OCI_REPORTER_SHARED", REPO.parent / "shared"))


def shared_path(*parts: str) -> Path:
    """A path under ../shared; fails under CI=true when absent, skips elsewhere."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the shared fixture {path} is missing")
        pytest.skip(f"shared fixture {path} not present")
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output instead of comparing",
    )


@pytest.fixture
def real_fixtures() -> Path:
    return shared_path("fixtures", "real")


@pytest.fixture
def public_fixtures() -> Path:
    return shared_path("fixtures", "public")
