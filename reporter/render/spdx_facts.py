"""What an SPDX 2.3 document of a Report says, as plain values: no spdx-tools import.

Both SPDX writers take their facts from here: ``reporter.render.spdx`` (spdx-tools' model and
converter, the oracle of the tests) and ``reporter.render.spdx_json`` (plain dicts and orjson,
what ``--format spdx-json`` runs). Keeping the decisions (ids, suppliers and the rule that
chose them, comments, licences, relationships) in one place means the two paths can only
differ in how they serialise, which ``tests/render/test_spdx_json.py`` checks byte for byte.

Suppliers (an NTIA minimum element) are never invented, only taken from, in order: the
package's own metadata (maintainer, vendor, packager, author, supplier, publisher), the purl
namespace where it names the distributor or author (``pkg:deb/debian/…`` → debian,
``pkg:golang/github.com/spf13/…``); otherwise ``NOASSERTION``. The package comment says which
rule applied.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from packageurl import PackageURL

from reporter.catalog.dependencies import package_id as package_id_of
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
    spdx_licensing,
)
from reporter.render.inputname import sbom_input_name

__all__ = [
    "DECLARED_NOTE",
    "NAMESPACE_PREFIX",
    "Creation",
    "DocumentFacts",
    "Extracted",
    "PackageFacts",
    "Who",
    "document_facts",
    "iso_time",
    "licence_string",
]

NAMESPACE_PREFIX = "https://spdx.org/spdxdocs/oci-reporter"
_NAMESPACE_UUID = uuid.uuid5(uuid.NAMESPACE_URL, "urn:oci-reporter:spdx")

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")
_ACTOR_UNSAFE = re.compile(r"[()<>\r\n\t]+")
_EMAIL = re.compile(r"^(?P<name>[^<]*)<(?P<email>[^<>@\s]+@[^<>\s]+)>\s*$")
# our algorithm names → SPDX 2.3 §7.10 checksum algorithm names
_CHECKSUMS = {
    "md5": "MD5",
    "sha1": "SHA1",
    "sha256": "SHA256",
    "sha384": "SHA384",
    "sha512": "SHA512",
}
_SUPPLIER_KEYS = ("supplier", "vendor", "maintainer", "packager", "publisher", "author")
# purl types whose namespace names who distributes (distros) or authors (scopes, hosts, groups)
_NAMESPACE_SUPPLIERS = {"deb", "rpm", "apk", "alpm", "npm", "golang", "maven", "composer", "github"}
# reporter.catalog.lockfiles._common.DECLARED: the metadata value every lock-file package carries
# (spelled here so that rendering imports no cataloger; tests/render/test_spdx_json.py checks).
_LOCK_FILE = "lock-file"
DECLARED_NOTE = "declared in a lock file, not found installed"

# Words that make a maintainer field a group rather than one person ("Debian Python Team").
_GROUP_WORDS = re.compile(
    r"\b(team|project|developers|maintainers|group|community|foundation|inc|ltd|llc|gmbh|"
    r"corporation|corp|org|organization|organisation|company|contributors|authors|debian|"
    r"ubuntu|alpine|fedora|red hat|suse|oracle)\b",
    re.IGNORECASE,
)
_AUTHORS_KEY = "org.opencontainers.image.authors"


@dataclass(frozen=True, slots=True)
class Who:
    """An SPDX actor: ``kind`` is PERSON, ORGANIZATION or TOOL (spdx-tools' ``ActorType``)."""

    kind: str
    name: str
    email: str | None = None

    def serialized(self) -> str:
        # SPDX 2.3 §6.8 / §7.5: "Person: name (email)"; what spdx-tools' Actor writes
        return f"{self.kind.title()}: {self.name}" + (f" ({self.email})" if self.email else "")


@dataclass(frozen=True, slots=True)
class Extracted:
    license_id: str
    text: str
    name: str
    comment: str = "licence string as the package database recorded it"


@dataclass(frozen=True, slots=True)
class PackageFacts:
    """One SPDX package. ``None`` supplier / licence: NOASSERTION."""

    spdx_id: str
    name: str
    version: str
    supplier: Who | None
    purpose: str  # CONTAINER, OPERATING_SYSTEM, LIBRARY
    comment: str
    checksums: tuple[tuple[str, str], ...] = ()
    license_declared: str | None = None  # a joined expression; see ``licence_string``
    originator: Who | None = None
    refs: tuple[tuple[str, str, str], ...] = ()  # (category as in §7.21, type, locator)
    description: str | None = None
    built_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class Creation:
    name: str
    namespace: str
    creators: tuple[Who, ...]
    created: datetime
    comment: str


@dataclass(frozen=True, slots=True)
class DocumentFacts:
    creation: Creation
    packages: tuple[PackageFacts, ...]
    relationships: tuple[tuple[str, str, str], ...]  # (element, type, related element)
    extracted: tuple[Extracted, ...]


def _t(value: object) -> str:
    # Control characters (terminal escapes included) are stripped from every string: consumers
    # print these documents, and the tag-value form cannot carry them.
    return sbom_text(value)


def _one_line(value: object) -> str:
    return " ".join(_t(value).split())


def _spdx_id(*parts: object) -> str:
    return "SPDXRef-" + "-".join(_ID_UNSAFE.sub("-", str(p)).strip("-") or "x" for p in parts)[:120]


def _actor(text: str, kind: str | None = None) -> Who | None:
    """``Name <mail@host>`` → an actor with e-mail; parentheses dropped (they delimit it).

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
            "PERSON"
            if email and not _GROUP_WORDS.search(name) and "," not in name
            else "ORGANIZATION"
        )
    return Who(kind, name, email)


def _purl(text: str) -> PackageURL | None:
    return parse_purl(text, allow_space=False)


def _supplier(package: ReportPackage) -> tuple[Who | None, str]:
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
    return None, "unknown"


def _checksums(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    return tuple((_CHECKSUMS[a], v) for a, v in known_hashes(pairs, _CHECKSUMS))


@lru_cache(maxsize=4096)
def licence_string(joined: str) -> str:
    """A joined expression as spdx-tools writes it: ``str`` of the licensing's parse."""
    return str(spdx_licensing().parse(joined))


class _Licences:
    """Licence strings → SPDX expressions, collecting ``LicenseRef-`` texts for the document."""

    def __init__(self) -> None:
        self.extracted: dict[str, Extracted] = {}

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
            ref, Extracted(license_id=ref, text=text, name=_one_line(text)[:200] or "unknown")
        )
        return ref

    def declared(self, texts: Sequence[str]) -> str | None:
        """The joined expression (parse it for the normal form), None for NOASSERTION."""
        cleaned = [_one_line(t) for t in texts if _one_line(t)]
        if not cleaned:
            return None
        parts = [self._one(text) for text in cleaned]
        return " AND ".join(f"({p})" if " " in p else p for p in parts)


def _timestamp(text: str) -> datetime:
    # SPDX dates are whole seconds in UTC.
    return generated_time(text).astimezone(UTC).replace(tzinfo=None, microsecond=0)


def iso_time(value: datetime) -> str:
    """spdx-tools' ``datetime_to_iso_string`` of a naive UTC time: ``…T…Z``."""
    return value.replace(microsecond=0).isoformat() + "Z"


def _image_name(image: ImageReport, report: Report) -> str:
    parsed = image_repository(image)
    return parsed[0] if parsed else _one_line(sbom_input_name(report)) or "image"


def _container_package(
    spdx_id: str,
    name: str,
    digest: str,
    version: str,
    supplier: Who | None,
    comment: str,
    refs: tuple[tuple[str, str, str], ...] = (),
    built_date: datetime | None = None,
) -> PackageFacts:
    """An image or base image: a container known by its digest, nothing asserted of its files."""
    algorithm, _, hexpart = digest.partition(":")
    return PackageFacts(
        spdx_id=spdx_id,
        name=name,
        version=version,
        supplier=supplier,
        purpose="CONTAINER",
        comment=comment,
        checksums=_checksums([(algorithm, hexpart)]),
        refs=refs,
        built_date=built_date,
    )


def _image_supplier(image: ImageReport, report: Report) -> tuple[Who | None, str]:
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
        actor = _actor(text, "ORGANIZATION" if rule != "--sbom-author" else None)
        if actor:
            return actor, rule
    return None, "nothing (no vendor, authors, registry or --sbom-supplier)"


def _os_package(image: ImageReport, spdx_id: str) -> PackageFacts | None:
    """The distro as a package with ``primaryPackagePurpose: OPERATING_SYSTEM`` (the 2.3 JSON
    schema's spelling), name = os-release ID, version = VERSION_ID: what trivy reads for the
    OS family and version. Its supplier is the distro, as named by os-release."""
    distro = image.distro
    name = _one_line(distro_field(distro, "id"))
    version = _one_line(distro_field(distro, "version_id"))
    if not name:
        return None
    pretty = _one_line(distro_field(distro, "pretty_name")) or name
    return PackageFacts(
        spdx_id=spdx_id,
        name=name,
        version=version or "NOASSERTION",
        # the distributor as os-release names it (NAME, else ID): "Debian GNU/Linux"
        supplier=Who(
            "ORGANIZATION",
            _one_line(_ACTOR_UNSAFE.sub(" ", distro_field(distro, "name"))) or name,
        ),
        purpose="OPERATING_SYSTEM",
        description=pretty,
        comment="operating system from /etc/os-release (or /usr/lib/os-release)",
    )


def _valid_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return bool(text)


def _image_package(image: ImageReport, report: Report, spdx_id: str) -> PackageFacts:
    config = image.description.config
    supplier, rule = _image_supplier(image, report)
    purl = image_purl(image)
    refs = (("PACKAGE-MANAGER", "purl", purl.to_string()),) if purl else ()
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
        refs=refs,
        built_date=_timestamp(config.created) if _valid_time(config.created) else None,
    )


def _base_package(image: ImageReport, spdx_id: str) -> PackageFacts | None:
    base = image.base
    if not (base.name or base.digest):
        return None
    parsed = parse_ref(base.name) if base.name else None
    host = registry_host(parsed[0]) if parsed else ""
    evidence = "; ".join(_one_line(f"{e.kind}: {e.detail}") for e in base.evidence)
    return _container_package(
        spdx_id,
        (parsed[0] if parsed else _one_line(base.name)) or "unknown",
        base.digest,
        _t(base.digest) or "NOASSERTION",
        Who("ORGANIZATION", host) if host else None,
        _one_line(f"base image, confidence {base.confidence}; {evidence}".rstrip("; ")),
    )


def _package(package: ReportPackage, spdx_id: str, licences: _Licences) -> PackageFacts:
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
    # A lock file names what a build meant to install, not what the image holds: say so, or
    # a consumer takes the package for an installed one (SPDX 2.3 §7.28 PackageComment).
    declared = f"; {DECLARED_NOTE}" if dict(package.metadata).get("declared") == _LOCK_FILE else ""
    return PackageFacts(
        spdx_id=spdx_id,
        name=_one_line(package.name) or "unknown",
        version=_one_line(package.version) or "NOASSERTION",
        supplier=supplier,
        purpose="LIBRARY",
        comment=_one_line(
            f"{package.type} package found by {package.cataloger or 'a cataloger'} in {layer};"
            f" paths: {paths or 'none'}; supplier from {supplier_rule}{declared}"
        ),
        checksums=_checksums(package.hashes),
        license_declared=licences.declared(package.licenses),
        originator=originator,
        refs=(
            *(("SECURITY", "cpe23Type", _t(cpe)) for cpe in package.cpes),
            *((("PACKAGE-MANAGER", "purl", purl.to_string()),) if purl else ()),
        ),
    )


def _creators(report: Report) -> tuple[Who, ...]:
    """The tool, and who made the SBOM when said (CISA 2025 and BSI TR-03183-2 want a person
    or organisation as the SBOM author, not only a tool)."""
    creators = [Who("TOOL", _one_line(f"oci-reporter-{report.tool_version}"))]
    for text, kind in ((report.sbom_author, None), (report.sbom_supplier, "ORGANIZATION")):
        actor = _actor(text, kind) if text else None
        if actor is not None and actor not in creators:
            creators.append(actor)
    return tuple(creators)


def document_facts(report: Report) -> DocumentFacts:
    """Pure: everything the SPDX 2.3 document of the report's images says."""
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
    creation = Creation(
        name=_one_line(f"{name} ({', '.join(str(i.platform) for i in report.images)})"),
        namespace=f"{NAMESPACE_PREFIX}/{slug}-{serial}",
        creators=_creators(report),
        created=_timestamp(report.generated),
        comment=_one_line(f"from {sbom_input_name(report)} ({report.input_format})"),
    )
    licences = _Licences()
    packages: list[PackageFacts] = []
    relationships: list[tuple[str, str, str]] = []
    for n, image in enumerate(report.images):
        image_id = _spdx_id("Image", n, str(image.platform))
        packages.append(_image_package(image, report, image_id))
        relationships.append(("SPDXRef-DOCUMENT", "DESCRIBES", image_id))
        base = _base_package(image, _spdx_id("Base", n, str(image.platform)))
        if base is not None:
            packages.append(base)
            relationships.append((image_id, "DESCENDANT_OF", base.spdx_id))
        os_package = _os_package(image, _spdx_id("OperatingSystem", n, str(image.platform)))
        if os_package is not None:
            packages.append(os_package)
            relationships.append((image_id, "CONTAINS", os_package.spdx_id))
        ids: dict[str, str] = {}
        package_ids = [
            _spdx_id("Package", n, m, package.type, package.name[:40])
            for m, package in enumerate(image.packages)
        ]
        for package, package_id in zip(image.packages, package_ids, strict=True):
            ids.setdefault(package_id_of(package), package_id)
            packages.append(_package(package, package_id, licences))
            relationships.append((image_id, "CONTAINS", package_id))
        for package, package_id in zip(image.packages, package_ids, strict=True):
            for target in package.depends_on:  # SPDX 2.3 §11.1: A DEPENDS_ON B
                if target in ids and ids[target] != package_id:
                    relationships.append((package_id, "DEPENDS_ON", ids[target]))
    return DocumentFacts(
        creation=creation,
        packages=tuple(packages),
        relationships=tuple(relationships),
        extracted=tuple(licences.extracted[k] for k in sorted(licences.extracted)),
    )
