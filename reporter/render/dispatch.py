"""One scan, many outputs: pick renderers for the requested formats and write their bytes.

Everything is rendered before anything is written, so a template error never leaves some
outputs new and others old. With ``--output-dir``, reports for people (html, md, json, a user
template) are one file each (``report.html``…); SBOMs are one file per platform image
(``linux_arm64_v8.cdx.json``), or one ``index`` BOM with ``--cyclonedx-index-root``.
"""

from __future__ import annotations

from pathlib import Path

from reporter.errors import UsageError
from reporter.model import Report
from reporter.output import sanitize_name, write_bytes, write_per_platform
from reporter.render.interface import get_renderer

__all__ = ["write_report_outputs"]

_PER_PLATFORM = ("cyclonedx-json", "cyclonedx-xml", "spdx-json")


def write_report_outputs(
    report: Report,
    *,
    formats: tuple[str, ...],
    output: str | None,
    output_dir: str | None,
    template: str | None,
    cyclonedx_version: str,
    cyclonedx_index_root: bool,
) -> list[str]:
    """Render and write; returns the targets written (``-`` for standard output)."""
    count = len(formats) + (1 if template else 0)
    if count == 0:
        raise UsageError("nothing to write: give --format or --template")
    if output_dir is None and count > 1:
        raise UsageError("several outputs need --output-dir DIR (or one --format at a time)")

    single: list[tuple[str, str, bytes]] = []  # (stem, suffix, bytes) of files in output_dir
    per_platform: list[tuple[list[tuple[str, bytes]], str]] = []
    for name in dict.fromkeys(formats):
        renderer = get_renderer(
            name, spec_version=cyclonedx_version, index_root=cyclonedx_index_root
        )
        if output_dir is not None and name in _PER_PLATFORM and not cyclonedx_index_root:
            per_platform.append((renderer.render_per_platform(report), renderer.suffix))
        elif output_dir is not None and name in _PER_PLATFORM:
            single.append(("index", renderer.suffix, renderer.render(report)))
        else:
            single.append(("report", renderer.suffix, renderer.render(report)))
    if template:
        from reporter.render.templated import render_template

        stem, dot, suffix = Path(template).name.removesuffix(".j2").partition(".")
        single.append(
            (
                stem,
                f".{sanitize_name(suffix)}" if dot else ".txt",
                render_template(report, template),
            )
        )

    if output_dir is None:
        target = output or "-"
        write_bytes(target, single[0][2])
        return [target]
    written: list[str] = []
    root = Path(output_dir)
    for outputs, suffix in per_platform:
        written.extend(str(p) for p in write_per_platform(root, outputs, suffix))
    for stem, suffix, data in single:
        written.extend(str(p) for p in write_per_platform(root, [(stem, data)], suffix))
    return written
