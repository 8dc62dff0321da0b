"""CycloneDX 1.4–1.6 (JSON and XML) through cyclonedx-python-lib.

``report_to_boms`` is pure: a ``Report`` in, ``(platform, Bom)`` pairs out, one BOM per
platform image, or with ``index_root=True`` one BOM whose root is the image index and whose
components are every platform image and its packages.

Shape of a per-platform BOM:

* ``metadata.component``: the image, ``type: container``, ``version`` = manifest digest, purl
  ``pkg:oci/<name>@sha256:…?arch=…&repository_url=…`` when the name is known, hashes from the
  digest, labels / annotations / provenance / layers as ``oci-reporter:…`` properties, build
  sources as external references (http/https/git URLs only) plus properties, the base image as
  ``pedigree.ancestors`` with its evidence and confidence.
* ``components``: one per package with purl, licences, hashes where the ecosystem gave any,
  ``evidence.occurrences`` (1.5+) and the layer that introduced it as
  ``oci-reporter:layer:{index,digest,diff_id,base}`` properties.
* ``dependencies``: image → every package.

Reproducible: explicit bom-refs everywhere, serial number = UUID5 of the manifest (or index)
digest, timestamp = the Report's ``generated``; the library sorts collections itself.
The library models no ``formulation`` block, so build facts travel as namespaced properties.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import ClassVar
from urllib.parse import urlsplit

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentType, Pedigree
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.license import DisjunctiveLicense, License, LicenseExpression
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.spdx import fixup_id, is_expression
from packageurl import PackageURL

from reporter.errors import RenderError, UsageError
from reporter.model import BaseImage, ImageReport, Package, Provenance, Report
from reporter.render.common import (
    CYCLONEDX_SPEC_VERSIONS,
    DEFAULT_CYCLONEDX_SPEC_VERSION,
    generated_time,
    has_invalid,
    image_purl,
    image_repository,
    is_digest,
    known_hashes,
    parse_purl,
    parse_ref,
    sbom_text,
)
from reporter.render.inputname import sbom_input_name
from reporter.render.interface import Renderer

__all__ = [
    "SERIAL_NAMESPACE",
    "CycloneDXRenderer",
    "CycloneDXXMLRenderer",
    "report_to_boms",
    "serialize_bom",
]

# Namespace for UUID5 serial numbers: fixed forever, so the same digest always gets the same
# serial across versions of the tool.
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:oci-reporter:cyclonedx")
PROP = "oci-reporter"

_HASHES = {
    "md5": HashAlgorithm.MD5,
    "sha1": HashAlgorithm.SHA_1,
    "sha256": HashAlgorithm.SHA_256,
    "sha384": HashAlgorithm.SHA_384,
    "sha512": HashAlgorithm.SHA_512,
    "sha3-256": HashAlgorithm.SHA3_256,
    "sha3-512": HashAlgorithm.SHA3_512,
}


def _t(value: object) -> str:
    # XML 1.0 cannot carry most control characters at all; strip them from every string so the
    # JSON and XML forms of a BOM hold the same text (and terminal escapes never reach a consumer).
    return sbom_text(value, xml=True)


def _prop(name: str, value: object) -> Property:
    return Property(name=_t(f"{PROP}:{name}"), value=_t(value))


def _image_name(image: ImageReport, report: Report) -> str:
    parsed = image_repository(image)
    if parsed:
        return parsed[0]
    return _t(image.refs[0]) if image.refs else _t(sbom_input_name(report)) or "image"


# --------------------------------------------------------------------------- pieces


def _hashes(pairs: Iterable[tuple[str, str]]) -> list[HashType]:
    return [HashType(alg=_HASHES[a], content=v) for a, v in known_hashes(pairs, _HASHES)]


def _digest_hashes(digest: str) -> list[HashType]:
    algorithm, _, hexpart = digest.partition(":")
    return _hashes([(algorithm, hexpart)])


def _licenses(texts: Sequence[str]) -> list[License]:
    """One SPDX expression stays an expression; several licences become a list of id/name.

    CycloneDX allows either one ``expression`` or a list of ``license`` objects, never both.
    """
    texts = [_t(t).strip() for t in texts if _t(t).strip()]
    if len(texts) == 1 and fixup_id(texts[0]) is None and is_expression(texts[0]):
        return [LicenseExpression(texts[0])]
    licenses: list[License] = []
    for text in texts:
        spdx_id = fixup_id(text)
        licenses.append(
            DisjunctiveLicense(id=spdx_id) if spdx_id else DisjunctiveLicense(name=text)
        )
    return licenses


def _purl(text: str) -> PackageURL | None:
    return parse_purl(text, xml=True)


def _url(text: str) -> XsUri | None:
    """An external reference only for URLs a consumer can act on; anything else stays a property."""
    if not text or has_invalid(text, xml=True) or any(c.isspace() for c in text):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "git", "ssh", "git+https", "git+ssh"):
        return None
    if not parts.netloc:
        return None
    try:
        return XsUri(text)
    except Exception:  # the library rejects some percent-escapes and fragments
        return None


def _package_component(package: Package, ref: str) -> Component:
    properties = [_prop("package:type", package.type)]
    if package.cataloger:
        properties.append(_prop("cataloger", package.cataloger))
    if package.layer_index is not None:
        properties.append(_prop("layer:index", package.layer_index))
    if package.layer_digest:
        properties.append(_prop("layer:digest", package.layer_digest))
    if package.layer_diff_id:
        properties.append(_prop("layer:diff_id", package.layer_diff_id))
    if package.base is not None:
        properties.append(_prop("layer:base", str(package.base).lower()))
    for n, location in enumerate(package.locations):
        properties.append(_prop(f"location:{n}:path", location.path))
        properties.append(_prop(f"location:{n}:layer:index", location.layer_index))
        properties.append(_prop(f"location:{n}:layer:digest", location.layer_digest))
    for key, value in package.metadata:
        properties.append(_prop(f"metadata:{key}", value))
    if package.purl and _purl(package.purl) is None:
        properties.append(_prop("purl:unparsed", package.purl))
    occurrences = [
        Occurrence(bom_ref=f"{ref}#location-{n}", location=_t(location.path))
        for n, location in enumerate(package.locations)
        if _t(location.path)
    ]
    return Component(
        type=ComponentType.LIBRARY,
        name=_t(package.name) or "unknown",
        version=_t(package.version) or None,
        bom_ref=ref,
        purl=_purl(package.purl),
        licenses=_licenses(package.licenses),
        hashes=_hashes(package.hashes),
        properties=properties,
        evidence=ComponentEvidence(occurrences=occurrences) if occurrences else None,
    )


def _provenance_properties(provenance: Provenance) -> list[Property]:
    properties = []
    for key in (
        "builder_id",
        "build_type",
        "frontend",
        "vcs_source",
        "vcs_revision",
        "invocation_id",
        "started_on",
        "finished_on",
    ):
        value = getattr(provenance, key)
        if value:
            properties.append(_prop(f"provenance:{key}", value))
    if provenance.reproducible is not None:
        properties.append(_prop("provenance:reproducible", str(provenance.reproducible).lower()))
    for key, value in sorted(provenance.build_args.items()):
        properties.append(_prop(f"provenance:build-arg:{key}", value))
    for n, source in enumerate(provenance.sources):
        for field in ("type", "ref", "pin", "alias", "origin", "origin_detail"):
            value = getattr(source, field)
            if value:
                properties.append(_prop(f"source:{n}:{field}", value))
    for n, fact in enumerate(provenance.facts):
        properties.append(_prop(f"fact:{n}:{fact.key}", fact.value))
        properties.append(_prop(f"fact:{n}:origin", f"{fact.origin} {fact.origin_detail}".strip()))
    return properties


def _external_references(provenance: Provenance) -> list[ExternalReference]:
    references = []
    seen: set[str] = set()
    candidates = [(provenance.vcs_source, provenance.vcs_revision, "git")]
    candidates += [(s.ref, s.pin, s.type) for s in provenance.sources if s.type in ("git", "http")]
    for text, pin, kind in candidates:
        url = _url(text)
        if url is None or text in seen:
            continue
        seen.add(text)
        kind_of = ExternalReferenceType.VCS if kind == "git" else ExternalReferenceType.DISTRIBUTION
        references.append(
            ExternalReference(
                type=kind_of,
                url=url,
                comment=_t(f"build source, pinned at {pin}" if pin else "build source, not pinned"),
            )
        )
    return references


def _base_component(base: BaseImage, prefix: str) -> Component | None:
    if not (base.name or base.digest):
        return None
    parsed = parse_ref(base.name) if base.name else None
    purl = None
    if parsed and is_digest(base.digest):
        qualifiers = {"repository_url": parsed[0]} | ({"tag": parsed[1]} if parsed[1] else {})
        purl = PackageURL(
            type="oci",
            name=parsed[0].rsplit("/", 1)[-1],
            version=base.digest,
            qualifiers=qualifiers,
        )
    properties = [_prop("base:confidence", base.confidence)]
    if base.layer_count is not None:
        properties.append(_prop("base:layer_count", base.layer_count))
    if base.note:
        properties.append(_prop("base:note", base.note))
    for n, evidence in enumerate(base.evidence):
        properties.append(_prop(f"base:evidence:{n}:kind", evidence.kind))
        properties.append(_prop(f"base:evidence:{n}:detail", evidence.detail))
        if evidence.origin:
            properties.append(_prop(f"base:evidence:{n}:origin", evidence.origin))
    return Component(
        type=ComponentType.CONTAINER,
        name=_t(base.name) or "unknown",
        version=_t(base.digest) or None,
        bom_ref=_t(f"{prefix}base:{base.digest or base.name}"),
        purl=purl,
        hashes=_digest_hashes(base.digest),
        properties=properties,
    )


def _integrity_ok(report: Report, image: ImageReport) -> bool:
    findings = (*report.findings, *image.description.findings, *image.findings)
    return not any(f.integrity for f in findings)


def _image_component(image: ImageReport, report: Report, ref: str, prefix: str = "") -> Component:
    """The image as a container component; ``prefix`` keeps bom-refs unique in an index BOM."""
    description = image.description
    config = description.config
    properties = [
        _prop("image:platform", image.platform),
        _prop("image:manifest:media_type", description.manifest_media_type),
        _prop("image:config:digest", config.digest),
        _prop("image:integrity", "ok" if _integrity_ok(report, image) else "failed"),
    ]
    if config.created:
        properties.append(_prop("image:created", config.created))
    properties.extend(_prop("image:ref", r) for r in image.refs)
    properties.extend(_prop(f"label:{k}", v) for k, v in sorted(config.labels.items()))
    properties.extend(
        _prop(f"annotation:{k}", v) for k, v in sorted(description.manifest_annotations.items())
    )
    for layer in description.layers:
        properties.append(_prop(f"layer:{layer.index}:digest", layer.digest))
        if layer.diff_id:
            properties.append(_prop(f"layer:{layer.index}:diff_id", layer.diff_id))
        properties.append(_prop(f"layer:{layer.index}:size", layer.size))
        if layer.base is not None:
            properties.append(_prop(f"layer:{layer.index}:base", str(layer.base).lower()))
    properties.extend(_provenance_properties(image.provenance))
    base = _base_component(image.base, prefix)
    vendor = config.labels.get("org.opencontainers.image.vendor", "")
    return Component(
        type=ComponentType.CONTAINER,
        name=_image_name(image, report),
        version=_t(description.target.manifest.digest),
        bom_ref=ref,
        purl=image_purl(image),
        hashes=_digest_hashes(description.target.manifest.digest),
        supplier=OrganizationalEntity(name=_t(vendor)) if _t(vendor).strip() else None,
        properties=properties,
        external_references=_external_references(image.provenance),
        pedigree=Pedigree(ancestors=[base]) if base else None,
    )


def _package_refs(image: ImageReport, prefix: str) -> list[tuple[str, Package]]:
    refs: list[tuple[str, Package]] = []
    used: set[str] = set()
    for package in image.packages:
        stem = (
            _t(package.purl)
            if _purl(package.purl)
            else _t(f"{package.type}:{package.name}@{package.version}")
        )
        ref, n = f"{prefix}{stem}", 1
        while ref in used:
            n += 1
            ref = f"{prefix}{stem}#{n}"
        used.add(ref)
        refs.append((ref, package))
    return refs


def _new_bom(report: Report, serial_of: str) -> Bom:
    bom = Bom(serial_number=uuid.uuid5(SERIAL_NAMESPACE, serial_of))
    bom.metadata.timestamp = generated_time(report.generated)
    bom.metadata.tools.components.add(
        Component(
            type=ComponentType.APPLICATION,
            name="oci-reporter",
            version=_t(report.tool_version),
            bom_ref=f"tool:oci-reporter@{_t(report.tool_version)}",
        )
    )
    return bom


def _platform_bom(report: Report, image: ImageReport) -> Bom:
    digest = image.description.target.manifest.digest
    bom = _new_bom(report, digest)
    root = _image_component(image, report, _t(f"image:{digest}"))
    bom.metadata.component = root
    components = [_package_component(p, ref) for ref, p in _package_refs(image, "")]
    bom.components.update(components)
    bom.register_dependency(root, components)
    for component in components:
        bom.register_dependency(component)
    return bom


def _index_bom(report: Report) -> Bom:
    parents = {
        image.description.target.parents[0]
        for image in report.images
        if image.description.target.parents
    }
    digests = sorted(image.description.target.manifest.digest for image in report.images)
    index_digest = parents.pop() if len(parents) == 1 else ""
    bom = _new_bom(report, index_digest or "\n".join(digests))
    names = sorted({_image_name(image, report) for image in report.images})
    root = Component(
        type=ComponentType.CONTAINER,
        name=names[0] if names else _t(sbom_input_name(report)) or "image",
        version=_t(index_digest) or None,
        bom_ref=_t(f"index:{index_digest or sbom_input_name(report)}"),
        hashes=_digest_hashes(index_digest),
        properties=[
            _prop("input:format", report.input_format),
            _prop("image:integrity", "ok" if report.integrity_ok else "failed"),
        ],
    )
    bom.metadata.component = root
    image_components = []
    for image in report.images:
        digest = image.description.target.manifest.digest
        prefix = _t(f"{image.platform}|")
        image_component = _image_component(
            image, report, _t(f"image:{image.platform}|{digest}"), prefix
        )
        packages = [_package_component(p, ref) for ref, p in _package_refs(image, prefix)]
        bom.components.add(image_component)
        bom.components.update(packages)
        bom.register_dependency(image_component, packages)
        for component in packages:
            bom.register_dependency(component)
        image_components.append(image_component)
    bom.register_dependency(root, image_components)
    return bom


def report_to_boms(report: Report, *, index_root: bool = False) -> list[tuple[str, Bom]]:
    """Pure: one ``(platform, Bom)`` per image, or ``[("index", Bom)]`` with ``index_root``.

    The spec version is a serialisation choice (``serialize_bom``); the model is the same.
    """
    if index_root:
        return [("index", _index_bom(report))]
    return [(str(image.platform), _platform_bom(report, image)) for image in report.images]


def _schema_version(spec_version: str) -> SchemaVersion:
    if spec_version not in CYCLONEDX_SPEC_VERSIONS:
        raise UsageError(
            f"unsupported CycloneDX spec version {spec_version!r}; choose one of "
            + ", ".join(CYCLONEDX_SPEC_VERSIONS)
        )
    return SchemaVersion.from_version(spec_version)


def serialize_bom(
    bom: Bom, *, spec_version: str = DEFAULT_CYCLONEDX_SPEC_VERSION, xml: bool = False
) -> bytes:
    """The BOM as CycloneDX JSON or XML of the given spec version, newline-terminated."""
    schema = _schema_version(spec_version)
    outputter = make_outputter(bom, OutputFormat.XML if xml else OutputFormat.JSON, schema)
    try:
        text = outputter.output_as_string(indent=2)
    except Exception as exc:  # the library raises assorted types for model problems
        raise RenderError(f"cannot serialise CycloneDX {spec_version}: {exc}") from exc
    return text.encode("utf-8") + (b"" if text.endswith("\n") else b"\n")


class CycloneDXRenderer(Renderer):
    """``cyclonedx-json``; one BOM per platform image unless ``index_root``."""

    name: ClassVar[str] = "cyclonedx-json"
    suffix: ClassVar[str] = ".cdx.json"
    media_type: ClassVar[str] = "application/vnd.cyclonedx+json"
    xml: ClassVar[bool] = False

    def __init__(
        self, *, spec_version: str = DEFAULT_CYCLONEDX_SPEC_VERSION, index_root: bool = False
    ) -> None:
        _schema_version(spec_version)  # fail at construction, before any work
        self.spec_version = spec_version
        self.index_root = index_root

    def _serialize(self, bom: Bom) -> bytes:
        return serialize_bom(bom, spec_version=self.spec_version, xml=self.xml)

    def render(self, report: Report) -> bytes:
        if not self.index_root and len(report.images) > 1:
            # A CycloneDX document has one metadata.component; silently picking one platform,
            # or silently switching to an index-rooted BOM, would both surprise.
            raise UsageError(
                f"{self.name} describes one image per BOM and the input has "
                f"{len(report.images)} platforms: write one file per platform with --output-dir, "
                "choose one with --platform, or ask for one BOM rooted at the index"
            )
        return self._serialize(report_to_boms(report, index_root=self.index_root)[0][1])

    def render_per_platform(self, report: Report) -> list[tuple[str, bytes]]:
        return [
            (key, self._serialize(bom))
            for key, bom in report_to_boms(report, index_root=self.index_root)
        ]


class CycloneDXXMLRenderer(CycloneDXRenderer):
    """``cyclonedx-xml``: the same BOMs as XML."""

    name: ClassVar[str] = "cyclonedx-xml"
    suffix: ClassVar[str] = ".cdx.xml"
    media_type: ClassVar[str] = "application/vnd.cyclonedx+xml"
    xml: ClassVar[bool] = True
