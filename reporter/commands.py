"""The multi-input commands (check-base, diff): their output, from what ``pipeline`` composes.

``pipeline.check_base_images`` and ``pipeline.diff_sides`` run the stages; this module only
turns their results into bytes and verdicts (``cli.py`` keeps argv and exit codes).
"""

from __future__ import annotations

from reporter.integrity import report_integrity_findings, require
from reporter.options import Options
from reporter.pipeline import check_base_images, diff_sides
from reporter.render.checkbase import render_check_base

__all__ = ["check_base_command", "diff_command"]


def check_base_command(
    image_spec: str, base_spec: str, options: Options, fmt: str
) -> tuple[str, str]:
    """(verdict, text) for every selected image of ``image_spec`` against ``base_spec``."""
    results = check_base_images(image_spec, base_spec, options)
    order = {"stale": 0, "unknown": 1, "current": 2}
    verdict = min((check.verdict for _, check in results), key=lambda v: order.get(v, 1))
    return verdict, render_check_base(verdict, results, fmt)


def diff_command(
    old_spec: str, new_spec: str, options: Options, fmt: str, fail_on: tuple[str, ...]
) -> tuple[bytes, tuple[str, ...]]:
    from reporter.diff import diff_reports, diff_triggers
    from reporter.provenance.sbom_compare import attested_mismatch
    from reporter.render.diff import render_diff

    old, new = diff_sides(old_spec, new_spec, options)
    # A diff over unverified bytes invents changes (a flipped byte reads as removed packages).
    require(report_integrity_findings(old), old_spec, "diff")
    require(report_integrity_findings(new), new_spec, "diff")
    diff = diff_reports(old, new)
    # attested-mismatch is about NEW alone (its SBOM attestation vs its layers), not a change
    gated = tuple(c for c in fail_on if c != "attested-mismatch")
    triggered = diff_triggers(diff, gated) if gated else ()
    if "attested-mismatch" in fail_on and attested_mismatch(new):
        triggered += ("attested-mismatch",)
    return render_diff(diff, fmt), triggered
