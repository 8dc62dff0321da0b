"""The renderer seam: a finished ``Report`` in, the bytes of one output document out.

A renderer never computes facts about the image; it only lays out what the ``Report`` holds.
Every renderer turns the same input into the same bytes (no clocks, no random ids, sorted
collections), so outputs can be diffed, cached and checked into goldens.

This module is the protocol only and imports no implementation; the registry that maps a
``--format`` value to one lives in ``reporter.render.dispatch``.
"""

from __future__ import annotations

import dataclasses
from abc import ABC, abstractmethod
from typing import ClassVar

from reporter.model import ImageReport, Report

__all__ = ["Renderer", "split_report"]


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
