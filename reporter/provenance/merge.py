"""One ``Provenance`` per image from every source, each fact keeping its origin.

Sources, strongest first (used to fill the scalar fields when several speak):
``attestation`` > ``metadata-file`` > ``config-buildinfo`` > ``annotation`` > ``label`` >
``buildpacks`` > ``history``. Nothing is silently picked when sources disagree: every single-valued
key (``frontend``, ``vcs.revision``, ``org.opencontainers.image.version``, …) with different values
from different places is a ``provenance-conflict`` warning, and so is a
``org.opencontainers.image.base.digest`` that differs from the digest a buildinfo source or a
provenance material pins for the same image name.

``vcs_source`` / ``vcs_revision`` fall back to ``org.opencontainers.image.source`` / ``.revision``
(annotations first, then labels) when no build system states them. A label this image inherited
from its base (``labels.inherited_labels``) is the base's claim: it is kept as a fact marked
``inherited``, fills no scalar field (the ``inherited_vcs_*`` fields say what the base claimed)
and is in no conflict.

Per-image layer lists BuildKit recorded for docker-image inputs (mode=max provenance) are kept as
facts ``material-layers:<ref>`` (value: comma-separated layer digests) for ``baseimage``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from reporter.model import (
    AttestationRef,
    Descriptor,
    Fact,
    Finding,
    FindingKind,
    ImageDescription,
    Provenance,
    Source,
)

from . import attestations, buildinfo
from .annotations import annotation_facts
from .common import Part, is_digest, parse_ref
from .labels import inherited_labels, mark_inherited
from .metadata_file import MetadataEntry
from .trust import check_layer

if TYPE_CHECKING:
    from .signatures import TrustedKey

__all__ = ["ORIGIN_RANK", "build_provenance", "metadata_part"]

ORIGIN_RANK = {
    "attestation": 0,
    "metadata-file": 1,
    "build-record": 1,
    "config-buildinfo": 2,
    "annotation": 3,
    "label": 4,
    "buildpacks": 5,
    "history": 6,
}
_DETAIL_RANK = {"manifest": 0, "descriptor": 1}
# keys that legitimately carry several values
_MULTI_PREFIXES = (
    "history.",
    "buildkit/",
    "frontend-attr:",
    "dep:",
    "sbom.",
    "material-layers:",
    "image.name",
    "attestation.",
)
_MULTI_KEYS = {"org.opencontainers.image.ref.name"}


def _rank(fact: Fact) -> tuple[int, int, str, str]:
    detail_rank = _DETAIL_RANK.get(fact.origin_detail, 2)
    return (ORIGIN_RANK.get(fact.origin, 9), detail_rank, fact.origin_detail, fact.value)


def metadata_part(entry: MetadataEntry, desc: ImageDescription) -> Part:
    """What one metadata-file entry says about the image it was matched to."""
    origin, detail = entry.origin, entry.where
    facts = [Fact("image.name", name, origin, detail) for name in entry.image_names]
    if entry.build_ref:
        facts.append(Fact("buildx.build.ref", entry.build_ref, origin, detail))
    parts: list[Part] = [Part(facts=tuple(facts), findings=entry.findings)]
    platform = str(desc.platform)
    key = platform if platform in entry.buildinfo else ("" if "" in entry.buildinfo else None)
    if key is not None:
        label = f"containerimage.buildinfo/{key}" if key else "containerimage.buildinfo"
        parts.append(
            buildinfo.read_buildinfo(
                entry.buildinfo[key], origin, f"{detail} {label}", f"{detail} {label}"
            )
        )
    if entry.provenance:
        ptype = (
            attestations.SLSA_V1 if "buildDefinition" in entry.provenance else attestations.SLSA_V02
        )
        where = f"{detail} buildx.build.provenance"
        parts.append(attestations.read_slsa(entry.provenance, ptype, origin, detail, where))
    return _combine(parts)


def _combine(parts: Sequence[Part]) -> Part:
    build_args: dict[str, str] = {}
    for part in parts:
        build_args.update(part.build_args)
    return Part(
        facts=tuple(f for p in parts for f in p.facts),
        sources=tuple(s for p in parts for s in p.sources),
        build_args=build_args,
        packages=tuple(x for p in parts for x in p.packages),
        findings=tuple(f for p in parts for f in p.findings),
    )


def build_provenance(
    desc: ImageDescription,
    attestation_blobs: Sequence[tuple[AttestationRef, Descriptor, bytes]],
    metadata_entries: Sequence[MetadataEntry],
    trusted_keys: Sequence[TrustedKey] = (),
    bases: Sequence[ImageDescription] = (),
) -> Provenance:
    """``bases``: images that may be this one's base (``--base``, the same input's others)."""
    parts: list[Part] = [annotation_facts(desc), buildinfo.from_config(desc.config)]
    checks = []
    for ref, layer, data in attestation_blobs:
        checked = check_layer(ref, layer, data, desc.target.manifest.digest, trusted_keys)
        checks.append(checked)
        parts.append(Part(findings=checked.findings))
        if checked.read_claims:  # an invalid signature's claims are never used (issue 17)
            parts.append(
                attestations.read_attestation(ref, layer, data, desc.target.manifest.digest)
            )
    parts.extend(metadata_part(entry, desc) for entry in metadata_entries)
    # build args: weakest first so the strongest source wins
    ordered = sorted(
        parts,
        key=lambda p: -min((ORIGIN_RANK.get(f.origin, 9) for f in p.facts), default=9),
    )
    merged = _combine(ordered)
    inherited = inherited_labels(desc, bases)
    facts = mark_inherited(tuple(sorted(set(merged.facts), key=_fact_order)), inherited)
    own_facts = [f for f in facts if not f.inherited]
    sources = tuple(
        sorted(
            set(merged.sources),
            key=lambda s: (s.type, s.ref, s.pin, s.alias, s.origin, s.origin_detail),
        )
    )
    best = _best(own_facts)
    base_said = _best([f for f in facts if f.inherited])
    reproducible = best.get("reproducible")
    findings = merged.findings + _conflicts(own_facts) + _base_conflicts(own_facts, sources)
    return Provenance(
        facts=facts,
        sources=sources,
        builder_id=best.get("builder.id", ""),
        build_type=best.get("build.type", ""),
        frontend=best.get("frontend", ""),
        build_args=dict(sorted(merged.build_args.items())),
        vcs_source=best.get("vcs.source") or best.get("org.opencontainers.image.source", ""),
        vcs_revision=best.get("vcs.revision") or best.get("org.opencontainers.image.revision", ""),
        inherited_vcs_source=base_said.get("org.opencontainers.image.source", ""),
        inherited_vcs_revision=base_said.get("org.opencontainers.image.revision", ""),
        inherited_labels=tuple(sorted(inherited)),
        invocation_id=best.get("invocation.id", ""),
        started_on=best.get("started_on", ""),
        finished_on=best.get("finished_on", ""),
        reproducible=None if reproducible is None else reproducible == "true",
        attested_packages=tuple(sorted(set(merged.packages))),
        findings=findings,
        attestations=tuple(c.check for c in checks),
        verification_summaries=tuple(c.summary for c in checks if c.summary is not None),
    )


def _fact_order(fact: Fact) -> tuple[object, ...]:
    """By key, then strength of origin; ``entry 2`` before ``entry 10`` in keys and details."""
    origin, detail_rank, detail, value = _rank(fact)
    return (_natural(fact.key), fact.key, origin, detail_rank, _natural(detail), detail, value)


def _natural(key: str) -> tuple[tuple[int, str], ...]:
    """``material.2`` before ``material.10``: digit runs compare as numbers (issue 12, item 11)."""
    return tuple(
        (int(part), "") if i % 2 else (-1, part) for i, part in enumerate(_DIGITS.split(key))
    )


_DIGITS = re.compile(r"(\d+)")


def _best(facts: Sequence[Fact]) -> dict[str, str]:
    """Per key, the value from the strongest origin (facts are sorted by key, then rank)."""
    best: dict[str, str] = {}
    for fact in facts:
        if fact.value:
            best.setdefault(fact.key, fact.value)
    return best


def _single_valued(key: str) -> bool:
    return key not in _MULTI_KEYS and not key.startswith(_MULTI_PREFIXES)


def _conflicts(facts: Sequence[Fact]) -> tuple[Finding, ...]:
    by_key: dict[str, list[Fact]] = {}
    for fact in facts:
        if _single_valued(fact.key):
            by_key.setdefault(fact.key, []).append(fact)
    findings = []
    for key, group in sorted(by_key.items()):
        values = sorted({f.value for f in group})
        places = {(f.origin, f.origin_detail) for f in group}
        if len(values) < 2 or len(places) < 2:
            continue
        said = "; ".join(
            f"{f.value!r} ({f.origin} {f.origin_detail})".replace("  ", " ") for f in group
        )
        findings.append(
            Finding(
                FindingKind.PROVENANCE_CONFLICT,
                f"sources disagree on {key}: {said}",
                where=key,
                severity="warning",
                expected=group[0].value,
                actual=", ".join(v for v in values if v != group[0].value),
            )
        )
    return tuple(findings)


def _base_conflicts(facts: Sequence[Fact], sources: Sequence[Source]) -> tuple[Finding, ...]:
    """Base annotation / label digest vs the pin of a build input with the same image name."""
    names: dict[tuple[str, str], str] = {}
    digests: dict[tuple[str, str], str] = {}
    for fact in facts:
        place = (fact.origin, fact.origin_detail)
        if fact.key == "org.opencontainers.image.base.name":
            names[place] = fact.value
        elif fact.key == "org.opencontainers.image.base.digest":
            digests[place] = fact.value
    findings = []
    for place, name in sorted(names.items()):
        ref = parse_ref(name)
        base_digest = digests.get(place) or (ref.digest if ref else "")
        if ref is None or not is_digest(base_digest):
            continue
        for source in sources:
            if source.type != "docker-image" or source.origin in (
                "annotation",
                "label",
                "buildpacks",
            ):
                continue
            other = parse_ref(source.ref)
            pin = source.pin if is_digest(source.pin) else (other.digest if other else "")
            if other is None or not pin or not ref.same_image(other) or pin == base_digest:
                continue
            findings.append(
                Finding(
                    FindingKind.PROVENANCE_CONFLICT,
                    f"{place[0]} {place[1]} says base {name} is {base_digest}, "
                    f"{source.origin} {source.origin_detail} pins {source.ref} to {pin}",
                    where="org.opencontainers.image.base.digest",
                    severity="warning",
                    expected=base_digest,
                    actual=pin,
                )
            )
    return tuple(findings)
