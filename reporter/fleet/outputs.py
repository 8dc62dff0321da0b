"""``audit --output-dir DIR``: one report file per image, named so that names never collide.

A name is ``<input>--<reference>--<platform>-<tag>.<suffix>``: the first three parts are the
sanitised input file name, first reference and platform, for people; ``<tag>`` is 10 hex digits
of sha256 over the input's absolute path, the image's position and manifest digest, so two
inputs called ``app.tar`` in different directories, or two images of one input with the same
reference and platform, still get distinct files. Names come from ``sanitize_name`` only
(``[a-z0-9._-]``), files are written atomically without following symlinks already in DIR,
and a report an earlier run wrote that this run does not rewrite is renamed ``*.stale`` by
``run_audit`` (its database rows say which files are current).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from reporter.errors import RenderError
from reporter.fleet.audit import image_report
from reporter.fleet.inventory import InputResult, ReportFile
from reporter.output import sanitize_name, write_bytes

__all__ = ["per_image_name", "report_writer"]

_SUFFIX = {"html": ".html", "md": ".md", "json": ".json"}


def per_image_name(
    input_path: str, position: int, reference: str, platform: str, manifest: str
) -> str:
    tag = hashlib.sha256(
        f"{os.path.abspath(input_path)}\n{position}\n{manifest}".encode("utf-8", "surrogateescape")
    ).hexdigest()[:10]
    parts = [
        sanitize_name(os.path.basename(input_path.rstrip(os.sep)))[:40],
        sanitize_name(reference)[:40] if reference else "untagged",
        sanitize_name(platform)[:30],
    ]
    return "--".join(parts) + f"-{tag}"


def report_writer(
    directory: str, formats: Sequence[str]
) -> Callable[[InputResult], tuple[ReportFile, ...]]:
    from reporter.render.dispatch import get_renderer

    for fmt in formats:
        if fmt not in _SUFFIX:
            raise RenderError(f"audit --output-dir writes html, md or json, not {fmt!r}")
    root = Path(directory)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot create output directory {root}: {exc.strerror}") from None

    def write(result: InputResult) -> tuple[ReportFile, ...]:
        report = result.report
        if report is None:
            return ()
        written: list[ReportFile] = []
        for position, image in enumerate(report.images):
            desc = image.description
            stem = per_image_name(
                result.path,
                position,
                desc.target.refs[0] if desc.target.refs else "",
                str(desc.platform),
                desc.target.manifest.digest,
            )
            single = image_report(report, position)
            for fmt in formats:
                path = root / (stem + _SUFFIX[fmt])
                write_bytes(path, get_renderer(fmt).render(single), follow_symlinks=False)
                written.append(ReportFile(position, fmt, str(path.resolve())))
        return tuple(written)

    return write
