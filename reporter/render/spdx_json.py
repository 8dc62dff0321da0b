"""SPDX 2.3 JSON written directly from the Report: plain dicts and orjson, no spdx-tools.

Why (issue 16): importing spdx-tools costs ~0.3 s of CPU (its model, beartype-checked
constructors, the validator), and building its model and walking it with its converters
~0.45 s on a 571-package image (bench/README.md). This module writes the same bytes from the
same facts (``reporter.render.spdx_facts``) as ``reporter.render.spdx``, the spdx-tools path,
which stays as the oracle of ``tests/render/test_spdx_json.py``: every real fixture, the
samples and the factory reports (hostile ones and SBOM author/supplier variants included) go
through both and must give the same bytes, and the direct output must pass the official SPDX
2.3 JSON schema.

What it copies from spdx-tools' ``DocumentConverter`` (0.8): a property whose value is
``None`` is left out, and so is an empty list (``[...] or None``); ``NOASSERTION`` is written
as that string; actors as ``Kind: name (email)``; times as ``datetime_to_iso_string`` writes
them (UTC, whole seconds, ``Z``); ``dataLicense`` ``CC0-1.0`` (SPDX 2.3 §6.2);
``referenceCategory`` with the hyphen of §7.21 (what ``serialize_spdx`` rewrites spdx-tools'
enum names to). Keys are sorted, so the order spdx-tools builds them in does not matter.
"""

from __future__ import annotations

from typing import Any, ClassVar

import orjson

from reporter.model import Report
from reporter.render.interface import Renderer
from reporter.render.spdx_facts import (
    DocumentFacts,
    PackageFacts,
    Who,
    document_facts,
    iso_time,
    licence_string,
)

__all__ = ["SPDXJSONRenderer", "document_dict", "render_spdx_json"]

_NOASSERTION = "NOASSERTION"


def _actor(who: Who | None) -> str:
    return _NOASSERTION if who is None else who.serialized()


def _package(facts: PackageFacts) -> dict[str, Any]:
    package: dict[str, Any] = {
        "SPDXID": facts.spdx_id,
        "comment": facts.comment,
        "copyrightText": _NOASSERTION,
        "downloadLocation": _NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": _NOASSERTION,
        "licenseDeclared": (
            _NOASSERTION
            if facts.license_declared is None
            else licence_string(facts.license_declared)
        ),
        "name": facts.name,
        "primaryPackagePurpose": facts.purpose,
        "supplier": _actor(facts.supplier),
        "versionInfo": facts.version,
    }
    if facts.checksums:
        package["checksums"] = [
            {"algorithm": algorithm, "checksumValue": value} for algorithm, value in facts.checksums
        ]
    if facts.refs:
        package["externalRefs"] = [
            {"referenceCategory": category, "referenceLocator": locator, "referenceType": kind}
            for category, kind, locator in facts.refs
        ]
    if facts.originator is not None:
        package["originator"] = facts.originator.serialized()
    if facts.description is not None:
        package["description"] = facts.description
    if facts.built_date is not None:
        package["builtDate"] = iso_time(facts.built_date)
    return package


def document_dict(facts: DocumentFacts) -> dict[str, Any]:
    """The JSON object spdx-tools' converter makes of the same facts."""
    creation = facts.creation
    document: dict[str, Any] = {
        "SPDXID": "SPDXRef-DOCUMENT",
        "creationInfo": {
            "comment": creation.comment,
            "created": iso_time(creation.created),
            "creators": [who.serialized() for who in creation.creators],
        },
        "dataLicense": "CC0-1.0",
        "documentNamespace": creation.namespace,
        "name": creation.name,
        "spdxVersion": "SPDX-2.3",
    }
    if facts.extracted:
        document["hasExtractedLicensingInfos"] = [
            {
                "comment": e.comment,
                "extractedText": e.text,
                "licenseId": e.license_id,
                "name": e.name,
            }
            for e in facts.extracted
        ]
    if facts.packages:
        document["packages"] = [_package(p) for p in facts.packages]
    if facts.relationships:
        document["relationships"] = [
            {"relatedSpdxElement": b, "relationshipType": kind, "spdxElementId": a}
            for a, kind, b in facts.relationships
        ]
    return document


def render_spdx_json(report: Report) -> bytes:
    document = document_dict(document_facts(report))
    return orjson.dumps(document, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


class SPDXJSONRenderer(Renderer):
    name: ClassVar[str] = "spdx-json"
    suffix: ClassVar[str] = ".spdx.json"
    media_type: ClassVar[str] = "application/spdx+json"

    def render(self, report: Report) -> bytes:
        return render_spdx_json(report)
