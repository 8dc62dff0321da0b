"""CycloneDX properties for attested vs observed: counts first, one property per disagreement."""

from __future__ import annotations

import dataclasses

from reporter.model import ImageReport, PackageDelta, Report
from reporter.provenance.sbom_compare import compare_sbom
from reporter.render.attested_props import attested_properties, sbom_compared
from tests.factory import image, pkg


def test_properties_follow_the_comparison(report: Report) -> None:
    amd64 = report.images[0]
    props = attested_properties(amd64)
    names = [name for name, _ in props]
    assert names[:3] == [
        "oci-reporter:attested:only-attested-count",
        "oci-reporter:attested:only-observed-count",
        "oci-reporter:attested:version-differs-count",
    ]
    counts = dict(props[:3])
    assert counts == {
        "oci-reporter:attested:only-attested-count": str(len(amd64.only_attested)),
        "oci-reporter:attested:only-observed-count": str(len(amd64.only_observed)),
        "oci-reporter:attested:version-differs-count": str(len(amd64.version_differs)),
    }
    # one property per delta, in the report's order, named by its purl
    assert [v for n, v in props if n == "oci-reporter:attested:only-attested"] == [
        d.purl for d in amd64.only_attested
    ]
    assert [v for n, v in props if n == "oci-reporter:attested:only-observed"] == [
        d.purl for d in amd64.only_observed
    ]
    differs = [v for n, v in props if n == "oci-reporter:attested:version-differs"]
    assert differs == [
        f"{d.purl} attested={d.attested_version} observed={d.observed_version}"
        for d in amd64.version_differs
    ]
    assert all(isinstance(v, str) for _, v in props)


def test_agreeing_sbom_gives_zero_counts_and_no_sbom_gives_nothing() -> None:
    packages = (pkg("deb", "bash", "5.2.15-2+b2"), pkg("npm", "left-pad", "1.3.0"))
    base = image(packages=packages)
    assert attested_properties(base) == []  # nothing attested: no claim of agreement
    attested = tuple((p.name, p.version, p.purl) for p in packages)
    agreeing = _with_sbom(base, attested)
    assert sbom_compared(agreeing)
    assert attested_properties(agreeing) == [
        ("oci-reporter:attested:only-attested-count", "0"),
        ("oci-reporter:attested:only-observed-count", "0"),
        ("oci-reporter:attested:version-differs-count", "0"),
    ]
    # attested packages but the catalog did not run (no packages, nothing compared)
    uncataloged = dataclasses.replace(_with_sbom(base, attested), packages=())
    uncataloged = dataclasses.replace(uncataloged, only_attested=(), only_observed=())
    assert not sbom_compared(uncataloged)
    assert attested_properties(uncataloged) == []


def test_delta_without_purl_is_named_by_type_and_name() -> None:
    delta = PackageDelta(name="busybox", type="apk", attested_version="1.36.1-r1")
    img = dataclasses.replace(
        _with_sbom(image(), (("busybox", "1.36.1-r1", ""),)), only_attested=(delta,)
    )
    assert ("oci-reporter:attested:only-attested", "apk/busybox@1.36.1-r1") in (
        attested_properties(img)
    )


def _with_sbom(img: ImageReport, attested: tuple[tuple[str, str, str], ...]) -> ImageReport:
    provenance = dataclasses.replace(img.provenance, attested_packages=attested)
    sbom = compare_sbom(attested, img.packages)
    return dataclasses.replace(
        img,
        provenance=provenance,
        only_attested=sbom.only_attested,
        only_observed=sbom.only_observed,
        version_differs=sbom.version_differs,
    )
