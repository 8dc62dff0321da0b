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

from reporter.catalog.dependencies import package_id as package_id_of
from reporter.errors import RenderError
from reporter.model import ImageReport, Report
from reporter.model import Package as ReportPackage
from reporter.render.common import (
    content_uuid,
    distro_field,
    generated_time,
    image_purl,
    image_repository,
    known_hashes,
    own_label,
    parse_purl,
    parse_ref,
    registry_host,
    sbom_text,
    spdx_expression,
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


# Words that make a maintainer field a group rather than one person ("Debian Python Team").
_GROUP_WORDS = re.compile(
    r"\b(team|project|developers|maintainers|group|community|foundation|inc|ltd|llc|gmbh|"
    r"corporation|corp|org|organization|organisation|company|contributors|authors|debian|"
    r"ubuntu|alpine|fedora|red hat|suse|oracle)\b",
    re.IGNORECASE,
)


def _actor(text: str, kind: ActorType | None = None) -> Actor | None:
    """``Name <mail@host>`` → an Actor with e-mail; parentheses dropped (they delimit it).

    ``kind`` None: a Person when the text names one person with an e-mail address (a dpkg
    Maintainer, a Python Author), else an Organization (SPDX 2.3 §7.5 "Person: … (email)").
    """
    text = _one_line(text)
    email = None
    match = _EMAIL.match(text)
    if match:
        text, email = match["name"], match["email"]
    name = _one_line(_ACTOR_UNSAFE.sub(" ", text))
    if not name:
        return None
    if kind is None:
        kind = (
            ActorType.PERSON
            if email and not _GROUP_WORDS.search(name) and "," not in name
            else ActorType.ORGANIZATION
        )
    return Actor(kind, name, email)


def _purl(text: str) -> PackageURL | None:
    return parse_purl(text, allow_space=False)


def _supplier(package: ReportPackage) -> tuple[Actor | SpdxNoAssertion, str]:
    """Who distributes the package, from what the package itself records; never the image's
    vendor label (the image's vendor did not supply Debian's libc6)."""
    actor = _actor(package.supplier)
    if actor:
        return actor, "the package's maintainer / vendor / packager"
    for author in package.authors:
        actor = _actor(author)
        if actor:  # PyPI and npm packages are uploaded by their authors
            return actor, "the package's author"
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
    return SpdxNoAssertion(), "unknown"


def _checksums(pairs: Iterable[tuple[str, str]]) -> list[Checksum]:
    return [Checksum(_CHECKSUMS[a], v) for a, v in known_hashes(pairs, _CHECKSUMS)]


class _Licences:
    """Licence strings → SPDX expressions, collecting ``LicenseRef-`` texts for the document."""

    def __init__(self) -> None:
        self.extracted: dict[str, ExtractedLicensingInfo] = {}

    def _one(self, text: str) -> str:
        # "GPL" is not GPL-1.0-or-later because the parser knows an alias: only listed ids
        expression = spdx_expression(text)
        if expression is not None:
            return expression
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


_AUTHORS_KEY = "org.opencontainers.image.authors"


def _image_supplier(image: ImageReport, report: Report) -> tuple[Actor | SpdxNoAssertion, str]:
    """Who supplies the image, first of: its vendor label, its authors label or manifest
    annotation (OCI image-spec annotations.md), the config's ``author``, the registry host
    of its name, then who supplies or wrote this SBOM (``--sbom-supplier``, ``--sbom-author``:
    the party handing over this copy). NOASSERTION only when none is known.
    """
    config = image.description.config
    parsed = image_repository(image)
    candidates = [
        (own_label(image, "org.opencontainers.image.vendor"), "the image vendor label"),
        (
            image.description.manifest_annotations.get("org.opencontainers.image.vendor", ""),
            "the vendor annotation",
        ),
        (own_label(image, _AUTHORS_KEY), "the image authors label"),
        (image.description.manifest_annotations.get(_AUTHORS_KEY, ""), "the authors annotation"),
        (config.author, "the image config author"),
        (registry_host(parsed[0]) if parsed else "", "the registry host"),
        (report.sbom_supplier, "--sbom-supplier"),
        (report.sbom_author, "--sbom-author"),
    ]
    for text, rule in candidates:
        actor = _actor(text, ActorType.ORGANIZATION if rule != "--sbom-author" else None)
        if actor:
            return actor, rule
    return SpdxNoAssertion(), "nothing (no vendor, authors, registry or --sbom-supplier)"


def _os_package(image: ImageReport, spdx_id: str) -> Package | None:
    """The distro as a package with ``primaryPackagePurpose: OPERATING_SYSTEM`` (the 2.3 JSON
    schema's spelling), name = os-release ID, version = VERSION_ID: what trivy reads for the
    OS family and version. Its supplier is the distro, as named by os-release."""
    distro = image.distro
    name = _one_line(distro_field(distro, "id"))
    version = _one_line(distro_field(distro, "version_id"))
    if not name:
        return None
    pretty = _one_line(distro_field(distro, "pretty_name")) or name
    return Package(
        spdx_id=spdx_id,
        name=name,
        download_location=SpdxNoAssertion(),
        version=version or "NOASSERTION",
        # the distributor as os-release names it (NAME, else ID): "Debian GNU/Linux"
        supplier=Actor(
            ActorType.ORGANIZATION,
            _one_line(_ACTOR_UNSAFE.sub(" ", distro_field(distro, "name"))) or name,
        ),
        files_analyzed=False,
        license_concluded=SpdxNoAssertion(),
        license_declared=SpdxNoAssertion(),
        copyright_text=SpdxNoAssertion(),
        primary_package_purpose=PackagePurpose.OPERATING_SYSTEM,
        description=pretty,
        comment="operating system from /etc/os-release (or /usr/lib/os-release)",
    )


def _image_package(image: ImageReport, report: Report, spdx_id: str) -> Package:
    config = image.description.config
    supplier, rule = _image_supplier(image, report)
    purl = image_purl(image)
    refs = (
        [ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl.to_string())]
        if purl
        else []
    )
    provenance = image.provenance
    notes = [f"platform {image.platform}", f"supplier from {rule}"]
    if provenance.vcs_source:
        notes.append(f"vcs {provenance.vcs_source} {provenance.vcs_revision}".strip())
    if provenance.builder_id:
        notes.append(f"builder {provenance.builder_id}")
    return _container_package(
        spdx_id,
        _image_name(image, report),
        image.description.target.manifest.digest,
        _t(image.description.target.manifest.digest),
        supplier,
        _one_line("; ".join(notes)),
        external_references=refs,
        built_date=_timestamp(config.created) if _valid_time(config.created) else None,
    )


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


def _package(package: ReportPackage, spdx_id: str, licences: _Licences) -> Package:
    supplier, supplier_rule = _supplier(package)
    originator = next((a for a in map(_actor, package.authors) if a), None)
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
        originator=originator,
        external_references=[
            *(
                ExternalPackageRef(ExternalPackageRefCategory.SECURITY, "cpe23Type", _t(cpe))
                for cpe in package.cpes
            ),
            *(
                [
                    ExternalPackageRef(
                        ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl.to_string()
                    )
                ]
                if purl
                else []
            ),
        ],
        primary_package_purpose=PackagePurpose.LIBRARY,
        comment=_one_line(
            f"{package.type} package found by {package.cataloger or 'a cataloger'} in {layer};"
            f" paths: {paths or 'none'}; supplier from {supplier_rule}"
        ),
    )


def _creators(report: Report) -> list[Actor]:
    """The tool, and who made the SBOM when said (CISA 2025 and BSI TR-03183-2 want a person
    or organisation as the SBOM author, not only a tool)."""
    creators = [Actor(ActorType.TOOL, _one_line(f"oci-reporter-{report.tool_version}"))]
    for text, kind in ((report.sbom_author, None), (report.sbom_supplier, ActorType.ORGANIZATION)):
        actor = _actor(text, kind) if text else None
        if actor is not None and actor not in creators:
            creators.append(actor)
    return creators


def report_to_spdx(report: Report) -> Document:
    """Pure: the SPDX 2.3 document model for the report's images."""
    digests = sorted(image.description.target.manifest.digest for image in report.images)
    names = [_image_name(image, report) for image in report.images]
    name = names[0] if names else _one_line(sbom_input_name(report)) or "image"
    # unique per content (SPDX 2.3 §6.5), the same for the same input under SOURCE_DATE_EPOCH
    serial = content_uuid(
        _NAMESPACE_UUID,
        report.tool_version,
        report.generated,
        sbom_input_name(report),
        report.sbom_author,
        report.sbom_supplier,
        digests,
        report.images,
    )
    slug = _ID_UNSAFE.sub("-", name).strip("-")[:60] or "image"
    creation = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=_one_line(f"{name} ({', '.join(str(i.platform) for i in report.images)})"),
        document_namespace=f"{NAMESPACE_PREFIX}/{slug}-{serial}",
        creators=_creators(report),
        created=_timestamp(report.generated),
        creator_comment=_one_line(f"from {sbom_input_name(report)} ({report.input_format})"),
    )
    licences = _Licences()
    packages: list[Package] = []
    relationships: list[Relationship] = []
    for n, image in enumerate(report.images):
        image_id = _spdx_id("Image", n, str(image.platform))
        packages.append(_image_package(image, report, image_id))
        relationships.append(Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, image_id))
        base = _base_package(image, _spdx_id("Base", n, str(image.platform)))
        if base is not None:
            packages.append(base)
            relationships.append(
                Relationship(image_id, RelationshipType.DESCENDANT_OF, base.spdx_id)
            )
        os_package = _os_package(image, _spdx_id("OperatingSystem", n, str(image.platform)))
        if os_package is not None:
            packages.append(os_package)
            relationships.append(
                Relationship(image_id, RelationshipType.CONTAINS, os_package.spdx_id)
            )
        ids: dict[str, str] = {}
        for m, package in enumerate(image.packages):
            package_id = _spdx_id("Package", n, m, package.type, package.name[:40])
            ids.setdefault(package_id_of(package), package_id)
            packages.append(_package(package, package_id, licences))
            relationships.append(Relationship(image_id, RelationshipType.CONTAINS, package_id))
        for m, package in enumerate(image.packages):
            package_id = _spdx_id("Package", n, m, package.type, package.name[:40])
            for target in package.depends_on:  # SPDX 2.3 §11.1: A DEPENDS_ON B
                if target in ids and ids[target] != package_id:
                    relationships.append(
                        Relationship(package_id, RelationshipType.DEPENDS_ON, ids[target])
                    )
    return Document(
        creation_info=creation,
        packages=packages,
        relationships=relationships,
        extracted_licensing_info=[licences.extracted[k] for k in sorted(licences.extracted)],
    )


def serialize_spdx(document: Document, *, validate: bool = False) -> bytes:
    """JSON with sorted keys (spdx-tools' own writer does not sort); ``validate``: run
    spdx-tools' validator first and raise ``RenderError`` on any problem.

    Not validated by default (issue 16): on a 571-package image the validator took ~60% of
    SPDX rendering (pyinstrument: 11.3 of 18.7 s under a loaded profiler), re-checking on
    every run what the tests check once per input shape: every fixture's, sample's and
    factory report's document passes it and the official SPDX 2.3 JSON schema
    (tests/render/test_spdx.py, test_consumers.py), and it never changes the bytes.
    """
    messages = validate_full_spdx_document(document) if validate else []
    if messages:
        first = messages[0]
        raise RenderError(
            f"SPDX document failed validation ({len(messages)} problems), first: "
            f"{first.validation_message} at {first.context.spdx_id or first.context.element_type}"
        )
    converter = DocumentConverter()  # type: ignore[no-untyped-call]
    converted: dict[str, Any] = converter.convert(document)
    _spell_categories(converted)
    return orjson.dumps(converted, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


# spdx-tools 0.8 writes the enum names (PACKAGE_MANAGER, PERSISTENT_ID); the SPDX 2.3 spec
# (§7.21) and its JSON schema spell them with a hyphen and reject the underscore form.
_CATEGORY_SPELLING = {"PACKAGE_MANAGER": "PACKAGE-MANAGER", "PERSISTENT_ID": "PERSISTENT-ID"}


def _spell_categories(converted: dict[str, Any]) -> None:
    for package in converted.get("packages", []):
        for ref in package.get("externalRefs", []):
            category = ref.get("referenceCategory")
            ref["referenceCategory"] = _CATEGORY_SPELLING.get(category, category)


class SPDXJSONRenderer(Renderer):
    name: ClassVar[str] = "spdx-json"
    suffix: ClassVar[str] = ".spdx.json"
    media_type: ClassVar[str] = "application/spdx+json"

    def render(self, report: Report) -> bytes:
        return serialize_spdx(report_to_spdx(report))
