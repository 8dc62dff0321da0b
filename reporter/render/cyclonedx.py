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

import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar
from urllib.parse import urlsplit
from xml.sax.saxutils import quoteattr

import orjson
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
from cyclonedx.model.contact import OrganizationalContact, OrganizationalEntity
from cyclonedx.model.license import DisjunctiveLicense, License, LicenseExpression
from cyclonedx.model.lifecycle import LifecyclePhase, PredefinedLifecycle
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.spdx import fixup_id
from packageurl import PackageURL

from reporter.catalog.dependencies import ECOSYSTEMS
from reporter.errors import RenderError, UsageError
from reporter.model import BaseImage, ImageReport, Package, Provenance, Report
from reporter.render.attested_props import attested_properties
from reporter.render.common import (
    CYCLONEDX_SPEC_VERSIONS,
    DEFAULT_CYCLONEDX_SPEC_VERSION,
    DISTRO_FIELDS,
    content_uuid,
    distro_field,
    generated_time,
    has_invalid,
    image_purl,
    image_repository,
    is_digest,
    known_hashes,
    parse_purl,
    parse_ref,
    person,
    sbom_text,
    spdx_expression,
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
    # Only a valid SPDX expression of listed ids is an ``expression`` (CycloneDX 1.6
    # §licenses: "A valid SPDX license expression"); "GPL" or "BSD License" go to ``name``.
    if len(texts) == 1 and fixup_id(texts[0]) is None and (expr := spdx_expression(texts[0])):
        return [LicenseExpression(expr)]
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


_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+")


def _contact(text: str) -> OrganizationalContact | None:
    name, email = person(_t(text))
    email = email if _EMAIL.fullmatch(email) else ""
    if not (name or email):
        return None
    return OrganizationalContact(name=name or None, email=email or None)


def _supplier(text: str) -> OrganizationalEntity | None:
    """A package's distributor (dpkg Maintainer, rpm Vendor, apk maintainer) as an entity."""
    contact = _contact(text)
    if contact is None:
        return None
    return OrganizationalEntity(name=contact.name or contact.email, contacts=[contact])


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
    # CycloneDX has one ``cpe`` per component; the other candidates travel as properties,
    # as syft's ``syft:cpe23`` do.
    properties.extend(_prop("cpe23", cpe) for cpe in package.cpes[1:])
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
        cpe=_t(package.cpes[0]) if package.cpes else None,
        supplier=_supplier(package.supplier),
        publisher=_t(package.supplier) or None,
        # ``authors`` is CycloneDX 1.6+; the deprecated ``author`` text is not written (the
        # library warns on it), so 1.4/1.5 BOMs carry no package authors
        authors=[c for c in map(_contact, package.authors) if c],
    )


def _os_component(image: ImageReport, prefix: str = "") -> Component | None:
    """The distro as ``type: operating-system``, name = os-release ID, version = VERSION_ID.

    What trivy reads for the OS family and version (and syft writes); without it a scanner
    cannot pick distro advisories for the packages.
    """
    distro = image.distro
    name = _t(distro_field(distro, "id"))
    version = _t(distro_field(distro, "version_id"))
    if not name:
        return None
    properties = [
        _prop(f"distro:{key}", value)
        for key in DISTRO_FIELDS
        if (value := distro_field(distro, key)) and key not in ("id", "version_id")
    ]
    return Component(
        type=ComponentType.OPERATING_SYSTEM,
        name=name,
        version=version or None,
        bom_ref=_t(f"{prefix}os:{name}@{version}"),
        description=_t(distro_field(distro, "pretty_name")) or None,
        properties=properties,
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
    # attested SBOM vs our scan (issue 17); the names already carry ``oci-reporter:attested:``
    properties.extend(Property(name=_t(k), value=_t(v)) for k, v in attested_properties(image))
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


def _stem(package: Package) -> str:
    # the text of ``reporter.catalog.dependencies.package_id``, when the purl is usable
    return (
        _t(package.purl)
        if _purl(package.purl)
        else _t(f"{package.type}:{package.name}@{package.version}")
    )


def _package_refs(image: ImageReport, prefix: str) -> list[tuple[str, Package]]:
    refs: list[tuple[str, Package]] = []
    used: set[str] = set()
    for package in image.packages:
        stem = _stem(package)
        ref, n = f"{prefix}{stem}", 1
        while ref in used:
            n += 1
            ref = f"{prefix}{stem}#{n}"
        used.add(ref)
        refs.append((ref, package))
    return refs


def _new_bom(report: Report, *content: object) -> Bom:
    """Serial = UUID5 of the BOM's inputs (``content_uuid``): one per content, reproducible."""
    bom = Bom(
        serial_number=content_uuid(
            SERIAL_NAMESPACE,
            report.tool_version,
            report.generated,
            report.sbom_author,
            report.sbom_supplier,
            *content,
        )
    )
    bom.metadata.timestamp = generated_time(report.generated)
    bom.metadata.tools.components.add(
        Component(
            type=ComponentType.APPLICATION,
            name="oci-reporter",
            version=_t(report.tool_version),
            bom_ref=f"tool:oci-reporter@{_t(report.tool_version)}",
            supplier=OrganizationalEntity(name="oci-reporter"),
            publisher="oci-reporter",
        )
    )
    # the SBOM was made from a built image: post-build (CycloneDX 1.5 §metadata.lifecycles)
    bom.metadata.lifecycles = [PredefinedLifecycle(LifecyclePhase.POST_BUILD)]
    author = _contact(report.sbom_author) if report.sbom_author else None
    if author is not None:
        bom.metadata.authors = [author]
    supplier = _supplier(report.sbom_supplier) if report.sbom_supplier else None
    if supplier is not None:
        bom.metadata.supplier = supplier
    return bom


def _register_packages(
    bom: Bom, parent: Component, image: ImageReport, prefix: str
) -> list[Component]:
    """The image's OS and packages as components; parent → each, package → what it needs."""
    pairs = _package_refs(image, prefix)
    components = [_package_component(p, ref) for ref, p in pairs]
    os_component = _os_component(image, prefix)
    children = [*components, *([os_component] if os_component else [])]
    bom.components.update(children)
    bom.register_dependency(parent, children)
    by_stem: dict[str, Component] = {}
    for (_, package), component in zip(pairs, components, strict=True):
        by_stem.setdefault(_stem(package), component)
    for (_, package), component in zip(pairs, components, strict=True):
        needed = [by_stem[d] for d in package.depends_on if d in by_stem]
        bom.register_dependency(component, [n for n in needed if n is not component])
    if os_component is not None:
        bom.register_dependency(os_component)
    return components


def _platform_bom(report: Report, image: ImageReport) -> Bom:
    digest = image.description.target.manifest.digest
    bom = _new_bom(report, image)
    root = _image_component(image, report, _t(f"image:{digest}"))
    bom.metadata.component = root
    _register_packages(bom, root, image, "")
    return bom


def _index_bom(report: Report) -> Bom:
    parents = {
        image.description.target.parents[0]
        for image in report.images
        if image.description.target.parents
    }
    digests = sorted(image.description.target.manifest.digest for image in report.images)
    index_digest = parents.pop() if len(parents) == 1 else ""
    bom = _new_bom(report, index_digest or "\n".join(digests), report.images)
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
        bom.components.add(image_component)
        _register_packages(bom, image_component, image, prefix)
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


# Ecosystems whose declared requirements ``reporter.catalog.dependencies`` resolves.
_GRAPH_TYPES = frozenset(ECOSYSTEMS)


def _compositions(bom: Bom) -> list[dict[str, Any]]:
    """How complete the BOM says it is (CycloneDX 1.3+ ``compositions``), never more than known.

    * the assembly (what the image contains) is ``incomplete``: a file no cataloger reads
      (a vendored binary, a static library) is not a component;
    * the dependencies of packages from a graph ecosystem (dpkg, rpm, apk, Python, npm) are
      ``incomplete``: declared requirements are resolved within the image, and one that
      nothing installed provides (or that names a file) has no edge;
    * the dependencies of every other package are ``unknown``: nothing was read about them.

    cyclonedx-python-lib models no compositions, so they are added to the serialised BOM.
    """
    root = bom.metadata.component
    graph: list[str] = []
    other: list[str] = []
    for component in bom.components:
        types = [p.value for p in component.properties if p.name == f"{PROP}:package:type"]
        if not types:
            continue
        (graph if types[0] in _GRAPH_TYPES else other).append(str(component.bom_ref))
    out: list[dict[str, Any]] = []
    if root is not None:
        out.append({"aggregate": "incomplete", "assemblies": [str(root.bom_ref)]})
    if graph:
        out.append({"aggregate": "incomplete", "dependencies": sorted(graph)})
    if other:
        out.append({"aggregate": "unknown", "dependencies": sorted(other)})
    return out


def _with_compositions(text: str, compositions: list[dict[str, Any]], xml: bool) -> str:
    if not compositions:
        return text
    if not xml:
        document = orjson.loads(text)
        document["compositions"] = compositions
        return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode("utf-8")
    parts = ["<compositions>"]
    for composition in compositions:
        parts.append(f"<composition><aggregate>{composition['aggregate']}</aggregate>")
        for group, item in (("assemblies", "assembly"), ("dependencies", "dependency")):
            if group in composition:
                refs = "".join(f"<{item} ref={quoteattr(r)}/>" for r in composition[group])
                parts.append(f"<{group}>{refs}</{group}>")
        parts.append("</composition>")
    parts.append("</compositions>")
    # bom-level order (bom-1.x.xsd): ... dependencies, compositions, properties ...; only the
    # bom has a <dependencies> element, and text content is escaped, so the last closing tag
    # is the bom's.
    marker = "</dependencies>"
    at = text.rfind(marker)
    if at == -1:
        return text
    at += len(marker)
    return text[:at] + "".join(parts) + text[at:]


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
    text = _with_compositions(text, _compositions(bom), xml)
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
