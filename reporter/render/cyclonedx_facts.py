"""What both CycloneDX writers put in a BOM, as plain values (no cyclonedx-python-lib).

``reporter.render.cyclonedx_json`` writes them as JSON directly; ``reporter.render.cyclonedx``
wraps them in the library's classes (XML, and the oracle the JSON writer is tested against).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from packageurl import PackageURL

from reporter.catalog.dependencies import ECOSYSTEMS
from reporter.catalog.lockfiles._common import DECLARED
from reporter.model import BaseImage, ImageReport, Package, Provenance, Report
from reporter.render.attested_props import attested_properties
from reporter.render.common import (
    DISTRO_FIELDS,
    content_uuid,
    distro_field,
    has_invalid,
    image_repository,
    is_digest,
    parse_purl,
    parse_ref,
    person,
    sbom_text,
)
from reporter.render.inputname import sbom_input_name

__all__ = [
    "PROP",
    "SERIAL_NAMESPACE",
    "base_properties",
    "base_purl",
    "compositions",
    "contact_parts",
    "declared_identity",
    "external_references",
    "image_name",
    "image_properties",
    "index_digest",
    "index_properties",
    "index_purl",
    "occurrences",
    "os_properties",
    "package_properties",
    "package_refs",
    "provenance_properties",
    "purl_of",
    "serial",
    "stem",
    "text",
    "url_text",
]

# serial across versions of the tool.
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:oci-reporter:cyclonedx")
PROP = "oci-reporter"

# Ecosystems whose declared requirements ``reporter.catalog.dependencies`` resolves.
_GRAPH_TYPES = frozenset(ECOSYSTEMS)


def text(value: object) -> str:
    # XML 1.0 cannot carry most control characters at all; strip them from every string so the
    # JSON and XML forms of a BOM hold the same text (and terminal escapes never reach a consumer).
    return sbom_text(value, xml=True)


def _p(name: str, value: object) -> tuple[str, str]:
    return text(f"{PROP}:{name}"), text(value)


def image_name(image: ImageReport, report: Report) -> str:
    parsed = image_repository(image)
    if parsed:
        return parsed[0]
    return text(image.refs[0]) if image.refs else text(sbom_input_name(report)) or "image"


def purl_of(value: str) -> PackageURL | None:
    return parse_purl(value, xml=True)


_INVALID_URI = re.compile(r"%(?![0-9A-F]{2})|#.*#", re.IGNORECASE | re.MULTILINE)
# what cyclonedx-python-lib's ``XsUri`` percent-encodes, in its order
_URI_REPLACEMENTS = (
    (" ", "%20"),
    ('"', "%22"),
    ("'", "%27"),
    ("[", "%5B"),
    ("]", "%5D"),
    ("<", "%3C"),
    (">", "%3E"),
    ("{", "%7B"),
    ("}", "%7D"),
)


def url_text(value: str) -> str | None:
    """An external reference's URL, as ``XsUri`` writes it, only for URLs a consumer can act
    on (http/https/git/ssh with a host); anything else stays a property."""
    if not value or has_invalid(value, xml=True) or any(c.isspace() for c in value):
        return None
    try:
        parts = urlsplit(value)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "git", "ssh", "git+https", "git+ssh"):
        return None
    if not parts.netloc or _INVALID_URI.search(value):
        return None
    for old, new in _URI_REPLACEMENTS:
        value = value.replace(old, new)
    return value


_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+")


def contact_parts(value: str) -> tuple[str | None, str | None] | None:
    """``Name <mail@host>`` → (name, email), either may be None; None when neither is there."""
    name, email = person(text(value))
    email = email if _EMAIL.fullmatch(email) else ""
    if not (name or email):
        return None
    return name or None, email or None


def package_properties(package: Package) -> list[tuple[str, str]]:
    properties = [_p("package:type", package.type)]
    if package.cataloger:
        properties.append(_p("cataloger", package.cataloger))
    if package.layer_index is not None:
        properties.append(_p("layer:index", package.layer_index))
    if package.layer_digest:
        properties.append(_p("layer:digest", package.layer_digest))
    if package.layer_diff_id:
        properties.append(_p("layer:diff_id", package.layer_diff_id))
    if package.base is not None:
        properties.append(_p("layer:base", str(package.base).lower()))
    for n, location in enumerate(package.locations):
        properties.append(_p(f"location:{n}:path", location.path))
        properties.append(_p(f"location:{n}:layer:index", location.layer_index))
        properties.append(_p(f"location:{n}:layer:digest", location.layer_digest))
    for key, value in package.metadata:
        properties.append(_p(f"metadata:{key}", value))
    # CycloneDX has one ``cpe`` per component; the other candidates travel as properties,
    # as syft's ``syft:cpe23`` do.
    properties.extend(_p("cpe23", cpe) for cpe in package.cpes[1:])
    if package.purl and purl_of(package.purl) is None:
        properties.append(_p("purl:unparsed", package.purl))
    return properties


def occurrences(package: Package, ref: str) -> list[tuple[str, str]]:
    """(bom-ref, location) of each file the package was read from (1.5+ ``occurrences``)."""
    return [
        (f"{ref}#location-{n}", text(location.path))
        for n, location in enumerate(package.locations)
        if text(location.path)
    ]


def declared_identity(package: Package) -> tuple[str, str, str] | None:
    """(field, technique, value) of the ``evidence.identity`` a lock-file package carries.

    A package a lock file declares was not found installed: its identity rests on reading a
    manifest. CycloneDX 1.5 ``component.evidence.identity`` ("evidence that substantiates the
    identity of a component"; ``methods[].technique`` ``manifest-analysis``, ``value`` the
    file analysed; 1.6 makes ``identity`` an array of such objects) says so in a form SBOM
    readers know, beside the ``oci-reporter:metadata:declared`` property. ``None`` for an
    installed package."""
    if dict(package.metadata).get("declared") != DECLARED:
        return None
    where = text(package.locations[0].path) if package.locations else ""
    return ("purl" if package.purl else "name", "manifest-analysis", where)


def os_properties(image: ImageReport) -> list[tuple[str, str]]:
    return [
        _p(f"distro:{key}", value)
        for key in DISTRO_FIELDS
        if (value := distro_field(image.distro, key)) and key not in ("id", "version_id")
    ]


def provenance_properties(provenance: Provenance) -> list[tuple[str, str]]:
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
            properties.append(_p(f"provenance:{key}", value))
    if provenance.reproducible is not None:
        properties.append(_p("provenance:reproducible", str(provenance.reproducible).lower()))
    for key, value in sorted(provenance.build_args.items()):
        properties.append(_p(f"provenance:build-arg:{key}", value))
    for n, source in enumerate(provenance.sources):
        for field in ("type", "ref", "pin", "alias", "origin", "origin_detail"):
            value = getattr(source, field)
            if value:
                properties.append(_p(f"source:{n}:{field}", value))
    for n, fact in enumerate(provenance.facts):
        properties.append(_p(f"fact:{n}:{fact.key}", fact.value))
        properties.append(_p(f"fact:{n}:origin", f"{fact.origin} {fact.origin_detail}".strip()))
    return properties


def external_references(provenance: Provenance) -> list[tuple[str, str, str]]:
    """(type, url, comment) of each build source a consumer can fetch: vcs or distribution."""
    references = []
    seen: set[str] = set()
    candidates = [(provenance.vcs_source, provenance.vcs_revision, "git")]
    candidates += [(s.ref, s.pin, s.type) for s in provenance.sources if s.type in ("git", "http")]
    for value, pin, kind in candidates:
        url = url_text(value)
        if url is None or value in seen:
            continue
        seen.add(value)
        comment = text(f"build source, pinned at {pin}" if pin else "build source, not pinned")
        references.append(("vcs" if kind == "git" else "distribution", url, comment))
    return references


def base_purl(base: BaseImage) -> PackageURL | None:
    parsed = parse_ref(base.name) if base.name else None
    if not (parsed and is_digest(base.digest)):
        return None
    qualifiers = {"repository_url": parsed[0]} | ({"tag": parsed[1]} if parsed[1] else {})
    return PackageURL(
        type="oci", name=parsed[0].rsplit("/", 1)[-1], version=base.digest, qualifiers=qualifiers
    )


def base_properties(base: BaseImage) -> list[tuple[str, str]]:
    properties = [_p("base:confidence", base.confidence)]
    if base.layer_count is not None:
        properties.append(_p("base:layer_count", base.layer_count))
    if base.note:
        properties.append(_p("base:note", base.note))
    for n, evidence in enumerate(base.evidence):
        properties.append(_p(f"base:evidence:{n}:kind", evidence.kind))
        properties.append(_p(f"base:evidence:{n}:detail", evidence.detail))
        if evidence.origin:
            properties.append(_p(f"base:evidence:{n}:origin", evidence.origin))
    return properties


def _integrity_ok(report: Report, image: ImageReport) -> bool:
    findings = (*report.findings, *image.description.findings, *image.findings)
    return not any(f.integrity for f in findings)


def image_properties(image: ImageReport, report: Report) -> list[tuple[str, str]]:
    description = image.description
    config = description.config
    properties = [
        _p("image:platform", image.platform),
        _p("image:manifest:media_type", description.manifest_media_type),
        _p("image:config:digest", config.digest),
        _p("image:integrity", "ok" if _integrity_ok(report, image) else "failed"),
    ]
    if config.created:
        properties.append(_p("image:created", config.created))
    # The multi-platform image index(es) this image was reached through (issue 12 item 6),
    # outermost first: the purl and hashes name the platform manifest, the artifact that runs;
    # a consumer that pulled by the index digest finds it here.
    for n, parent in enumerate(description.target.parents):
        properties.append(_p(f"image:index:{n}:digest", parent))
    properties.extend(_p("image:ref", r) for r in image.refs)
    properties.extend(_p(f"label:{k}", v) for k, v in sorted(config.labels.items()))
    properties.extend(
        _p(f"annotation:{k}", v) for k, v in sorted(description.manifest_annotations.items())
    )
    for layer in description.layers:
        properties.append(_p(f"layer:{layer.index}:digest", layer.digest))
        if layer.diff_id:
            properties.append(_p(f"layer:{layer.index}:diff_id", layer.diff_id))
        properties.append(_p(f"layer:{layer.index}:size", layer.size))
        if layer.base is not None:
            properties.append(_p(f"layer:{layer.index}:base", str(layer.base).lower()))
    properties.extend(provenance_properties(image.provenance))
    # attested SBOM vs our scan (issue 17); the names already carry ``oci-reporter:attested:``
    properties.extend((text(k), text(v)) for k, v in attested_properties(image))
    return properties


def index_digest(report: Report) -> str:
    """The digest of the one image index every platform image was reached through, else ""."""
    parents = {
        image.description.target.parents[0]
        for image in report.images
        if image.description.target.parents
    }
    return parents.pop() if len(parents) == 1 else ""


def index_purl(report: Report, digest: str) -> PackageURL | None:
    """``pkg:oci/<name>@<index digest>?repository_url=…[&tag=…]`` for an index-rooted BOM.

    purl-spec, type ``oci``: "The version is the sha256:hex_encoded_lowercase_digest of the
    artifact"; for a multi-platform image the artifact pulled by name is the index, so no
    ``arch`` qualifier. Only when every platform image names the same repository and tag.
    """
    names = {image_repository(image) for image in report.images}
    if len(names) != 1 or not is_digest(digest):
        return None
    parsed = names.pop()
    if parsed is None:
        return None
    repository, tag = parsed
    qualifiers = {"repository_url": repository} | ({"tag": tag} if tag else {})
    qualifiers = {k: v for k, v in qualifiers.items() if not has_invalid(v, xml=True)}
    return PackageURL(
        type="oci", name=repository.rsplit("/", 1)[-1], version=digest, qualifiers=qualifiers
    )


def index_properties(report: Report) -> list[tuple[str, str]]:
    return [
        _p("input:format", report.input_format),
        _p("image:integrity", "ok" if report.integrity_ok else "failed"),
    ]


def stem(package: Package) -> str:
    # the text of ``reporter.catalog.dependencies.package_id``, when the purl is usable
    return (
        text(package.purl)
        if purl_of(package.purl)
        else text(f"{package.type}:{package.name}@{package.version}")
    )


def package_refs(image: ImageReport, prefix: str) -> list[tuple[str, Package]]:
    refs: list[tuple[str, Package]] = []
    used: set[str] = set()
    for package in image.packages:
        package_stem = stem(package)
        ref, n = f"{prefix}{package_stem}", 1
        while ref in used:
            n += 1
            ref = f"{prefix}{package_stem}#{n}"
        used.add(ref)
        refs.append((ref, package))
    return refs


def serial(report: Report, *content: object) -> uuid.UUID:
    """Serial = UUID5 of the BOM's inputs (``content_uuid``): one per content, reproducible."""
    return content_uuid(
        SERIAL_NAMESPACE,
        report.tool_version,
        report.generated,
        report.sbom_author,
        report.sbom_supplier,
        *content,
    )


def compositions(root_ref: str | None, packages: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    """How complete the BOM says it is (CycloneDX 1.3+ ``compositions``), never more than known.

    ``packages``: (bom-ref, package type) of every package component.

    * the assembly (what the image contains) is ``incomplete``: a file no cataloger reads
      (a vendored binary, a static library) is not a component;
    * the dependencies of packages from a graph ecosystem (dpkg, rpm, apk, Python, npm) are
      ``incomplete``: declared requirements are resolved within the image, and one that
      nothing installed provides (or that names a file) has no edge;
    * the dependencies of every other package are ``unknown``: nothing was read about them.

    cyclonedx-python-lib models no compositions, so they are added to the serialised BOM.
    """
    graph: list[str] = []
    other: list[str] = []
    for ref, package_type in packages:
        (graph if package_type in _GRAPH_TYPES else other).append(ref)
    out: list[dict[str, Any]] = []
    if root_ref is not None:
        out.append({"aggregate": "incomplete", "assemblies": [root_ref]})
    if graph:
        out.append({"aggregate": "incomplete", "dependencies": sorted(graph)})
    if other:
        out.append({"aggregate": "unknown", "dependencies": sorted(other)})
    return out
