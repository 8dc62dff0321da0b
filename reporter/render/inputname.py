"""The input's name as an SBOM may carry it: never a local path (issue 12, item 10).

``./x.oci``, ``x.oci/`` and ``/home/me/x.oci`` are one input; an SBOM made from any of them must
be the same bytes and must not leak the directory layout of the machine that made it. The HTML
and Markdown pages (read by the person who ran the tool) keep the path as typed.
"""

from __future__ import annotations

import posixpath

from reporter.model import Report

__all__ = ["sbom_input_name"]


def sbom_input_name(report: Report) -> str:
    """The file's base name (``<stdin>`` for standard input); the image's own name, when it has
    one, is preferred by the callers before this."""
    name = report.input_name
    if name in ("-", ""):
        return "<stdin>" if name == "-" else ""
    base = posixpath.basename(name.replace("\\", "/").rstrip("/"))
    return base or name
