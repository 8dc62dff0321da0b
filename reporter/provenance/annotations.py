"""Facts from annotations, labels, buildpacks metadata and history.

* ``org.opencontainers.image.*`` annotations at every level — ``index <digest>`` (each index walked,
  ``index.json`` included), ``descriptor`` (the manifest's descriptor), ``manifest`` — origin
  ``annotation``; the same keys and legacy ``org.label-schema.*`` in config labels, origin
  ``label``. The fact key is the annotation / label key itself.
* BuildKit layer annotations ``buildkit/rewritten-timestamp`` / ``buildkit/rewritten-epoch``
  (``SOURCE_DATE_EPOCH`` rewriting), one fact per distinct value naming the layers.
* Buildpacks: ``io.buildpacks.lifecycle.metadata`` (run image top layer / reference, stack run
  image, buildpacks), ``io.buildpacks.build.metadata`` (buildpacks), ``io.buildpacks.stack.id``;
  origin ``buildpacks``. The run image also becomes a ``Source``.
* History: each entry's ``comment`` (``buildkit.dockerfile.v0``, buildah's ``FROM …``), origin
  ``history``, detail ``entry N``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from reporter.model import Fact, Finding, FindingKind, ImageDescription, Source

from .common import Part, is_digest, parse_ref, text

__all__ = [
    "BUILDPACKS_BUILD",
    "BUILDPACKS_LIFECYCLE",
    "BUILDPACKS_STACK",
    "LAYER_ANNOTATIONS",
    "OCI_PREFIX",
    "annotation_facts",
    "buildpacks_part",
    "history_facts",
]

OCI_PREFIX = "org.opencontainers.image."
LABEL_SCHEMA_PREFIX = "org.label-schema."
LAYER_ANNOTATIONS = ("buildkit/rewritten-timestamp", "buildkit/rewritten-epoch")
BUILDPACKS_LIFECYCLE = "io.buildpacks.lifecycle.metadata"
BUILDPACKS_BUILD = "io.buildpacks.build.metadata"
BUILDPACKS_STACK = "io.buildpacks.stack.id"
_MAX_BUILDPACKS = 1000


def _oci_facts(
    annotations: Mapping[str, str], origin: str, detail: str, legacy: bool
) -> list[Fact]:
    facts = []
    for key in sorted(k for k in annotations if isinstance(k, str)):
        if key.startswith(OCI_PREFIX) or (legacy and key.startswith(LABEL_SCHEMA_PREFIX)):
            facts.append(Fact(key, text(annotations[key]), origin, detail))
    return facts


def annotation_facts(desc: ImageDescription) -> Part:
    """OCI annotations (index, descriptor, manifest), labels and BuildKit layer annotations."""
    facts: list[Fact] = []
    for index_digest, index_annotations in desc.target.index_annotations:
        facts.extend(
            _oci_facts(index_annotations, "annotation", f"index {index_digest}", legacy=False)
        )
    facts.extend(
        _oci_facts(desc.target.manifest.annotations, "annotation", "descriptor", legacy=False)
    )
    facts.extend(_oci_facts(desc.manifest_annotations, "annotation", "manifest", legacy=False))
    facts.extend(_oci_facts(desc.config.labels, "label", "config", legacy=True))
    for key in LAYER_ANNOTATIONS:
        by_value: dict[str, list[int]] = {}
        for layer in desc.layers:
            if key in layer.annotations:
                by_value.setdefault(text(layer.annotations[key]), []).append(layer.index)
        for value, indexes in sorted(by_value.items()):
            detail = "layers " + ",".join(str(i) for i in indexes)
            facts.append(Fact(key, value, "annotation", detail))
    part = buildpacks_part(desc.config.labels)
    return Part(
        facts=tuple(facts) + part.facts + history_facts(desc),
        sources=part.sources,
        findings=part.findings,
    )


def history_facts(desc: ImageDescription) -> tuple[Fact, ...]:
    return tuple(
        Fact("history.comment", text(entry.comment), "history", f"entry {n}")
        for n, entry in enumerate(desc.config.history)
        if entry.comment
    )


def _json_label(labels: Mapping[str, str], key: str, findings: list[Finding]) -> Mapping[str, Any]:
    raw = labels.get(key)
    if raw is None:
        return {}
    try:
        doc = orjson.loads(raw) if isinstance(raw, str) else None
    except orjson.JSONDecodeError:
        doc = None
    if not isinstance(doc, dict):
        findings.append(
            Finding(
                FindingKind.BAD_JSON,
                f"label {key} is not a JSON object",
                where=f"label {key}",
                severity="warning",
            )
        )
        return {}
    return doc


def _o(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def buildpacks_part(labels: Mapping[str, str]) -> Part:
    """Cloud Native Buildpacks labels → facts (origin ``buildpacks``) and the run image source."""
    facts: list[Fact] = []
    sources: list[Source] = []
    findings: list[Finding] = []

    def fact(key: str, value: object, detail: str) -> None:
        val = text(value)
        if val:
            facts.append(Fact(key, val, "buildpacks", detail))

    if BUILDPACKS_STACK in labels:
        fact("buildpacks.stack.id", labels[BUILDPACKS_STACK], BUILDPACKS_STACK)
    lifecycle = _json_label(labels, BUILDPACKS_LIFECYCLE, findings)
    if lifecycle:
        run = _o(lifecycle.get("runImage"))
        stack_run = _o(_o(lifecycle.get("stack")).get("runImage"))
        fact("buildpacks.run-image.top-layer", run.get("topLayer"), BUILDPACKS_LIFECYCLE)
        fact("buildpacks.run-image.reference", run.get("reference"), BUILDPACKS_LIFECYCLE)
        fact("buildpacks.run-image.image", run.get("image"), BUILDPACKS_LIFECYCLE)
        fact("buildpacks.stack.run-image", stack_run.get("image"), BUILDPACKS_LIFECYCLE)
        source = _run_image_source(
            text(run.get("reference")), text(run.get("image")) or text(stack_run.get("image"))
        )
        if source is not None:
            sources.append(source)
        _buildpacks(lifecycle.get("buildpacks"), "key", BUILDPACKS_LIFECYCLE, fact)
    build = _json_label(labels, BUILDPACKS_BUILD, findings)
    if build:
        _buildpacks(build.get("buildpacks"), "id", BUILDPACKS_BUILD, fact)
        fact(
            "buildpacks.launcher.version",
            _o(build.get("launcher")).get("version"),
            BUILDPACKS_BUILD,
        )
    return Part(facts=tuple(facts), sources=tuple(sources), findings=tuple(findings))


def _buildpacks(items: object, id_key: str, detail: str, fact: Any) -> None:
    if not isinstance(items, list):
        return
    for item in items[:_MAX_BUILDPACKS]:
        item = _o(item)
        ident = text(item.get(id_key))
        if ident:
            fact(f"buildpacks.buildpack:{ident}", item.get("version") or "(no version)", detail)


def _run_image_source(reference: str, image: str) -> Source | None:
    """The run image: ``reference`` is a digest reference or a bare digest / image id."""
    ref = parse_ref(reference) if reference and not is_digest(reference) else None
    named = parse_ref(image) if image else None
    if ref is not None:
        name = f"{ref.repository}:{ref.tag}" if ref.tag else ref.repository
        return Source("docker-image", name, ref.digest, "", "buildpacks", BUILDPACKS_LIFECYCLE)
    if named is not None:
        name = f"{named.repository}:{named.tag}" if named.tag else named.repository
        pin = reference if is_digest(reference) else named.digest
        return Source("docker-image", name, pin, "", "buildpacks", BUILDPACKS_LIFECYCLE)
    return None
