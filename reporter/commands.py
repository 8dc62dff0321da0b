"""The multi-input commands (check-base, diff): compose pipeline runs, return bytes and verdicts.

Kept apart from ``cli.py`` (argv and exit codes only) and from ``pipeline.py`` (one input).
"""

from __future__ import annotations

import os
from dataclasses import replace

import orjson

from reporter.errors import NotFoundError
from reporter.model import Report, to_jsonable
from reporter.options import Options
from reporter.pipeline import describe_input, generate, split_selector
from reporter.provenance.baseimage import check_base
from reporter.provenance.merge import build_provenance

__all__ = ["check_base_command", "diff_command", "load_side"]


def check_base_command(
    image_spec: str, base_spec: str, options: Options, fmt: str
) -> tuple[str, str]:
    """(verdict, text) for every selected image of ``image_spec`` against ``base_spec``."""
    light = replace(options, catalog=False, verify_layers=False)
    image_path, image_options = split_selector(image_spec, light)
    base_path, base_options = split_selector(base_spec, replace(light, platforms=()))
    images = describe_input(image_path, image_options)
    images.archive.close()
    bases = describe_input(base_path, base_options)
    bases.archive.close()
    results = []
    for desc in images.images:
        key = desc.platform.normalized()
        same_platform = [b for b in bases.images if b.platform.normalized() == key]
        if not same_platform:
            raise NotFoundError(f"no base image for platform {desc.platform}", where=base_path)
        newer = same_platform[0]
        provenance = build_provenance(desc, (), ())
        refs = newer.target.refs or (base_path,)
        results.append((desc, check_base(desc, provenance, newer, refs)))
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


def load_side(spec: str, options: Options) -> Report:
    """A diff side: a saved ``report -f json`` document, or any input the pipeline reads."""
    from reporter.report_io import load_report_json, looks_like_report_json

    path, side_options = split_selector(spec, options)
    if path != "-" and os.path.isfile(path):
        with open(path, "rb") as handle:
            head = handle.read(64)
            if looks_like_report_json(head):
                return load_report_json(path, head + handle.read())
    return generate(path, side_options)


def diff_command(
    old_spec: str, new_spec: str, options: Options, fmt: str, fail_on: tuple[str, ...]
) -> tuple[bytes, tuple[str, ...]]:
    from reporter.diff import diff_reports, diff_triggers
    from reporter.provenance.sbom_compare import attested_mismatch
    from reporter.render.diff import render_diff

    old = load_side(old_spec, options)
    new = load_side(new_spec, options)
    if options.platforms:
        keys = {p.normalized() for p in options.platforms}
        old = replace(old, images=tuple(i for i in old.images if i.platform.normalized() in keys))
        new = replace(new, images=tuple(i for i in new.images if i.platform.normalized() in keys))
    diff = diff_reports(old, new)
    # attested-mismatch is about NEW alone (its SBOM attestation vs its layers), not a change
    gated = tuple(c for c in fail_on if c != "attested-mismatch")
    triggered = diff_triggers(diff, gated) if gated else ()
    if "attested-mismatch" in fail_on and attested_mismatch(new):
        triggered += ("attested-mismatch",)
    return render_diff(diff, fmt), triggered
