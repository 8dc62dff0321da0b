"""Fixtures for renderer tests and the golden-file switch.

Goldens under ``tests/golden/`` are only rewritten with ``pytest --update-goldens`` (or
``UPDATE_GOLDENS=1`` when the option is not registered because pytest was started from a
directory whose conftest did not load this one); otherwise a difference fails the test with
the first differing line.
"""

from __future__ import annotations

import pytest

from reporter.model import Report
from tests.factory import make_report


@pytest.fixture(scope="session")
def report() -> Report:
    return make_report()


@pytest.fixture(scope="session")
def hostile_report() -> Report:
    return make_report(hostile=True)


@pytest.fixture(scope="session")
def single_report() -> Report:
    return make_report(platforms=1)
