"""SPDX 2.3 JSON through spdx-tools, valid per its validator and meeting the NTIA minimum elements.

``--format spdx-json`` is written by ``reporter.render.spdx_json`` (plain dicts, no spdx-tools
import, byte-identical); this module builds spdx-tools' model from the same facts
(``reporter.render.spdx_facts``) and is kept as that writer's test oracle and for callers that
want the model (``report_to_spdx``) or its validator (``serialize_spdx(validate=True)``).

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

from typing import Any, ClassVar

import orjson
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
from reporter.model import Report
from reporter.render.interface import Renderer
from reporter.render.spdx_facts import NAMESPACE_PREFIX, PackageFacts, Who, document_facts

__all__ = ["NAMESPACE_PREFIX", "SPDXJSONRenderer", "report_to_spdx", "serialize_spdx"]

# SPDX 2.3 §7.21 spellings (the facts') → spdx-tools' enum members
_CATEGORIES = {
    "PACKAGE-MANAGER": ExternalPackageRefCategory.PACKAGE_MANAGER,
    "SECURITY": ExternalPackageRefCategory.SECURITY,
    "PERSISTENT-ID": ExternalPackageRefCategory.PERSISTENT_ID,
    "OTHER": ExternalPackageRefCategory.OTHER,
}


def _actor(who: Who | None) -> Actor | SpdxNoAssertion:
    return SpdxNoAssertion() if who is None else Actor(ActorType[who.kind], who.name, who.email)


def _package(facts: PackageFacts) -> Package:
    return Package(
        spdx_id=facts.spdx_id,
        name=facts.name,
        download_location=SpdxNoAssertion(),
        version=facts.version,
        supplier=_actor(facts.supplier),
        files_analyzed=False,
        checksums=[Checksum(ChecksumAlgorithm[a], v) for a, v in facts.checksums],
        license_concluded=SpdxNoAssertion(),
        license_declared=(
            SpdxNoAssertion()
            if facts.license_declared is None
            else spdx_licensing.parse(facts.license_declared)
        ),
        copyright_text=SpdxNoAssertion(),
        originator=None if facts.originator is None else _actor(facts.originator),
        external_references=[
            ExternalPackageRef(_CATEGORIES[category], kind, locator)
            for category, kind, locator in facts.refs
        ],
        primary_package_purpose=PackagePurpose[facts.purpose],
        description=facts.description,
        comment=facts.comment,
        built_date=facts.built_date,
    )


def report_to_spdx(report: Report) -> Document:
    """Pure: the SPDX 2.3 document model for the report's images."""
    facts = document_facts(report)
    creation = facts.creation
    return Document(
        creation_info=CreationInfo(
            spdx_version="SPDX-2.3",
            spdx_id="SPDXRef-DOCUMENT",
            name=creation.name,
            document_namespace=creation.namespace,
            creators=[Actor(ActorType[w.kind], w.name, w.email) for w in creation.creators],
            created=creation.created,
            creator_comment=creation.comment,
        ),
        packages=[_package(p) for p in facts.packages],
        relationships=[Relationship(a, RelationshipType[t], b) for a, t, b in facts.relationships],
        extracted_licensing_info=[
            ExtractedLicensingInfo(
                license_id=e.license_id,
                extracted_text=e.text,
                license_name=e.name,
                comment=e.comment,
            )
            for e in facts.extracted
        ],
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
