"""The multi-input commands (check-base, diff): their output, from what ``pipeline`` composes.

``pipeline.check_base_images`` and ``pipeline.diff_sides`` run the stages; this module only
turns their results into bytes and verdicts (``cli.py`` keeps argv and exit codes).
"""

from __future__ import annotations

import orjson

from reporter.model import to_jsonable
from reporter.options import Options
from reporter.pipeline import check_base_images, diff_sides

__all__ = ["check_base_command", "diff_command"]


def check_base_command(
    image_spec: str, base_spec: str, options: Options, fmt: str
) -> tuple[str, str]:
    """(verdict, text) for every selected image of ``image_spec`` against ``base_spec``."""
    results = check_base_images(image_spec, base_spec, options)
    order = {"stale": 0, "unknown": 1, "current": 2}
    verdict = min((check.verdict for _, check in results), key=lambda v: order.get(v, 1))
    if fmt == "json":
        doc = {
            "schema": "oci-reporter/check-base/v1",
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
        return verdict, orjson.dumps(doc, option=orjson.OPT_INDENT_2).decode() + "\n"
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
                f"({check.old_layer_count if check.old_layer_count is not None else '?'} layers)"
            )
            lines.append(
                f"  base now:      {check.new_digest or '?'} "
                f"({check.new_layer_count if check.new_layer_count is not None else '?'} layers)"
            )
        lines.append(f"  shared layers: {check.shared_layer_count}")
    return verdict, "\n".join(lines) + "\n"


def diff_command(
    old_spec: str, new_spec: str, options: Options, fmt: str, fail_on: tuple[str, ...]
) -> tuple[bytes, tuple[str, ...]]:
    from reporter.diff import diff_reports, diff_triggers
    from reporter.render.diff import render_diff

    old, new = diff_sides(old_spec, new_spec, options)
    diff = diff_reports(old, new)
    return render_diff(diff, fmt), diff_triggers(diff, fail_on) if fail_on else ()
