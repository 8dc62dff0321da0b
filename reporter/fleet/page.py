"""The fleet page: one self-contained HTML (or Markdown) file from an inventory.

Images × integrity × base × package counts, every package of every image in one filterable
table, and links to the per-image reports ``audit --output-dir`` wrote (relative to the page,
only for files that still exist). Layout is in ``templates/fleet.html.j2`` / ``fleet.md.j2``;
the HTML reuses the report's stylesheet and script, pinned by hash in the same kind of CSP as
the image report (no network, no inline handlers), and everything from the database is
autoescaped (HTML) or passed through the Markdown escape filter.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
from typing import Any

from markupsafe import Markup

from reporter import __version__
from reporter.errors import RenderError, UsageError

__all__ = ["fleet_context", "render_fleet"]


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def fleet_context(db: sqlite3.Connection, page_path: str | None) -> dict[str, Any]:
    base_dir = os.path.dirname(os.path.abspath(page_path)) if page_path else os.getcwd()
    db.row_factory = sqlite3.Row
    images = []
    for row in db.execute(
        "SELECT i.path AS input, i.status, i.error, i.integrity AS input_integrity, m.* , "
        "(SELECT b.reference || ' (' || bi.path || ')' FROM images b JOIN inputs bi "
        " ON bi.id = b.input_id WHERE b.id = m.fleet_base_id) AS fleet_base "
        "FROM inputs i LEFT JOIN images m ON m.input_id = i.id ORDER BY i.path, m.position"
    ):
        links = []
        if row["id"] is not None:
            for path, fmt in db.execute(
                "SELECT path, format FROM report_files WHERE image_id = ? ORDER BY format",
                (row["id"],),
            ):
                if os.path.isfile(path):
                    links.append({"format": fmt, "href": os.path.relpath(path, base_dir)})
        images.append({**dict(row), "links": links})
    packages = [
        dict(r)
        for r in db.execute(
            "SELECT i.path AS input, m.reference, m.platform, p.type, p.name, p.version, p.purl, "
            "CASE p.base WHEN 1 THEN 'base' WHEN 0 THEN 'added' ELSE '' END AS origin "
            "FROM packages p JOIN images m ON m.id = p.image_id JOIN inputs i "
            "ON i.id = m.input_id ORDER BY p.type, p.name, p.version, i.path, m.position"
        )
    ]
    db.row_factory = None
    failed = sum(1 for i in images if "failed" in (i["integrity"], i["input_integrity"]))
    return {
        "tool": {"name": "oci-reporter", "version": __version__},
        "images": images,
        "packages": packages,
        "counts": {
            "inputs": len({i["input"] for i in images}),
            "images": sum(1 for i in images if i["id"] is not None),
            "errors": sum(1 for i in images if i["status"] == "error"),
            "integrity_failed": failed,
            "packages": len(packages),
            "stale": sum(1 for i in images if i["base_state"] == "stale"),
        },
    }


def render_fleet(db: sqlite3.Connection, fmt: str, page_path: str | None) -> bytes:
    from jinja2 import TemplateError, TemplateNotFound

    from reporter.render.templated import make_environment

    if fmt not in ("html", "md"):
        raise UsageError(f"report --db writes html or md, not {fmt!r}")
    env = make_environment()
    context = fleet_context(db, page_path)
    try:
        if fmt == "html":
            assert env.loader is not None
            css = env.loader.get_source(env, "report.css")[0]
            js = env.loader.get_source(env, "report.js")[0]
            context |= {
                "css": Markup(css),
                "js": Markup(js),
                "csp": Markup(
                    "default-src 'none'; "
                    f"script-src {_csp_hash(js)}; style-src {_csp_hash(css)}; "
                    "base-uri 'none'; form-action 'none'"
                ),
            }
        text = env.get_template(f"fleet.{fmt}.j2").render(context)
    except TemplateNotFound as exc:
        raise RenderError(f"template not found: {exc.name}") from exc
    except TemplateError as exc:
        raise RenderError(f"fleet.{fmt}.j2: {exc.message or exc}") from exc
    return text.encode("utf-8")
