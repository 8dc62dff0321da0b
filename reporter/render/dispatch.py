"""The renderer registry, and writing: pick renderers for the requested formats, write their bytes.

``get_renderer(name)`` is the one place that maps a ``--format`` value to an implementation.
The implementations are imported only when asked for, so listing the formats (the CLI's
argument parser does) costs no SBOM or template library import.

Everything is rendered before anything is written, so a template error never leaves some
outputs new and others old. With ``--output-dir``, reports for people (html, md, json, a user
template) are one file each (``report.html``…); SBOMs are one file per platform image
(``linux_arm64_v8.cdx.json``), or one ``index`` BOM with ``--cyclonedx-index-root``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.errors import UsageError
from reporter.output import sanitize_name, write_bytes, write_per_platform
from reporter.render.spec import CYCLONEDX_SPEC_VERSIONS, DEFAULT_CYCLONEDX_SPEC_VERSION

# Start-up (issue 16): the argument parser and a warm whole-report cache hit use this module
# without a Report; the model and the renderer seam are imported by the renderers themselves.
if TYPE_CHECKING:
    from reporter.model import Report
    from reporter.render.interface import Renderer

__all__ = [
    "CYCLONEDX_SPEC_VERSIONS",
    "DEFAULT_CYCLONEDX_SPEC_VERSION",
    "FORMATS",
    "Rendered",
    "check_outputs",
    "get_renderer",
    "render_report_outputs",
    "write_rendered",
    "write_report_outputs",
]


@dataclass(frozen=True, slots=True)
class _Entry:
    # SBOMs are one document per platform image under --output-dir (unless index-rooted).
    per_platform: bool
    # (spec_version, index_root) → the renderer; imports its module on first use.
    make: Callable[[str, bool], Renderer]


def _cyclonedx(xml: bool) -> Callable[[str, bool], Renderer]:
    def make(spec_version: str, index_root: bool) -> Renderer:
        if not xml:  # written directly: no cyclonedx-python-lib import (issue 16)
            from reporter.render.cyclonedx_json import CycloneDXJSONRenderer

            return CycloneDXJSONRenderer(spec_version=spec_version, index_root=index_root)
        from reporter.render.cyclonedx import CycloneDXXMLRenderer

        return CycloneDXXMLRenderer(spec_version=spec_version, index_root=index_root)

    return make


def _spdx(_spec_version: str, _index_root: bool) -> Renderer:
    # written directly from the same facts as the spdx-tools path: no spdx-tools import
    from reporter.render.spdx_json import SPDXJSONRenderer

    return SPDXJSONRenderer()


def _json(_spec_version: str, _index_root: bool) -> Renderer:
    from reporter.render.json import JSONRenderer

    return JSONRenderer()


def _templated(markdown: bool) -> Callable[[str, bool], Renderer]:
    def make(_spec_version: str, _index_root: bool) -> Renderer:
        from reporter.render.templated import HTMLRenderer, MarkdownRenderer

        return MarkdownRenderer() if markdown else HTMLRenderer()

    return make


_REGISTRY: dict[str, _Entry] = {
    "html": _Entry(False, _templated(markdown=False)),
    "md": _Entry(False, _templated(markdown=True)),
    "cyclonedx-json": _Entry(True, _cyclonedx(xml=False)),
    "cyclonedx-xml": _Entry(True, _cyclonedx(xml=True)),
    "spdx-json": _Entry(True, _spdx),
    "json": _Entry(False, _json),
}
FORMATS: tuple[str, ...] = tuple(_REGISTRY)


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
    entry = _REGISTRY.get(name)
    if entry is None:
        raise UsageError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    return entry.make(spec_version, index_root)


@dataclass(frozen=True, slots=True)
class Rendered:
    """Every output of one ``report`` run, rendered and not yet written.

    ``single``: (stem, suffix, bytes) — one file each, or the one output without
    ``--output-dir``; ``per_platform``: ((platform, bytes) per image, suffix) per SBOM format.
    """

    single: tuple[tuple[str, str, bytes], ...]
    per_platform: tuple[tuple[tuple[tuple[str, bytes], ...], str], ...]


def check_outputs(formats: tuple[str, ...], output_dir: str | None, template: str | None) -> None:
    """The usage errors of an output request, before any work is done."""
    count = len(formats) + (1 if template else 0)
    if count == 0:
        raise UsageError("nothing to write: give --format or --template")
    if output_dir is None and count > 1:
        raise UsageError("several outputs need --output-dir DIR (or one --format at a time)")


def render_report_outputs(
    report: Report,
    *,
    formats: tuple[str, ...],
    to_dir: bool,
    template: str | None,
    cyclonedx_version: str,
    cyclonedx_index_root: bool,
) -> Rendered:
    """Render every requested output (``to_dir``: for ``--output-dir``)."""
    check_outputs(formats, "" if to_dir else None, template)
    single: list[tuple[str, str, bytes]] = []  # (stem, suffix, bytes) of files in output_dir
    per_platform: list[tuple[tuple[tuple[str, bytes], ...], str]] = []
    for name in dict.fromkeys(formats):
        renderer = get_renderer(
            name, spec_version=cyclonedx_version, index_root=cyclonedx_index_root
        )
        per_platform_sbom = to_dir and _REGISTRY[name].per_platform
        if per_platform_sbom and not cyclonedx_index_root:
            per_platform.append((tuple(renderer.render_per_platform(report)), renderer.suffix))
        elif per_platform_sbom:
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
    return Rendered(tuple(single), tuple(per_platform))


def write_rendered(rendered: Rendered, *, output: str | None, output_dir: str | None) -> list[str]:
    """Write what ``render_report_outputs`` made; returns the targets (``-``: standard output)."""
    if output_dir is None:
        target = output or "-"
        write_bytes(target, rendered.single[0][2])
        return [target]
    written: list[str] = []
    root = Path(output_dir)
    for outputs, suffix in rendered.per_platform:
        written.extend(str(p) for p in write_per_platform(root, outputs, suffix))
    for stem, suffix, data in rendered.single:
        written.extend(str(p) for p in write_per_platform(root, [(stem, data)], suffix))
    return written


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
    check_outputs(formats, output_dir, template)
    rendered = render_report_outputs(
        report,
        formats=formats,
        to_dir=output_dir is not None,
        template=template,
        cyclonedx_version=cyclonedx_version,
        cyclonedx_index_root=cyclonedx_index_root,
    )
    return write_rendered(rendered, output=output, output_dir=output_dir)
