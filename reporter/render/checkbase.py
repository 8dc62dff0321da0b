"""Render a ``check-base`` answer: a few lines for people, or ``oci-reporter/check-base/v1`` JSON.

The verdicts are decided in ``reporter.provenance.baseimage.check_base`` and combined by
``reporter.commands``; this module only lays them out.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from reporter.model import ImageDescription, to_jsonable
from reporter.provenance.baseimage import BaseCheck

__all__ = ["CHECK_BASE_SCHEMA", "FORMATS", "render_check_base"]

CHECK_BASE_SCHEMA = "oci-reporter/check-base/v1"
FORMATS = ("text", "json")


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


def _text(results: Sequence[tuple[ImageDescription, BaseCheck]]) -> str:
    lines = []
    for desc, check in results:
        head = f"{desc.platform}: {check.verdict}"
        if check.verdict == "stale":
            head += " (rebuild or rebase)"
        lines.append(head)
        lines.append(f"  {check.reason}")
        if check.old_digest or check.new_digest:
            lines.append(
                f"  base built on: {check.old_digest or '?'} "
                f"({_count(check.old_layer_count)} layers)"
            )
            lines.append(
                f"  base now:      {check.new_digest or '?'} "
                f"({_count(check.new_layer_count)} layers)"
            )
        lines.append(f"  shared layers: {check.shared_layer_count}")
    return "\n".join(lines) + "\n"


def render_check_base(
    verdict: str, results: Sequence[tuple[ImageDescription, BaseCheck]], fmt: str
) -> str:
    """``verdict`` is the combined answer; ``results`` one check per selected image."""
    if fmt != "json":
        return _text(results)
    doc = {
        "schema": CHECK_BASE_SCHEMA,
        "verdict": verdict,
        "images": [
            {
                "platform": str(desc.platform),
                "manifest": desc.target.manifest.digest,
                **to_jsonable(check),
            }
            for desc, check in results
        ],
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
