"""The renderer seam: a finished ``Report`` in, the bytes of one output document out.

A renderer never computes facts about the image; it only lays out what the ``Report`` holds.
Every renderer turns the same input into the same bytes (no clocks, no random ids, sorted
collections), so outputs can be diffed, cached and checked into goldens.

``get_renderer(name)`` is the one place that maps a ``--format`` value to an implementation;
the implementations are imported lazily so ``import reporter.render.interface`` stays cheap and
free of import cycles (each implementation imports this module for the base class).
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import ClassVar

from reporter.errors import UsageError
from reporter.model import ImageReport, Report

__all__ = [
    "CYCLONEDX_SPEC_VERSIONS",
    "DEFAULT_CYCLONEDX_SPEC_VERSION",
    "FORMATS",
    "Renderer",
    "get_renderer",
    "split_report",
]

FORMATS: tuple[str, ...] = ("html", "md", "cyclonedx-json", "cyclonedx-xml", "spdx-json", "json")
CYCLONEDX_SPEC_VERSIONS: tuple[str, ...] = ("1.4", "1.5", "1.6")
DEFAULT_CYCLONEDX_SPEC_VERSION = "1.6"


def split_report(report: Report, image: ImageReport) -> Report:
    """The same report narrowed to one platform image; report-level findings are kept."""
    return dataclasses.replace(report, images=(image,))


class Renderer(ABC):
    """One output format.

    ``name`` is the ``--format`` value, ``suffix`` the file-name ending used by ``--output-dir``
    (with its leading dot), ``media_type`` what a web server or an OCI referrer would label it.
    """

    name: ClassVar[str]
    suffix: ClassVar[str]
    media_type: ClassVar[str]

    @abstractmethod
    def render(self, report: Report) -> bytes:
        """The whole report as one document."""

    def render_per_platform(self, report: Report) -> list[tuple[str, bytes]]:
        """One document per platform image: ``(platform string, bytes)`` in report order.

        The key is the platform as printed (``linux/arm64/v8``) and is only ever used, after
        sanitising, to name the output file; see ``reporter.output.platform_filenames``.
        """
        return [
            (str(image.platform), self.render(split_report(report, image)))
            for image in report.images
        ]


def get_renderer(
    name: str,
    *,
    spec_version: str = DEFAULT_CYCLONEDX_SPEC_VERSION,
    index_root: bool = False,
) -> Renderer:
    """The renderer for a ``--format`` value.

    ``spec_version`` (1.4, 1.5, 1.6) and ``index_root`` (one BOM with the index as its root
    instead of one BOM per platform image) only matter to the CycloneDX formats.
    Raises ``UsageError`` for an unknown format or spec version.
    """
    if name in ("cyclonedx-json", "cyclonedx-xml"):
        from reporter.render.cyclonedx import CycloneDXRenderer, CycloneDXXMLRenderer

        cls = CycloneDXXMLRenderer if name == "cyclonedx-xml" else CycloneDXRenderer
        return cls(spec_version=spec_version, index_root=index_root)
    if name == "spdx-json":
        from reporter.render.spdx import SPDXJSONRenderer

        return SPDXJSONRenderer()
    if name == "json":
        from reporter.render.json import JSONRenderer

        return JSONRenderer()
    if name in ("html", "md"):
        from reporter.render.templated import HTMLRenderer, MarkdownRenderer

        return HTMLRenderer() if name == "html" else MarkdownRenderer()
    raise UsageError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
