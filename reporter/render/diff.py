"""Render a ``ReleaseDiff``: Markdown (release notes, PR comments), HTML (one self-contained
file) or JSON (``oci-reporter/diff/v1``).

The templates (``templates/diff.md.j2``, ``templates/diff.html.j2``) only lay out; every string
they show is prepared here in ``build_diff_context``. They run in the project's one Jinja2
environment (``reporter.render.templated.make_environment``): strict undefined, HTML
autoescape for ``*.html.j2``, and every Markdown expression passed through ``md_escape``, so
package names, labels and env values from the images cannot add table cells, links or HTML,
and control characters / terminal escapes are removed in both formats.
"""

from __future__ import annotations

from typing import Any

import orjson
from jinja2 import TemplateError, TemplateNotFound

from reporter.diff import (
    BaseDiff,
    FieldChange,
    ImageDiff,
    KeyChange,
    LayerRef,
    PackageRef,
    ReleaseDiff,
    VersionChange,
)
from reporter.errors import RenderError, UsageError
from reporter.model import to_jsonable
from reporter.render.common import human_size, short_digest
from reporter.render.templated import make_environment

__all__ = [
    "FOLD_AT",
    "FORMATS",
    "base_text",
    "build_diff_context",
    "diff_document",
    "render_diff",
    "summary_line",
]

FORMATS = ("md", "html", "json")
FOLD_AT = 10  # lists longer than this are folded into <details>
_COMMAND_WIDTH = 100
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def render_diff(diff: ReleaseDiff, fmt: str) -> bytes:
    """``fmt`` is ``md`` (or ``markdown``), ``html`` or ``json``."""
    if fmt == "json":
        return (
            orjson.dumps(diff_document(diff), option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2)
            + b"\n"
        )
    name = {"md": "diff.md.j2", "markdown": "diff.md.j2", "html": "diff.html.j2"}.get(fmt)
    if name is None:
        raise UsageError(f"unknown diff format {fmt!r}; choose from {', '.join(FORMATS)}")
    env = make_environment()
    try:
        text = env.get_template(name).render(build_diff_context(diff))
    except TemplateNotFound as exc:
        raise RenderError(f"template not found: {exc.name}") from exc
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        raise RenderError(f"{name}{f':{line}' if line else ''}: {exc.message or exc}") from exc
    return text.encode("utf-8")


# --------------------------------------------------------------------------- JSON


def diff_document(diff: ReleaseDiff) -> dict[str, Any]:
    """The JSON document: the whole diff plus a ``summary`` of counts per platform."""
    document: dict[str, Any] = to_jsonable(diff)
    document["summary"] = {
        "conditions": list(diff.conditions),
        "images": [
            {
                "platform": d.platform,
                "text": summary_line(d),
                "added": len(d.packages.added),
                "removed": len(d.packages.removed),
                "upgraded": len(d.packages.upgraded),
                "downgraded": len(d.packages.downgraded),
                "layers_added": len(d.layers.added),
                "layers_removed": len(d.layers.removed),
                "layers_reused": len(d.layers.reused),
                "size_delta": d.layers.size_delta,
                "base": d.base.status,
            }
            for d in diff.images
        ],
    }
    return document


# --------------------------------------------------------------------------- text pieces


def _display_name(name: str) -> str:
    return name.split("@", 1)[0]


def _split_tag(name: str) -> tuple[str, str]:
    name = _display_name(name)
    slash, colon = name.rfind("/"), name.rfind(":")
    return (name[:colon], name[colon + 1 :]) if colon > slash else (name, "")


def base_text(base: BaseDiff) -> str:
    """``debian:12.7 → 12.8``, ``debian:12 refreshed (sha256:… → sha256:…)``, ...; ``""`` when
    neither side knows its base."""
    old, new = _display_name(base.old_name), _display_name(base.new_name)
    if base.status == "unknown":
        return ""
    if base.status == "unchanged":
        return f"{old or short_digest(base.old_digest)} unchanged"
    if base.status in ("refreshed", "changed"):
        digests = f"{short_digest(base.old_digest)} → {short_digest(base.new_digest)}"
        return f"{old} refreshed ({digests})" if old else f"changed ({digests})"
    if base.status == "updated":
        (_, new_tag) = _split_tag(base.new_name)
        return f"{old} → {new_tag or new}"
    if base.status == "added":
        return f"none → {new or short_digest(base.new_digest)}"
    if base.status == "removed":
        return f"{old or short_digest(base.old_digest)} → none"
    return f"{old or short_digest(base.old_digest)} → {new or short_digest(base.new_digest)}"


def summary_line(d: ImageDiff) -> str:
    """``+3 −1 ↑12 ↓0 packages, base debian:12.7 → 12.8, 2 of 9 layers changed``."""
    p = d.packages
    parts = [f"+{len(p.added)} −{len(p.removed)} ↑{len(p.upgraded)} ↓{len(p.downgraded)} packages"]
    base = base_text(d.base)
    if base:
        parts.append(f"base {base}")
    layers = f"{len(d.layers.added)} of {d.layers.new_count} layers changed"
    if d.layers.removed:
        layers += f" ({len(d.layers.removed)} removed)"
    parts.append(layers)
    return ", ".join(parts)


def _signed_size(delta: int) -> str:
    if delta == 0:
        return "±0 B"
    return ("+" if delta > 0 else "−") + human_size(abs(delta))


def _origin(base: bool | None) -> str:
    return {True: "base", False: "app", None: ""}[base]


def _package_row(p: PackageRef) -> dict[str, Any]:
    return {
        "type": p.type,
        "name": p.name,
        "version": p.version,
        "purl": p.purl,
        "licenses": ", ".join(p.licenses),
        "origin": _origin(p.base),
    }


def _change_row(c: VersionChange) -> dict[str, Any]:
    return {
        "type": c.type,
        "name": c.name,
        "old": c.old_version,
        "new": c.new_version,
        "origin": _origin(c.base),
        "scheme": c.scheme,
    }


def _layer_row(layer: LayerRef) -> dict[str, Any]:
    command = " ".join(layer.created_by.split())
    if len(command) > _COMMAND_WIDTH:
        command = command[: _COMMAND_WIDTH - 1] + "…"
    return {
        "index": layer.index,
        "digest": layer.diff_id or layer.digest,
        "size": human_size(layer.size),
        "command": command,
        "origin": _origin(layer.base),
    }


def _rows(changes: tuple[KeyChange, ...], prefix: str = "") -> list[dict[str, Any]]:
    return [{"name": prefix + c.key, "old": c.old, "new": c.new, "kind": c.kind} for c in changes]


def _field_rows(changes: tuple[FieldChange, ...]) -> list[dict[str, Any]]:
    return [
        {
            "name": c.field.replace("_", " "),
            "old": c.old or None,
            "new": c.new or None,
            "kind": "changed",
        }
        for c in changes
    ]


def _image_view(d: ImageDiff) -> dict[str, Any]:
    p = d.packages
    b = d.base
    config_rows = (
        _field_rows(d.config.fields)
        + _rows(d.config.env, "env ")
        + _rows(d.config.labels, "label ")
    )
    provenance_rows = (
        _field_rows(d.provenance.fields)
        + _rows(d.provenance.build_args, "build arg ")
        + _rows(d.provenance.sources, "source ")
    )
    settings = [
        {"title": "Config", "rows": config_rows},
        {"title": "Annotations", "rows": _rows(d.annotations)},
        {"title": "Provenance", "rows": provenance_rows},
        {"title": "OS release", "rows": _rows(d.distro)},
    ]
    package_lists = [
        {"title": "Added", "kind": "added", "rows": [_package_row(x) for x in p.added]},
        {"title": "Removed", "kind": "removed", "rows": [_package_row(x) for x in p.removed]},
    ]
    change_lists = [
        {"title": "Upgraded", "kind": "upgraded", "rows": [_change_row(x) for x in p.upgraded]},
        {
            "title": "Downgraded",
            "kind": "downgraded",
            "rows": [_change_row(x) for x in p.downgraded],
        },
        {
            "title": "Changed (same order, different spelling)",
            "kind": "changed",
            "rows": [_change_row(x) for x in p.changed],
        },
    ]
    return {
        "platform": d.platform,
        "summary": summary_line(d),
        "old_ref": d.old_ref,
        "new_ref": d.new_ref,
        "old_digest": d.old_digest,
        "new_digest": d.new_digest,
        "identical": not d.conditions,
        "conditions": d.conditions,
        "package_lists": [x for x in package_lists if x["rows"]],
        "change_lists": [x for x in change_lists if x["rows"]],
        "licenses": [
            {
                "type": c.type,
                "name": c.name,
                "version": c.version,
                "old": ", ".join(c.old),
                "new": ", ".join(c.new),
            }
            for c in p.licenses
        ],
        "package_counts": {"unchanged": p.unchanged, "old": p.old_total, "new": p.new_total},
        "origin_counts": {
            "base": b.package_changes_from_base,
            "app": b.package_changes_from_app,
            "unknown": b.package_changes_unattributed,
        },
        "base": {
            "status": b.status,
            "text": base_text(b),
            "old_name": b.old_name,
            "new_name": b.new_name,
            "old_digest": b.old_digest,
            "new_digest": b.new_digest,
            "layers_same": {True: "yes", False: "no", None: ""}[b.layers_same],
        },
        "layers": {
            "reused": len(d.layers.reused),
            "added": [_layer_row(x) for x in d.layers.added],
            "removed": [_layer_row(x) for x in d.layers.removed],
            "old_count": d.layers.old_count,
            "new_count": d.layers.new_count,
            "old_size": human_size(d.layers.old_size),
            "new_size": human_size(d.layers.new_size),
            "size_delta": _signed_size(d.layers.size_delta),
            "reordered": d.layers.reordered,
        },
        "settings": [s for s in settings if s["rows"]],
    }


def build_diff_context(diff: ReleaseDiff) -> dict[str, Any]:
    """What the diff templates see; every value is a plain string, number, list or dict."""
    images = [_image_view(d) for d in diff.images]
    return {
        "diff": diff,
        "schema": diff.schema,
        "old_input": diff.old_input,
        "new_input": diff.new_input,
        "images": images,
        "added_platforms": list(diff.added_platforms),
        "removed_platforms": list(diff.removed_platforms),
        "conditions": list(diff.conditions),
        "identical": not diff.conditions,
        "fold_at": FOLD_AT,
        "csp": _CSP,
    }
