"""CycloneDX 1.4–1.7 (XML, and JSON as the oracle) through cyclonedx-python-lib.

``--format cyclonedx-json`` is written by ``reporter.render.cyclonedx_json`` without this
library (issue 16: building and serialising its model was most of a run's time on large
images); the bytes are the same, which ``tests/render/test_cyclonedx_json.py`` checks against
this module on every fixture. This module writes XML, and JSON where two bom-refs clash.
What goes into a BOM (properties, refs, references) is shared: ``cyclonedx_facts``.

``report_to_boms`` is pure: a ``Report`` in, ``(platform, Bom)`` pairs out, one BOM per
platform image, or with ``index_root=True`` one BOM whose root is the image index and whose
components are every platform image and its packages.

Shape of a per-platform BOM:

* ``metadata.component``: the image, ``type: container``, ``version`` = manifest digest, purl
  ``pkg:oci/<name>@sha256:…?arch=…&repository_url=…`` when the name is known, hashes from the
  digest, labels / annotations / provenance / layers / the image index it was reached through
  (``image:index:N:digest``) / attested-vs-observed as ``oci-reporter:…`` properties, build
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

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, ClassVar
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
from cyclonedx.model.component_evidence import (
    AnalysisTechnique,
    ComponentEvidence,
    Identity,
    IdentityField,
    Method,
    Occurrence,
)
from cyclonedx.model.contact import OrganizationalContact, OrganizationalEntity
from cyclonedx.model.license import DisjunctiveLicense, License, LicenseExpression
from cyclonedx.model.lifecycle import LifecyclePhase, PredefinedLifecycle
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.spdx import fixup_id

from reporter.errors import RenderError, UsageError
from reporter.model import BaseImage, ImageReport, Package, Provenance, Report
from reporter.render.common import (
    CYCLONEDX_SPEC_VERSIONS,
    DEFAULT_CYCLONEDX_SPEC_VERSION,
    distro_field,
    generated_time,
    image_purl,
    known_hashes,
    own_label,
    spdx_expression,
)
from reporter.render.cyclonedx_facts import (
    PROP,
    SERIAL_NAMESPACE,
    base_properties,
    base_purl,
    compositions,
    contact_parts,
    declared_identity,
    external_references,
    image_name,
    image_properties,
    index_digest,
    index_properties,
    index_purl,
    occurrences,
    os_properties,
    package_properties,
    package_refs,
    purl_of,
    serial,
    stem,
    text,
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

_HASHES = {
    "md5": HashAlgorithm.MD5,
    "sha1": HashAlgorithm.SHA_1,
    "sha256": HashAlgorithm.SHA_256,
    "sha384": HashAlgorithm.SHA_384,
    "sha512": HashAlgorithm.SHA_512,
    "sha3-256": HashAlgorithm.SHA3_256,
    "sha3-512": HashAlgorithm.SHA3_512,
}
_t = text


def _props(pairs: Iterable[tuple[str, str]]) -> list[Property]:
    return [Property(name=name, value=value) for name, value in pairs]


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
    for licence in texts:
        spdx_id = fixup_id(licence)
        licenses.append(
            DisjunctiveLicense(id=spdx_id) if spdx_id else DisjunctiveLicense(name=licence)
        )
    return licenses


def _contact(value: str) -> OrganizationalContact | None:
    parts = contact_parts(value)
    return None if parts is None else OrganizationalContact(name=parts[0], email=parts[1])


def _supplier(value: str) -> OrganizationalEntity | None:
    """A package's distributor (dpkg Maintainer, rpm Vendor, apk maintainer) as an entity."""
    contact = _contact(value)
    if contact is None:
        return None
    return OrganizationalEntity(name=contact.name or contact.email, contacts=[contact])


def _identity(package: Package) -> list[Identity]:
    declared = declared_identity(package)
    if declared is None:
        return []
    field, technique, value = declared
    method = Method(
        technique=AnalysisTechnique(technique), confidence=Decimal(1), value=value or None
    )
    return [Identity(field=IdentityField(field), methods=[method])]


def _package_component(package: Package, ref: str) -> Component:
    found = [Occurrence(bom_ref=r, location=loc) for r, loc in occurrences(package, ref)]
    identity = _identity(package)
    return Component(
        type=ComponentType.LIBRARY,
        name=_t(package.name) or "unknown",
        version=_t(package.version) or None,
        bom_ref=ref,
        purl=purl_of(package.purl),
        licenses=_licenses(package.licenses),
        hashes=_hashes(package.hashes),
        properties=_props(package_properties(package)),
        # the library writes ``identity`` for 1.5+ only (an object in 1.5, an array in 1.6)
        evidence=ComponentEvidence(occurrences=found, identity=identity)
        if found or identity
        else None,
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
    return Component(
        type=ComponentType.OPERATING_SYSTEM,
        name=name,
        version=version or None,
        bom_ref=_t(f"{prefix}os:{name}@{version}"),
        description=_t(distro_field(distro, "pretty_name")) or None,
        properties=_props(os_properties(image)),
    )


def _external_references(provenance: Provenance) -> list[ExternalReference]:
    kinds = {"vcs": ExternalReferenceType.VCS, "distribution": ExternalReferenceType.DISTRIBUTION}
    return [
        ExternalReference(type=kinds[kind], url=XsUri(url), comment=comment)
        for kind, url, comment in external_references(provenance)
    ]


def _base_component(base: BaseImage, prefix: str) -> Component | None:
    if not (base.name or base.digest):
        return None
    return Component(
        type=ComponentType.CONTAINER,
        name=_t(base.name) or "unknown",
        version=_t(base.digest) or None,
        bom_ref=_t(f"{prefix}base:{base.digest or base.name}"),
        purl=base_purl(base),
        hashes=_digest_hashes(base.digest),
        properties=_props(base_properties(base)),
    )


def _image_component(image: ImageReport, report: Report, ref: str, prefix: str = "") -> Component:
    """The image as a container component; ``prefix`` keeps bom-refs unique in an index BOM."""
    description = image.description
    base = _base_component(image.base, prefix)
    vendor = own_label(image, "org.opencontainers.image.vendor")
    return Component(
        type=ComponentType.CONTAINER,
        name=image_name(image, report),
        version=_t(description.target.manifest.digest),
        bom_ref=ref,
        purl=image_purl(image),
        hashes=_digest_hashes(description.target.manifest.digest),
        supplier=OrganizationalEntity(name=_t(vendor)) if _t(vendor).strip() else None,
        properties=_props(image_properties(image, report)),
        external_references=_external_references(image.provenance),
        pedigree=Pedigree(ancestors=[base]) if base else None,
    )


def _new_bom(report: Report, *content: object) -> Bom:
    """Serial = UUID5 of the BOM's inputs (``content_uuid``): one per content, reproducible."""
    bom = Bom(serial_number=serial(report, *content))
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
    pairs = package_refs(image, prefix)
    components = [_package_component(p, ref) for ref, p in pairs]
    os_component = _os_component(image, prefix)
    children = [*components, *([os_component] if os_component else [])]
    bom.components.update(children)
    bom.register_dependency(parent, children)
    by_stem: dict[str, Component] = {}
    for (_, package), component in zip(pairs, components, strict=True):
        by_stem.setdefault(stem(package), component)
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
    digests = sorted(image.description.target.manifest.digest for image in report.images)
    digest = index_digest(report)
    bom = _new_bom(report, digest or "\n".join(digests), report.images)
    names = sorted({image_name(image, report) for image in report.images})
    root = Component(
        type=ComponentType.CONTAINER,
        name=names[0] if names else _t(sbom_input_name(report)) or "image",
        version=_t(digest) or None,
        bom_ref=_t(f"index:{digest or sbom_input_name(report)}"),
        purl=index_purl(report, digest),
        hashes=_digest_hashes(digest),
        properties=_props(index_properties(report)),
    )
    bom.metadata.component = root
    image_components = []
    for image in report.images:
        prefix = _t(f"{image.platform}|")
        image_component = _image_component(
            image,
            report,
            _t(f"image:{image.platform}|{image.description.target.manifest.digest}"),
            prefix,
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


def _compositions(bom: Bom) -> list[dict[str, Any]]:
    """``compositions`` (see ``reporter.render.cyclonedx_json.compositions``) of a library BOM."""
    root = bom.metadata.component
    packages = []
    for component in bom.components:
        types = [p.value for p in component.properties if p.name == f"{PROP}:package:type"]
        if types:
            packages.append((str(component.bom_ref), types[0]))
    return compositions(str(root.bom_ref) if root is not None else None, packages)


def _with_compositions(serialised: str, blocks: list[dict[str, Any]], xml: bool) -> str:
    if not blocks:
        return serialised
    if not xml:
        document = orjson.loads(serialised)
        document["compositions"] = blocks
        return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode("utf-8")
    parts = ["<compositions>"]
    for composition in blocks:
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
    at = serialised.rfind(marker)
    if at == -1:
        return serialised
    at += len(marker)
    return serialised[:at] + "".join(parts) + serialised[at:]


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
