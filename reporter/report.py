"""Assemble the Report: sort, dedupe, pick the timestamp; no formatting, no I/O."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from reporter.model import (
    SEVERITIES,
    BaseImage,
    Distro,
    Evidence,
    Finding,
    ImageDescription,
    ImageReport,
    Package,
    Provenance,
    Report,
)
from reporter.provenance.baseimage import find_base
from reporter.provenance.sbom_compare import Comparison

__all__ = ["assemble_image", "assemble_report", "bases_within_input", "report_timestamp"]


def _finding_key(finding: Finding) -> tuple[int, str, str, str]:
    return (
        SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else 9,
        finding.kind,
        finding.where,
        finding.message,
    )


def sort_findings(findings: Sequence[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(dict.fromkeys(findings), key=_finding_key))


def _rfc3339(moment: datetime) -> str:
    # strftime's %Y drops leading zeros on glibc: buildpacks' reproducible "created" is year 1,
    # which must stay 0001-01-01T00:00:00Z (RFC 3339 wants four digits).
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


def report_timestamp(
    images: Sequence[ImageReport], source_date_epoch: int | None, now: datetime | None = None
) -> str:
    """When the report (and every SBOM of it) was made: SOURCE_DATE_EPOCH if set
    (reproducible-builds.org spec), else now.

    CycloneDX ``metadata.timestamp`` and SPDX ``created`` are the document's creation time
    (CycloneDX 1.6 §metadata, SPDX 2.3 §6.9); the image's own ``created`` stays on the image.
    """
    if source_date_epoch is not None:
        moment = datetime.fromtimestamp(source_date_epoch, tz=UTC)
        return _rfc3339(moment)
    return _rfc3339((now or datetime.now(UTC)).astimezone(UTC))


def _package_key(package: Package) -> tuple[tuple[str, str, str, str], tuple[str, ...]]:
    where = tuple(f"{loc.layer_index:05d}{loc.path}" for loc in package.locations)
    return (package.sort_key, where)


def _image_key(image: ImageReport) -> tuple[str, str, str]:
    return (str(image.platform), ",".join(image.refs), image.description.target.manifest.digest)


def _mark_base(
    desc: ImageDescription, packages: Sequence[Package], base: BaseImage
) -> tuple[ImageDescription, list[Package]]:
    count = base.layer_count
    if count is None:
        return desc, list(packages)
    layers = tuple(replace(layer, base=layer.index < count) for layer in desc.layers)
    marked = [
        replace(p, base=p.layer_index is not None and p.layer_index < count) for p in packages
    ]
    return replace(desc, layers=layers), marked


def _sound(desc: ImageDescription) -> bool:
    """Layers that may stand as a base: none absent, none whose diff_id was found wrong."""
    return all(layer.present and layer.diff_id_verified is not False for layer in desc.layers)


_CLAIMED_DIGEST = re.compile(r" at (sha256:[0-9a-f]{64})")


def _within(evidence: Evidence, present: set[str]) -> Evidence:
    # find_base words a layer-prefix match for images given with --base; here the candidate
    # is another image of the same input, and the page should say so.
    if evidence.kind == "layer-prefix" and evidence.origin == "candidate":
        return replace(
            evidence,
            detail=evidence.detail.replace("of supplied image", "of image", 1) + " in this input",
            origin="this input",
        )
    if evidence.kind == "annotation":
        detail = evidence.detail.replace("the supplied base", "the base in this input")
        claimed = _CLAIMED_DIGEST.search(detail)
        if claimed and claimed.group(1) not in present:
            detail = detail.replace(
                claimed.group(0), f"{claimed.group(0)} (a digest this input does not hold)", 1
            )
        return replace(evidence, detail=detail)
    return evidence


def bases_within_input(images: Sequence[ImageReport]) -> list[ImageReport]:
    """Look for each image's base among the other images of the same input.

    An OCI layout holding ``base`` and ``app`` (or a ``docker save`` of both) has the base right
    there: its diff_ids opening ours is a verified layer prefix (``high``), stronger than a
    base annotation naming a digest the input does not hold (buildah records the manifest
    digest in its own store; ``skopeo copy`` into a layout wrote another, see
    tests/realtools/test_multi_image.py). Only the same platform, and only images with no layer
    absent or found with a wrong diff_id, are candidates; a base already found from a prefix
    as long (``--base``) is kept.
    """
    present = {
        digest
        for image in images
        for digest in (image.description.target.manifest.digest, *image.description.target.parents)
    }
    out: list[ImageReport] = []
    for image in images:
        desc = image.description
        key = desc.platform.normalized()
        ours = desc.config.diff_ids
        # only proper prefixes can be a base: find_base (history, claims) runs only for those
        candidates = [
            other.description
            for other in images
            if other is not image
            and 0 < len(other.description.config.diff_ids) < len(ours)
            and ours[: len(other.description.config.diff_ids)] == other.description.config.diff_ids
            and other.description.platform.normalized() == key
            and _sound(other.description)
        ]
        found = find_base(desc, image.provenance, candidates) if candidates else None
        known = image.base.layer_count if image.base.confidence == "high" else None
        if (
            found is None
            or found.confidence != "high"
            or found.layer_count is None
            or (known is not None and known >= found.layer_count)
        ):
            out.append(image)
            continue
        base = replace(found, evidence=tuple(_within(e, present) for e in found.evidence))
        marked, packages = _mark_base(desc, image.packages, base)
        out.append(replace(image, description=marked, base=base, packages=tuple(packages)))
    return out


def assemble_image(
    desc: ImageDescription,
    provenance: Provenance,
    base: BaseImage,
    packages: Sequence[Package],
    findings: Sequence[Finding],
    distro: Distro | None,
    sbom: Comparison | None = None,
) -> ImageReport:
    """One image's report, its layers and packages marked base or added.

    The first ``base.layer_count`` layers are the base image's; a package is the base's when the
    layer that introduced it is. When the base is not known every mark stays ``None``.
    """
    desc, packages = _mark_base(desc, packages, base)
    sbom = sbom or Comparison()
    return ImageReport(
        desc,
        provenance,
        base,
        tuple(packages),
        tuple(findings),
        distro,
        only_attested=sbom.only_attested,
        only_observed=sbom.only_observed,
        version_differs=sbom.version_differs,
    )


def assemble_report(
    *,
    schema: str,
    tool_version: str,
    input_name: str,
    input_format: str,
    images: Sequence[ImageReport],
    findings: Sequence[Finding],
    source_date_epoch: int | None,
) -> Report:
    ordered = []
    for image in bases_within_input(images):
        packages = tuple(sorted(dict.fromkeys(image.packages), key=_package_key))
        ordered.append(replace(image, packages=packages, findings=sort_findings(image.findings)))
    ordered.sort(key=_image_key)
    return Report(
        schema=schema,
        tool_version=tool_version,
        input_name=input_name,
        input_format=input_format,
        generated=report_timestamp(ordered, source_date_epoch),
        images=tuple(ordered),
        findings=sort_findings(findings),
    )
