"""Attested vs observed as CycloneDX properties (issue 17): a pure function for the BOM writer.

``attested_properties(image)`` gives the ``(name, value)`` pairs to put on the image's
metadata component, counts first, then one property per package the attested SBOM and our scan
disagree on. CycloneDX allows a property name to repeat ("Unlike key-value stores, properties
support duplicate names, each potentially having different values", CycloneDX 1.6
``properties``), so each disagreement is its own property. Names are namespaced
``oci-reporter:attested:…`` as DESIGN.md asks for facts CycloneDX does not model.

Nothing is emitted for an image without a compared SBOM, so a BOM never claims "0 mismatches"
when there was nothing to compare.
"""

from __future__ import annotations

from reporter.model import ImageReport, PackageDelta

__all__ = ["PREFIX", "attested_properties", "sbom_compared"]

PREFIX = "oci-reporter:attested:"


def sbom_compared(image: ImageReport) -> bool:
    """Whether an attested SBOM was compared with our catalog.

    The pipeline compares only when the image attests packages and its layers were cataloged;
    a comparison with no package found puts every attested one in ``only_attested``, so
    attested packages with neither packages nor differences mean the catalog did not run.
    """
    return bool(image.provenance.attested_packages) and bool(
        image.packages or image.only_attested or image.only_observed or image.version_differs
    )


def _identity(delta: PackageDelta, version: str) -> str:
    # the purl names the package best; without one, type/name@version says the same in words
    if delta.purl:
        return delta.purl
    return f"{delta.type}/{delta.name}@{version}" if version else f"{delta.type}/{delta.name}"


def attested_properties(image: ImageReport) -> list[tuple[str, str]]:
    """``(name, value)`` pairs: ``…:only-attested-count`` / ``…:only-observed-count`` /
    ``…:version-differs-count``, then ``…:only-attested`` (the claimed package),
    ``…:only-observed`` (the package found) and ``…:version-differs``
    (``<package> attested=<v> observed=<v>``), each in the report's order."""
    if not sbom_compared(image):
        return []
    props = [
        (f"{PREFIX}only-attested-count", str(len(image.only_attested))),
        (f"{PREFIX}only-observed-count", str(len(image.only_observed))),
        (f"{PREFIX}version-differs-count", str(len(image.version_differs))),
    ]
    props += [
        (f"{PREFIX}only-attested", _identity(d, d.attested_version)) for d in image.only_attested
    ]
    props += [
        (f"{PREFIX}only-observed", _identity(d, d.observed_version)) for d in image.only_observed
    ]
    props += [
        (
            f"{PREFIX}version-differs",
            f"{_identity(d, '')} attested={d.attested_version} observed={d.observed_version}",
        )
        for d in image.version_differs
    ]
    return props
