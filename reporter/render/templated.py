"""Jinja2 rendering: the built-in HTML and Markdown reports and user templates.

Every value in a ``Report`` comes from an untrusted image, so escaping is never left to the
template author's memory:

* ``*.html`` / ``*.html.j2`` templates are autoescaped (``select_autoescape`` with both names:
  the plain ``["html"]`` would not match ``report.html.j2``).
* ``*.md`` / ``*.md.j2`` / ``*.markdown`` templates get every ``{{ expression }}`` passed through
  ``md_escape`` by the environment's ``finalize`` hook, so a package named ``| a | b |`` cannot
  add table cells and a label holding ``<script>`` stays text. Filters that build Markdown on
  purpose (``md_code``) return ``Markup``, which ``finalize`` leaves alone.
* Every other template still has terminal escape sequences and control characters stripped from
  each expression, so a report shown with ``cat`` cannot repaint the terminal.

Layout lives in the templates; everything a template needs that takes more than a lookup
(counts by type, bar widths, merged findings, safe links) is computed once in
``build_context``, which built-in and user templates share. ``docs/templates.md`` documents it.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from markupsafe import Markup

from reporter.catalog.lockfiles._common import DECLARED
from reporter.errors import RenderError
from reporter.model import (
    SEVERITIES,
    AttestationCheck,
    Finding,
    ImageReport,
    Layer,
    Package,
    PackageDelta,
    Report,
    SignatureStatus,
    VerificationSummary,
)
from reporter.render.attested_props import sbom_compared
from reporter.render.common import (
    CONTROL,
    LINE_BREAKS,
    clean_text,
    human_size,
    manifest_digest_note,
    short_digest,
)
from reporter.render.interface import Renderer

__all__ = [
    "HTMLRenderer",
    "MarkdownRenderer",
    "TemplateRenderer",
    "build_context",
    "make_environment",
    "md_code",
    "md_escape",
    "render_template",
    "safe_url",
    "signature_label",
    "template_dirs",
]

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_MARKDOWN_NAMES = (".md", ".md.j2", ".markdown", ".markdown.j2")

_MD_SPECIAL = {
    "\\": "\\\\",
    "`": "\\`",
    "*": "\\*",
    "_": "\\_",
    "[": "\\[",
    "]": "\\]",
    "|": "\\|",
    "~": "\\~",
    "#": "\\#",
    # Entities, not backslashes: GFM passes raw HTML through and these must stay text even
    # inside HTML blocks such as <details>, where backslash escapes are not processed.
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
}
_MD_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _MD_SPECIAL))
_MD_CODE_CHARS = r"[A-Za-z0-9._:/@+=,%?&#!$()^{}~'\"-]+"
_MD_CODE_SAFE = re.compile(rf"{_MD_CODE_CHARS}(?: {_MD_CODE_CHARS})*")
_HISTORY_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s*")


# --------------------------------------------------------------------------- filters


def md_escape(value: object) -> Markup:
    """Text safe anywhere in a GFM document, table cells included: one line, nothing active."""
    if isinstance(value, Markup):
        return value
    text = LINE_BREAKS.sub(" ", clean_text(value)).strip()
    return Markup(_MD_SPECIAL_RE.sub(lambda m: _MD_SPECIAL[m.group(0)], text))


def md_code(value: object) -> Markup:
    """A GFM code span when the value cannot break out of one, else escaped plain text.

    Backslash escapes do not work inside code spans and ``|`` still splits table cells there,
    so only values made of harmless characters (digests, purls, versions) get backticks.
    """
    if isinstance(value, Markup):
        return value
    text = clean_text(value)
    if _MD_CODE_SAFE.fullmatch(text):
        return Markup(f"`{text}`")
    return md_escape(text)


def safe_url(value: object) -> str:
    """The value if it is an absolute http(s) URL with a host, else ``""``.

    Templates emit ``href`` only through this: ``javascript:``, ``data:`` and relative links from
    image labels never become clickable.
    """
    text = str(value).strip()
    if not text or CONTROL.search(text) or any(c.isspace() for c in text):
        return ""
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return text


@pass_context
def _finalize(context: Context, value: Any) -> Any:
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    if context.name is not None and context.name.endswith(_MARKDOWN_NAMES):
        return md_escape(value)
    return clean_text(value)


# --------------------------------------------------------------------------- environment


def template_dirs() -> list[Path]:
    """The built-in templates: the wheel's ``reporter/_templates``, else the checkout's."""
    return [
        p for p in (_PACKAGE_DIR / "_templates", _PACKAGE_DIR.parent / "templates") if p.is_dir()
    ]


def make_environment(extra_dirs: tuple[Path, ...] = ()) -> Environment:
    """The one Jinja2 environment: strict undefined, HTML autoescape, our filters and finalize.

    ``extra_dirs`` come first on the search path, so a user template's own directory wins and
    it can still ``{% extends "report.html.j2" %}`` or include the built-in parts.
    """
    env = Environment(
        loader=FileSystemLoader([*extra_dirs, *template_dirs()]),
        undefined=StrictUndefined,
        autoescape=select_autoescape(["html", "html.j2"]),
        finalize=_finalize,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        clean=clean_text,
        md=md_escape,
        md_code=md_code,
        safe_url=safe_url,
        human_size=human_size,
        short_digest=short_digest,
    )
    return env


# --------------------------------------------------------------------------- context


def _anchor(text: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "image"
    anchor, n = f"img-{base}", 1
    while anchor in used:
        n += 1
        anchor = f"img-{base}-{n}"
    used.add(anchor)
    return anchor


def _finding(finding: Finding, scope: str) -> dict[str, Any]:
    return {
        "scope": scope,
        "severity": finding.severity,
        "kind": finding.kind,
        "message": finding.message,
        "where": finding.where,
        "expected": finding.expected or "",
        "actual": finding.actual or "",
        "integrity": finding.integrity,
        "finding": finding,
    }


def _severity_rank(item: Mapping[str, Any]) -> tuple[int, str, str, str]:
    severity = str(item["severity"])
    rank = SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
    return (rank, str(item["scope"]), str(item["kind"]), str(item["where"]))


def _layer_view(layer: Layer, widest: int, packages: Counter[int]) -> dict[str, Any]:
    history = layer.history
    committed = _HISTORY_NOP.sub("", history.created_by) if history else ""
    # a squashed build (buildah --layers=false): the steps whose files the layer holds
    made_by = [_HISTORY_NOP.sub("", h.created_by).strip() for h in layer.made_by]
    command = "; ".join(made_by) if made_by else committed
    return {
        "layer": layer,
        "index": layer.index,
        "digest": layer.digest,
        "diff_id": layer.diff_id,
        "media_type": layer.media_type,
        "size": layer.size,
        "uncompressed_size": layer.uncompressed_size,
        "origin": {True: "base", False: "added", None: "unknown"}[layer.base],
        "command": command,
        "committed_as": committed if made_by else "",
        "made_by": made_by,
        "created": history.created if history else "",
        "comment": history.comment if history else "",
        "verified": layer.verified,
        "diff_id_verified": layer.diff_id_verified,
        "present": layer.present,
        "failed": layer.failed_verification,
        "package_count": packages[layer.index],
        # Fraction of the widest layer, for the bar chart; 0..1 with 4 digits so output is stable.
        "bar": round(layer.size / widest, 4) if widest > 0 else 0.0,
    }


def _package_view(package: Package) -> dict[str, Any]:
    return {
        "package": package,
        "type": package.type,
        "name": package.name,
        "version": package.version,
        "purl": package.purl,
        "licenses": package.licenses,
        "license": " AND ".join(package.licenses)
        if len(package.licenses) > 1
        else "".join(package.licenses),
        "layer_index": package.layer_index,
        "layer_digest": package.layer_digest,
        "origin": {True: "base", False: "added", None: "unknown"}[package.base],
        "paths": tuple(location.path for location in package.locations),
        "cataloger": package.cataloger,
        "metadata": package.metadata,
        # a lock-file package was declared, not found installed: the row says so
        "declared": dict(package.metadata).get("declared") == DECLARED,
    }


def _fields(value: Any, *leave_out: str) -> dict[str, Any]:
    """A flat dataclass's fields by name, for views that add nothing but a few keys."""
    return {
        f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.name not in leave_out
    }


def _delta_view(delta: PackageDelta) -> dict[str, Any]:
    return {"delta": delta, **_fields(delta)}


def signature_label(signature: SignatureStatus) -> str:
    """One line for a signature status: ``verified by key FILE (sha256:…)``, ``invalid: …``,
    ``untrusted key`` (signed, but by no key given with ``--trust-key``), ``unsigned``."""
    if signature.status == "verified":
        key = signature.key_file or short_digest(signature.key)
        return f"verified by key {key} ({short_digest(signature.key)})"
    if signature.status == "invalid":
        return f"invalid: {signature.detail}" if signature.detail else "invalid"
    if signature.status == "untrusted-key":
        return "untrusted key"
    return signature.status


def _signature_view(signature: SignatureStatus) -> dict[str, Any]:
    return {"signature": signature, "label": signature_label(signature), **_fields(signature)}


def _signed_view(value: AttestationCheck | VerificationSummary) -> dict[str, Any]:
    """The fields of something signed, its signature flattened as ``signature_*``."""
    return {
        **_fields(value, "signature"),
        **{f"signature_{k}": v for k, v in _signature_view(value.signature).items()},
    }


def _check_view(check: AttestationCheck) -> dict[str, Any]:
    return {"check": check, **_signed_view(check)}


def _vsa_view(summary: VerificationSummary) -> dict[str, Any]:
    return {
        "summary": summary,
        "policy_url": safe_url(summary.policy_uri),
        **_signed_view(summary),
    }


def _image_view(image: ImageReport, anchor: str, label: str) -> dict[str, Any]:
    description = image.description
    manifest = description.target.manifest
    config = description.config
    provenance = image.provenance
    layers = description.layers
    widest = max((layer.size for layer in layers), default=0)
    per_layer = Counter(p.layer_index for p in image.packages if p.layer_index is not None)
    findings = [_finding(f, label) for f in (*description.findings, *image.findings)]
    findings.sort(key=_severity_rank)
    reproducible = {True: "yes", False: "no", None: ""}[provenance.reproducible]
    provenance_rows = [
        (label, value, safe_url(value))
        for label, value in (
            ("Builder", provenance.builder_id),
            ("Build type", provenance.build_type),
            ("Frontend", provenance.frontend),
            ("VCS source", provenance.vcs_source),
            ("VCS revision", provenance.vcs_revision),
            ("Base's VCS source (inherited label)", provenance.inherited_vcs_source),
            ("Base's VCS revision (inherited label)", provenance.inherited_vcs_revision),
            ("Invocation", provenance.invocation_id),
            ("Started", provenance.started_on),
            ("Finished", provenance.finished_on),
            ("Reproducible", reproducible),
        )
        if value
    ]
    layer_size = sum(layer.size for layer in layers)
    uncompressed = [layer.uncompressed_size for layer in layers]
    return {
        "image": image,
        "anchor": anchor,
        # what the section is called: the platform, or "REF (platform)" when the input holds
        # more than one image (two tags, a multi-image docker save)
        "label": label,
        "platform": str(image.platform),
        "refs": image.refs,
        "ref": image.refs[0] if image.refs else "",
        "index_digest": image.index_digest,
        "index_digests": [],  # every index it is under (build_context fills it in)
        "digest": manifest.digest,
        "manifest_media_type": description.manifest_media_type,
        "manifest_size": manifest.size,
        "config": config,
        "config_digest": config.digest,
        "created": config.created,
        "size": layer_size + config.size + manifest.size,
        "layer_size": layer_size,
        "uncompressed_size": (
            sum(u for u in uncompressed if u is not None)
            if uncompressed and None not in uncompressed
            else None
        ),
        "labels": sorted(config.labels.items()),
        # label key → how we know the base set it, not this image (provenance/labels.py)
        "inherited_labels": {
            f.key: f.inherited for f in provenance.facts if f.origin == "label" and f.inherited
        },
        "annotations": sorted(description.manifest_annotations.items()),
        "index_annotations": [
            (where, sorted(annotations.items()))
            for where, annotations in description.target.index_annotations
        ],
        "attestations": [
            {
                "digest": a.manifest.digest,
                "kind": a.kind,
                "artifact_type": a.artifact_type,
                "predicate_types": a.predicate_types,
            }
            for a in description.target.attestations
        ],
        "layers": [_layer_view(layer, widest, per_layer) for layer in layers],
        "base_layer_count": sum(1 for layer in layers if layer.base),
        "added_layer_count": sum(1 for layer in layers if layer.base is False),
        # neither history nor a base told where these came from: not "0 base, 0 added" silence
        "unknown_layer_count": sum(1 for layer in layers if layer.base is None),
        "packages": [_package_view(p) for p in image.packages],
        "package_count": len(image.packages),
        "declared_count": sum(
            1 for p in image.packages if dict(p.metadata).get("declared") == DECLARED
        ),
        "package_counts": sorted(
            Counter(p.type for p in image.packages).items(), key=lambda kv: (-kv[1], kv[0])
        ),
        "provenance": provenance,
        "provenance_rows": provenance_rows,
        "sources": [
            {
                "type": s.type,
                "ref": s.ref,
                "pin": s.pin,
                "alias": s.alias,
                "origin": s.origin,
                "origin_detail": s.origin_detail,
                "url": safe_url(s.ref),
            }
            for s in provenance.sources
        ],
        "build_args": sorted(provenance.build_args.items()),
        "facts": provenance.facts,
        "base": image.base,
        "base_known": bool(image.base.name or image.base.digest),
        "base_scratch": image.base.scratch,
        "unlisted_layers": [layer for layer in layers if layer.failed_verification],
        "findings": findings,
        "distro": image.distro,
        "distro_name": (image.distro.pretty_name or image.distro.name) if image.distro else "",
        "sbom_compared": sbom_compared(image),
        "sbom_counts": {
            "only_attested": len(image.only_attested),
            "only_observed": len(image.only_observed),
            "version_differs": len(image.version_differs),
        },
        "only_attested": [_delta_view(d) for d in image.only_attested],
        "only_observed": [_delta_view(d) for d in image.only_observed],
        "version_differs": [_delta_view(d) for d in image.version_differs],
        "attestation_checks": [_check_view(c) for c in provenance.attestations],
        "verification_summaries": [_vsa_view(v) for v in provenance.verification_summaries],
    }


def build_context(report: Report) -> dict[str, Any]:
    """Everything a template can use; the same dict for built-in and user templates.

    The ``Report`` itself is there as ``report`` for anything the views below leave out.
    """
    used: set[str] = set()
    multi_image = len({_image_group(image) for image in report.images}) > 1
    labels = [_image_label(image, multi_image) for image in report.images]
    repeated = {label for label in labels if labels.count(label) > 1}
    images = []
    for image, label in zip(report.images, labels, strict=True):
        if label in repeated:  # two untagged images of one platform: tell them apart
            label = f"{label} {short_digest(image.description.target.manifest.digest)}"
        images.append(_image_view(image, _anchor(label, used), label))
    findings = [_finding(f, "report") for f in report.findings]
    for view in images:
        findings.extend(view["findings"])
    findings.sort(key=_severity_rank)
    counts = dict.fromkeys(SEVERITIES, 0)
    for item in findings:
        counts[item["severity"]] = counts.get(item["severity"], 0) + 1
    # Size of the input's distinct blobs: a layer shared by two platforms is stored once.
    blobs: dict[str, int] = {}
    for image in report.images:
        blobs[image.description.target.manifest.digest] = image.description.target.manifest.size
        blobs[image.description.config.digest] = image.description.config.size
        for layer in image.layers:
            blobs[layer.digest] = layer.size
    refs = sorted({ref for image in report.images for ref in image.refs})
    created = sorted({i.description.config.created for i in report.images} - {""})
    indexes = _indexes(images)
    layer_uses = Counter(layer.digest for image in report.images for layer in image.layers)
    # a package is the one of a layer blob: one from a layer two images share counts once,
    # the same name and version built into each platform's own layer counts per platform
    packages = {(p.sort_key, p.layer_digest) for image in report.images for p in image.packages}
    return {
        "report": report,
        "tool": {"name": "oci-reporter", "version": report.tool_version},
        "schema": report.schema,
        "generated": report.generated,
        "input_name": report.input_name,
        "input_format": report.input_format,
        # several images: no one reference names the page
        "title": (
            f"{report.input_name} ({len({_image_group(i) for i in report.images})} images)"
            if multi_image
            else refs[0]
            if refs
            else report.input_name
        ),
        "refs": refs,
        "platforms": [view["platform"] for view in images],
        "created": created,
        "integrity_ok": report.integrity_ok,
        "integrity_findings": sum(1 for item in findings if item["integrity"]),
        "findings": findings,
        "finding_counts": counts,
        "images": images,
        "package_total": sum(view["package_count"] for view in images),
        "package_distinct": len(packages),
        "total_size": sum(blobs.values()),
        "multi_image": multi_image,
        "indexes": indexes,
        # a layer shared by two images (a common base, two platforms) is one blob: count
        # digests, and say how many are shared, rather than add the images' layer lists up
        "layer_counts": {
            "total": sum(layer_uses.values()),
            "distinct": len(layer_uses),
            "shared": sum(1 for n in layer_uses.values() if n > 1),
        },
        "digest_note": manifest_digest_note(report.input_format),
    }


def _image_group(image: ImageReport) -> tuple[str, ...]:
    """Which image the user would name: its index (one per multi-platform image), else its
    references; the platforms of one image share it."""
    return (image.index_digest,) if image.index_digest else ("", *image.refs)


def _image_label(image: ImageReport, multi_image: bool) -> str:
    platform = str(image.platform)
    if not multi_image:
        return platform
    return f"{', '.join(image.refs)} ({platform})" if image.refs else platform


def _indexes(images: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The image indexes above the images, first seen first, with their references and the
    platforms under each: the multi-platform digest is what a user pins.

    Each view's ``index_digests`` is filled in: every index it is under. ``resolve`` reads a
    manifest listed by two indexes (two multi-platform tags sharing one platform's image) once,
    keeping the first index as its parent and the references of both; so an index's references
    are those all of its own images carry, and an image carrying one of them is under it too.
    """
    found: dict[str, dict[str, Any]] = {}
    for view in images:
        digest = view["index_digest"]
        if digest:
            found.setdefault(digest, {"digest": digest, "refs": [], "platforms": []})
    for digest, entry in found.items():
        own = [v for v in images if v["index_digest"] == digest]
        common = [r for r in own[0]["refs"] if all(r in v["refs"] for v in own[1:])]
        entry["refs"] = common
        for view in images:
            if any(v is view for v in own) or any(r in view["refs"] for r in common):
                entry["platforms"].append(view["platform"])
                view["index_digests"].append(digest)
    return list(found.values())


# --------------------------------------------------------------------------- renderers


def _render(env: Environment, name: str, report: Report, extra: Mapping[str, Any]) -> bytes:
    try:
        template = env.get_template(name)
        text = template.render({**build_context(report), **extra})
    except TemplateNotFound as exc:
        raise RenderError(f"template not found: {exc.name}") from exc
    except TemplateError as exc:
        where = getattr(exc, "filename", None) or name
        line = getattr(exc, "lineno", None)
        raise RenderError(f"{where}{f':{line}' if line else ''}: {exc.message or exc}") from exc
    return text.encode("utf-8")


def _asset(env: Environment, name: str) -> str:
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return source


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


class HTMLRenderer(Renderer):
    """One self-contained HTML file: inline CSS and JS pinned by hash in a CSP that bans network.

    A nonce would be pointless in a static file (it is the same in every copy), so the policy
    names the sha256 of the exact ``<style>`` and ``<script>`` bodies; anything an image smuggles
    into the page, even past escaping, has a different hash and does not run.
    """

    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = ".html"
    media_type: ClassVar[str] = "text/html"
    template: ClassVar[str] = "report.html.j2"

    def render(self, report: Report) -> bytes:
        env = make_environment()
        try:
            css, js = _asset(env, "report.css"), _asset(env, "report.js")
        except TemplateNotFound as exc:
            raise RenderError(f"template not found: {exc.name}") from exc
        csp = (
            "default-src 'none'; "
            f"script-src {_csp_hash(js)}; "
            f"style-src {_csp_hash(css)}; "
            "base-uri 'none'; form-action 'none'"
        )
        return _render(
            env, self.template, report, {"css": Markup(css), "js": Markup(js), "csp": Markup(csp)}
        )


class MarkdownRenderer(Renderer):
    """GitHub-flavoured Markdown for release notes and PR comments."""

    name: ClassVar[str] = "md"
    suffix: ClassVar[str] = ".md"
    media_type: ClassVar[str] = "text/markdown"
    template: ClassVar[str] = "report.md.j2"

    def render(self, report: Report) -> bytes:
        return _render(make_environment(), self.template, report, {})


class TemplateRenderer(Renderer):
    """A user's Jinja2 template, rendered against ``build_context``; escaping chosen by its name."""

    name: ClassVar[str] = "template"
    suffix: ClassVar[str] = ".txt"
    media_type: ClassVar[str] = "text/plain"

    def __init__(self, template_path: str | Path) -> None:
        self.path = Path(template_path)

    @property
    def output_suffix(self) -> str:
        """``notes.md.j2`` → ``.md``: the suffix ``--output-dir`` should use for this template."""
        name = self.path.name.lower()
        name = name.removesuffix(".j2").removesuffix(".jinja").removesuffix(".jinja2")
        suffix = "".join(Path(name).suffixes[-1:])
        return suffix if re.fullmatch(r"\.[a-z0-9]+", suffix) else ".txt"

    def render(self, report: Report) -> bytes:
        return render_template(report, self.path)


def render_template(report: Report, template_path: str | Path) -> bytes:
    """Render any Jinja2 template file against the same context as the built-in reports.

    The template's directory is searched first, then the built-in templates, so includes and
    ``{% extends %}`` work both ways. Raises ``RenderError`` (one line, with file and line)
    for a missing template, a syntax error or an undefined variable.
    """
    path = Path(template_path)
    if not path.is_file():
        raise RenderError(f"template not found: {path}")
    env = make_environment((path.resolve().parent,))
    return _render(env, path.name, report, {})
