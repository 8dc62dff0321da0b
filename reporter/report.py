"""Assemble the Report: sort, dedupe, pick the timestamp; no formatting, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from reporter.model import (
    SEVERITIES,
    BaseImage,
    Distro,
    Finding,
    ImageDescription,
    ImageReport,
    Package,
    Provenance,
    Report,
)
from reporter.provenance.sbom_compare import Comparison

__all__ = ["assemble_image", "assemble_report", "report_timestamp"]


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
    count = base.layer_count
    if count is not None:
        layers = tuple(replace(layer, base=layer.index < count) for layer in desc.layers)
        desc = replace(desc, layers=layers)
        packages = [
            replace(p, base=p.layer_index is not None and p.layer_index < count) for p in packages
        ]
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
    for image in images:
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
