"""Shared test fixtures: where ../shared lives, and a guard that blocks sockets."""

from __future__ import annotations

import os
from collections.abc import Callable
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


GOLDEN = Path(__file__).resolve().parent / "golden"


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


@pytest.fixture(autouse=True)
def _no_user_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's layer cache (~/.cache/oci-reporter) by default."""
    monkeypatch.setenv("OCI_REPORTER_CACHE", "off")
