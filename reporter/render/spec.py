"""The SBOM spec versions the renderers offer: a leaf the argument parser can read cheaply.

Here rather than in ``cyclonedx.py`` or ``common.py`` so the dispatcher, and through it the
CLI's argument parser, can list them without importing cyclonedx-python-lib or the helpers
every renderer shares (packageurl, orjson, the text-cleaning patterns: issue 16).
"""

from __future__ import annotations

__all__ = ["CYCLONEDX_SPEC_VERSIONS", "DEFAULT_CYCLONEDX_SPEC_VERSION"]

# The CycloneDX versions ``--cyclonedx-version`` offers.
CYCLONEDX_SPEC_VERSIONS: tuple[str, ...] = ("1.4", "1.5", "1.6", "1.7")
DEFAULT_CYCLONEDX_SPEC_VERSION = "1.6"
