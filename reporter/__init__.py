"""oci-reporter: offline reports, SBOMs and provenance for container images on disk."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
