"""``oci-reporter inspect``: the documented ``oci-reporter/inspect/v1`` JSON and a table for people.

Schema (docs/inspect-schema.md): ``{"schema", "input", "format", "images": [{"refs",
"platform": "os/arch[/variant]", "index": "sha256:…" | "", "manifest": {digest, mediaType, size},
"manifestNote", "config": {digest,
mediaType, size}, "created", "layers": [{digest, diffID, size, mediaType, verified,
diffIDVerified, annotations}], "annotations", "labels", "attestations": [{digest, kind,
artifactType, predicateTypes}], "findings"}], "findings"}``.
"""

from __future__ import annotations

from typing import Any

import orjson

from reporter.model import Finding, ImageDescription, Report
from reporter.render.common import manifest_digest_note
from reporter.render.common import terminal_line as _clean

__all__ = ["INSPECT_SCHEMA", "inspect_document", "render_inspect_json", "render_inspect_table"]

INSPECT_SCHEMA = "oci-reporter/inspect/v1"


def _finding(finding: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": finding.kind,
        "severity": finding.severity,
        "message": finding.message,
        "where": finding.where,
        "integrity": finding.integrity,
    }
    if finding.expected is not None:
        out["expected"] = finding.expected
    if finding.actual is not None:
        out["actual"] = finding.actual
    return out


def _image(desc: ImageDescription, findings: tuple[Finding, ...], note: str) -> dict[str, Any]:
    manifest = desc.target.manifest
    annotations = dict(desc.manifest_annotations)
    return {
        "refs": list(desc.target.refs),
        "platform": str(desc.platform),
        # the multi-platform digest a tag names (the outermost index), "" when none
        "index": desc.target.index_digest,
        "manifest": {
            "digest": manifest.digest,
            "mediaType": desc.manifest_media_type or manifest.media_type,
            "size": manifest.size,
        },
        "manifestNote": note,
        "config": {
            "digest": desc.config.digest,
            "mediaType": desc.config.media_type,
            "size": desc.config.size,
        },
        "created": desc.config.created,
        "layers": [
            {
                "digest": layer.digest,
                "diffID": layer.diff_id,
                "size": layer.size,
                "mediaType": layer.media_type,
                "verified": layer.verified,
                "diffIDVerified": layer.diff_id_verified,
                "annotations": dict(sorted(layer.annotations.items())),
            }
            for layer in desc.layers
        ],
        "annotations": dict(sorted(annotations.items())),
        "indexAnnotations": {
            where: dict(sorted(values.items()))
            for where, values in desc.target.index_annotations
            if values
        },
        "labels": dict(sorted(desc.config.labels.items())),
        "attestations": [
            {
                "digest": ref.manifest.digest,
                "kind": ref.kind,
                "artifactType": ref.artifact_type,
                "predicateTypes": list(ref.predicate_types),
            }
            for ref in desc.target.attestations
        ],
        "findings": [_finding(f) for f in (*desc.findings, *findings)],
    }


def inspect_document(report: Report) -> dict[str, Any]:
    return {
        "schema": INSPECT_SCHEMA,
        "input": report.input_name,
        "format": report.input_format,
        "integrity": "ok" if report.integrity_ok else "failed",
        "images": [
            _image(image.description, image.findings, manifest_digest_note(report.input_format))
            for image in report.images
        ],
        "findings": [_finding(f) for f in report.findings],
    }


def render_inspect_json(report: Report) -> bytes:
    return orjson.dumps(inspect_document(report), option=orjson.OPT_INDENT_2) + b"\n"


def render_inspect_table(report: Report) -> bytes:
    doc = inspect_document(report)
    lines = [f"{_clean(report.input_name)} ({report.input_format}), integrity {doc['integrity']}"]
    for image in doc["images"]:
        lines.append("")
        refs = ", ".join(_clean(r) for r in image["refs"]) or "(untagged)"
        lines.append(f"IMAGE {_clean(image['platform'])}  {refs}")
        if image["index"]:
            lines.append(f"  index     {_clean(image['index'])}  (multi-platform digest)")
        lines.append(
            f"  manifest  {_clean(image['manifest']['digest'])}  "
            f"{_clean(image['manifest']['mediaType'])}  "
            f"{image['manifest']['size']} B"
        )
        if image["manifestNote"]:
            lines.append(f"  note      {_clean(image['manifestNote'])}")
        lines.append(
            f"  config    {_clean(image['config']['digest'])}  {image['config']['size']} B"
        )
        if image["created"]:
            lines.append(f"  created   {_clean(image['created'])}")
        lines.append(f"  layers    {len(image['layers'])}")
        for position, layer in enumerate(image["layers"]):
            state = (
                "ok"
                if layer["verified"] and layer["diffIDVerified"] is not False
                else ("UNVERIFIED" if not layer["verified"] else "DIFF_ID MISMATCH")
            )
            lines.append(
                f"    {position:>3} {_clean(layer['digest'])}  {layer['size']:>12} B  {state}"
            )
        for title, mapping in (("labels", image["labels"]), ("annotations", image["annotations"])):
            if mapping:
                lines.append(f"  {title}")
                lines.extend(f"    {_clean(k)} = {_clean(v)}" for k, v in mapping.items())
        for att in image["attestations"]:
            types = ", ".join(_clean(t) for t in att["predicateTypes"]) or "-"
            lines.append(f"  {_clean(att['kind'])}  {_clean(att['digest'])}  {types}")
        lines.extend(
            f"  ! {f['severity']} {f['kind']}: {_clean(f['message'])} ({_clean(f['where'])})"
            for f in image["findings"]
        )
    if doc["findings"]:
        lines.append("")
        lines.extend(
            f"! {f['severity']} {f['kind']}: {_clean(f['message'])} ({_clean(f['where'])})"
            for f in doc["findings"]
        )
    return ("\n".join(lines) + "\n").encode()
