"""Hypothesis profiles for the hostile-input suite, and fixtures shared by its tests.

``HYPOTHESIS_PROFILE=ci`` (default): a few hundred examples per property, for every test run.
``HYPOTHESIS_PROFILE=deep``: 5 000 examples per property (over 10^5 in all), by hand::

    HYPOTHESIS_PROFILE=deep .venv/bin/python -m pytest -q -p no:cacheprovider \
        tests/hostile/test_properties.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.hostile._build import Sample, sample_layout

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=_QUIET)
settings.register_profile(
    "deep", max_examples=5_000, deadline=None, suppress_health_check=_QUIET, print_blob=True
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def sample(tmp_path: Path) -> Sample:
    """A fresh copy of the demo layout (amd64 + arm64 + attestation) to damage."""
    return sample_layout(tmp_path / "image.oci")
