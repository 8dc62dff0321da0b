"""The consumer guard: skip on a developer machine, fail in CI."""

from __future__ import annotations

import pytest

from tests.render.tools import require


def test_require_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        require(False, "chromium")


def test_require_skips_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require(False, "chromium")
    require(True, "chromium")
