"""The versioned report document: the whole ``Report`` as JSON, lossless.

Shape: ``{"schema": "oci-reporter/report/v1", **to_jsonable(report), "summary": {...}}``.
Every dataclass field is dumped under its own name so a loader can rebuild the ``Report``
field for field; ``summary`` is a convenience for ``jq`` users and loaders must ignore it
(it is derived from the rest and never read back). Keys are sorted and indented so two runs
on the same input give the same bytes and diffs stay readable.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson

from reporter.errors import RenderError
from reporter.model import REPORT_SCHEMA, SEVERITIES, Report, to_jsonable
from reporter.render.interface import Renderer

__all__ = ["REPORT_SCHEMA", "JSONRenderer", "report_document", "summary"]


def summary(report: Report) -> dict[str, Any]:
    """Counts a reader wants first; pure arithmetic over the report, no new facts."""
    severities = dict.fromkeys(SEVERITIES, 0)
    every = list(report.findings)
    for image in report.images:
        every.extend(image.description.findings)
        every.extend(image.findings)
    for finding in every:
        severities[finding.severity] = severities.get(finding.severity, 0) + 1
    return {
        "findings": severities,
        "integrity_ok": report.integrity_ok,
        "images": [
            {
                "digest": image.description.target.manifest.digest,
                "layers": len(image.layers),
                "packages": len(image.packages),
                "platform": str(image.platform),
                "refs": list(image.refs),
            }
            for image in report.images
        ],
    }


def report_document(report: Report, *, with_summary: bool = True) -> dict[str, Any]:
    """The JSON document as a dict (before serialising)."""
    document: dict[str, Any] = to_jsonable(report)
    # The document's own version string replaces the Report's copy: one "schema" key, always
    # the version this renderer writes, so a loader can dispatch on it before reading anything.
    document["schema"] = REPORT_SCHEMA
    if with_summary:
        document["summary"] = summary(report)
    return document


class JSONRenderer(Renderer):
    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"
    media_type: ClassVar[str] = "application/vnd.oci-reporter.report.v1+json"

    def __init__(self, *, with_summary: bool = True) -> None:
        self.with_summary = with_summary

    def render(self, report: Report) -> bytes:
        try:
            return (
                orjson.dumps(
                    report_document(report, with_summary=self.with_summary),
                    option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2,
                )
                + b"\n"
            )
        except (TypeError, orjson.JSONEncodeError) as exc:
            # e.g. an integer past 64 bits or a lone surrogate carried over from a config's
            # "extra" keys: say so in one line rather than crash with a traceback.
            raise RenderError(f"cannot serialise the report as JSON: {exc}") from exc
