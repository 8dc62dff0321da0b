"""Fixture locations for the provenance tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import shared_path


@pytest.fixture
def public() -> Path:
    return shared_path("fixtures", "public")


@pytest.fixture
def real() -> Path:
    return shared_path("fixtures", "real")
