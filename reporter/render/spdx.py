"""SPDX 2.3 JSON through spdx-tools, valid per its validator and meeting the NTIA minimum elements.

One document covers the report's images (``render_per_platform`` gives one per platform):

* the document ``DESCRIBES`` one package per platform image (``primaryPackagePurpose:
  CONTAINER``, version = manifest digest, purl ``pkg:oci/…``, SHA256 checksum from the digest);
* each image ``CONTAINS`` its packages (purl external ref, declared licence, checksums the
  ecosystem gave, the layer that introduced it in ``comment``);
* each image is ``DESCENDANT_OF`` its base image when one was determined.

Suppliers (an NTIA minimum element) are never invented, only taken from, in order: the
package's own metadata (maintainer, vendor, packager, author, supplier, publisher), the purl
namespace where it names the distributor or author (``pkg:deb/debian/…`` → debian,
``pkg:golang/github.com/spf13/…``), then the image vendor label (the party that shipped this
copy); otherwise ``NOASSERTION``. The package comment says which rule applied.

Licence strings that are not valid SPDX expressions become ``LicenseRef-…`` with the original
text kept in ``hasExtractedLicensingInfos``. Output is deterministic: ids from positions in
the sorted report, namespace and timestamps from digests and ``generated``, keys sorted.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import orjson
from license_expression import (  # type: ignore[import-untyped]
    ExpressionError,
    LicenseExpression,
)
from packageurl import PackageURL
from spdx_tools.common.spdx_licensing import spdx_licensing
from spdx_tools.spdx.jsonschema.document_converter import DocumentConverter
from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from reporter.errors import RenderError
from reporter.model import ImageReport, Report
from reporter.model import Package as ReportPackage
from reporter.render.common import (
    generated_time,
    image_purl,
    image_repository,
    known_hashes,
    parse_purl,
    parse_ref,
    registry_host,
    sbom_text,
)
from reporter.render.inputname import sbom_input_name
from reporter.render.interface import Renderer

__all__ = ["NAMESPACE_PREFIX", "SPDXJSONRenderer", "report_to_spdx", "serialize_spdx"]

NAMESPACE_PREFIX = "https://spdx.org/spdxdocs/oci-reporter"
_NAMESPACE_UUID = uuid.uuid5(uuid.NAMESPACE_URL, "urn:oci-reporter:spdx")

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
_ACTOR_UNSAFE = re.compile(r"[()<>\r\n\t]+")
_EMAIL = re.compile(r"^(?P<name>[^<]*)<(?P<email>[^<>@\s]+@[^<>\s]+)>\s*$")
_CHECKSUMS = {
    "md5": ChecksumAlgorithm.MD5,
    "sha1": ChecksumAlgorithm.SHA1,
    "sha256": ChecksumAlgorithm.SHA256,
    "sha384": ChecksumAlgorithm.SHA384,
    "sha512": ChecksumAlgorithm.SHA512,
}
_SUPPLIER_KEYS = ("supplier", "vendor", "maintainer", "packager", "publisher", "author")
# purl types whose namespace names who distributes (distros) or authors (scopes, hosts, groups)
_NAMESPACE_SUPPLIERS = {"deb", "rpm", "apk", "alpm", "npm", "golang", "maven", "composer", "github"}


def _t(value: object) -> str:
    # Control characters (terminal escapes included) are stripped from every string: consumers
    # print these documents, and the tag-value form cannot carry them.
    return sbom_text(value)


def _one_line(value: object) -> str:
    return " ".join(_t(value).split())


def _spdx_id(*parts: object) -> str:
    return "SPDXRef-" + "-".join(_ID_UNSAFE.sub("-", str(p)).strip("-") or "x" for p in parts)[:120]


def _actor(text: str) -> Actor | None:
    """``Name <mail@host>`` → Organization with e-mail; parentheses dropped (they delimit it)."""
    text = _one_line(text)
    email = None
    match = _EMAIL.match(text)
    if match:
        text, email = match["name"], match["email"]
    name = _one_line(_ACTOR_UNSAFE.sub(" ", text))
    if not name:
        return None
    return Actor(ActorType.ORGANIZATION, name, email)


def _purl(text: str) -> PackageURL | None:
    return parse_purl(text, allow_space=False)


def _supplier(package: ReportPackage, vendor: Actor | None) -> tuple[Actor | SpdxNoAssertion, str]:
    metadata = dict(package.metadata)
    for key in _SUPPLIER_KEYS:
        actor = _actor(metadata.get(key, ""))
        if actor:
            return actor, f"package metadata {key!r}"
    purl = _purl(package.purl)
    if purl is not None and purl.type in _NAMESPACE_SUPPLIERS and purl.namespace:
        actor = _actor(purl.namespace)
        if actor:
            return actor, "purl namespace"
    if vendor is not None:
        return vendor, "image vendor label"
    return SpdxNoAssertion(), "unknown"


def _checksums(pairs: Iterable[tuple[str, str]]) -> list[Checksum]:
    return [Checksum(_CHECKSUMS[a], v) for a, v in known_hashes(pairs, _CHECKSUMS)]


class _Licences:
    """Licence strings → SPDX expressions, collecting ``LicenseRef-`` texts for the document."""

    def __init__(self) -> None:
        self.extracted: dict[str, ExtractedLicensingInfo] = {}

    def _one(self, text: str) -> str:
        try:
            parsed = spdx_licensing.parse(text, validate=True, strict=True)
        except ExpressionError:
            parsed = None
        if parsed is not None and not any(
            str(key).startswith(("LicenseRef-", "DocumentRef-"))
            for key in spdx_licensing.license_keys(parsed)
        ):
            return str(parsed)
        ref = (
            "LicenseRef-oci-reporter-"
            + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]
        )
        self.extracted.setdefault(
            ref,
            ExtractedLicensingInfo(
                license_id=ref,
                extracted_text=text,
                license_name=_one_line(text)[:200] or "unknown",
                comment="licence string as the package database recorded it",
            ),
        )
        return ref

    def declared(self, texts: Sequence[str]) -> LicenseExpression | SpdxNoAssertion:
        cleaned = [_one_line(t) for t in texts if _one_line(t)]
        if not cleaned:
            return SpdxNoAssertion()
        parts = [self._one(text) for text in cleaned]
        joined = " AND ".join(f"({p})" if " " in p else p for p in parts)
        return spdx_licensing.parse(joined)


def _timestamp(text: str) -> datetime:
    # SPDX dates are whole seconds in UTC.
    return generated_time(text).astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _image_name(image: ImageReport, report: Report) -> str:
    parsed = image_repository(image)
    return parsed[0] if parsed else _one_line(sbom_input_name(report)) or "image"


def _container_package(
    spdx_id: str,
    name: str,
    digest: str,
    version: str,
    supplier: Actor | SpdxNoAssertion,
    comment: str,
    **extra: Any,
) -> Package:
    """An image or base image: a container known by its digest, nothing asserted of its files."""
    algorithm, _, hexpart = digest.partition(":")
    return Package(
        spdx_id=spdx_id,
        name=name,
        download_location=SpdxNoAssertion(),
        version=version,
        supplier=supplier,
        files_analyzed=False,
        checksums=_checksums([(algorithm, hexpart)]),
        license_concluded=SpdxNoAssertion(),
        license_declared=SpdxNoAssertion(),
        copyright_text=SpdxNoAssertion(),
        primary_package_purpose=PackagePurpose.CONTAINER,
        comment=comment,
        **extra,
    )


def _image_package(
    image: ImageReport, report: Report, spdx_id: str
) -> tuple[Package, Actor | None]:
    config = image.description.config
    vendor = _actor(config.labels.get("org.opencontainers.image.vendor", ""))
    supplier: Actor | SpdxNoAssertion = vendor or SpdxNoAssertion()
    parsed = image_repository(image)
    host = registry_host(parsed[0]) if parsed else ""
    if vendor is None and host:
        supplier = Actor(ActorType.ORGANIZATION, host)  # the registry host
    purl = image_purl(image)
    refs = (
        [ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl.to_string())]
        if purl
        else []
    )
    provenance = image.provenance
    notes = [f"platform {image.platform}"]
    if provenance.vcs_source:
        notes.append(f"vcs {provenance.vcs_source} {provenance.vcs_revision}".strip())
    if provenance.builder_id:
        notes.append(f"builder {provenance.builder_id}")
    package = _container_package(
        spdx_id,
        _image_name(image, report),
        image.description.target.manifest.digest,
        _t(image.description.target.manifest.digest),
        supplier,
        _one_line("; ".join(notes)),
        external_references=refs,
        built_date=_timestamp(config.created) if _valid_time(config.created) else None,
    )
    return package, vendor


def _valid_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return bool(text)


def _base_package(image: ImageReport, spdx_id: str) -> Package | None:
    base = image.base
    if not (base.name or base.digest):
        return None
    parsed = parse_ref(base.name) if base.name else None
    host = registry_host(parsed[0]) if parsed else ""
    supplier: Actor | SpdxNoAssertion = (
        Actor(ActorType.ORGANIZATION, host) if host else SpdxNoAssertion()
    )
    evidence = "; ".join(_one_line(f"{e.kind}: {e.detail}") for e in base.evidence)
    return _container_package(
        spdx_id,
        (parsed[0] if parsed else _one_line(base.name)) or "unknown",
        base.digest,
        _t(base.digest) or "NOASSERTION",
        supplier,
        _one_line(f"base image, confidence {base.confidence}; {evidence}".rstrip("; ")),
    )


def _package(
    package: ReportPackage, spdx_id: str, vendor: Actor | None, licences: _Licences
) -> Package:
    supplier, supplier_rule = _supplier(package, vendor)
    purl = _purl(package.purl)
    layer = (
        f"layer {package.layer_index} {package.layer_digest}"
        f" ({'base' if package.base else 'added' if package.base is False else 'origin unknown'})"
        if package.layer_index is not None
        else "layer unknown"
    )
    paths = ", ".join(location.path for location in package.locations)
    return Package(
        spdx_id=spdx_id,
        name=_one_line(package.name) or "unknown",
        download_location=SpdxNoAssertion(),
        version=_one_line(package.version) or "NOASSERTION",
        supplier=supplier,
        files_analyzed=False,
        checksums=_checksums(package.hashes),
        license_concluded=SpdxNoAssertion(),
        license_declared=licences.declared(package.licenses),
        copyright_text=SpdxNoAssertion(),
        external_references=(
            [
                ExternalPackageRef(
                    ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl.to_string()
                )
            ]
            if purl
            else []
        ),
        primary_package_purpose=PackagePurpose.LIBRARY,
        comment=_one_line(
            f"{package.type} package found by {package.cataloger or 'a cataloger'} in {layer};"
            f" paths: {paths or 'none'}; supplier from {supplier_rule}"
        ),
    )


def report_to_spdx(report: Report) -> Document:
    """Pure: the SPDX 2.3 document model for the report's images."""
    digests = sorted(image.description.target.manifest.digest for image in report.images)
    names = [_image_name(image, report) for image in report.images]
    name = names[0] if names else _one_line(sbom_input_name(report)) or "image"
    serial = uuid.uuid5(_NAMESPACE_UUID, "\n".join(digests) or sbom_input_name(report))
    slug = _ID_UNSAFE.sub("-", name).strip("-")[:60] or "image"
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=_one_line(f"{name} ({', '.join(str(i.platform) for i in report.images)})"),
        document_namespace=f"{NAMESPACE_PREFIX}/{slug}-{serial}",
        creators=[Actor(ActorType.TOOL, _one_line(f"oci-reporter-{report.tool_version}"))],
        created=_timestamp(report.generated),
        creator_comment=_one_line(f"from {sbom_input_name(report)} ({report.input_format})"),
    )
    licences = _Licences()
    packages: list[Package] = []
    relationships: list[Relationship] = []
    for n, image in enumerate(report.images):
        image_id = _spdx_id("Image", n, str(image.platform))
        image_package, vendor = _image_package(image, report, image_id)
        packages.append(image_package)
        relationships.append(Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, image_id))
        base = _base_package(image, _spdx_id("Base", n, str(image.platform)))
        if base is not None:
            packages.append(base)
            relationships.append(
                Relationship(image_id, RelationshipType.DESCENDANT_OF, base.spdx_id)
            )
        for m, package in enumerate(image.packages):
            package_id = _spdx_id("Package", n, m, package.type, package.name[:40])
            packages.append(_package(package, package_id, vendor, licences))
            relationships.append(Relationship(image_id, RelationshipType.CONTAINS, package_id))
    return Document(
        creation_info=creation,
        packages=packages,
        relationships=relationships,
        extracted_licensing_info=[licences.extracted[k] for k in sorted(licences.extracted)],
    )


def serialize_spdx(document: Document) -> bytes:
    """Validate with spdx-tools, then write JSON with sorted keys (its own writer does not)."""
    messages = validate_full_spdx_document(document)
    if messages:
        first = messages[0]
        raise RenderError(
            f"SPDX document failed validation ({len(messages)} problems), first: "
            f"{first.validation_message} at {first.context.spdx_id or first.context.element_type}"
        )
    converter = DocumentConverter()  # type: ignore[no-untyped-call]
    converted: dict[str, Any] = converter.convert(document)
    return orjson.dumps(converted, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


class SPDXJSONRenderer(Renderer):
    name: ClassVar[str] = "spdx-json"
    suffix: ClassVar[str] = ".spdx.json"
    media_type: ClassVar[str] = "application/spdx+json"

    def render(self, report: Report) -> bytes:
        return serialize_spdx(report_to_spdx(report))
