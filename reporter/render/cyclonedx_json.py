"""CycloneDX JSON written directly from the Report: plain dicts and orjson, no cyclonedx-python-lib.

Why (issue 16): on a 571-package image, building cyclonedx-python-lib's model (sorted sets,
``Bom.register_dependency``'s linear scans) and serialising it through py-serializable took
2.4–3.3 s of a ~4.7 s run, and importing the library ~0.3 s. This module writes the same
document in a few tens of milliseconds.

The output is byte-identical to ``reporter.render.cyclonedx`` (the library path, kept for XML
and as the test oracle) for every spec version we offer: ``tests/render/test_cyclonedx_json.py``
renders every real fixture, the samples and the factory reports through both and compares
bytes, and validates the fast output with the library's strict JSON validator. To be
identical it copies what the library does when it serialises:

* keys in the order py-serializable writes them: a class's properties sorted by Python name
  (``bom_ref`` → ``bom-ref``, ``external_references`` → ``externalReferences``), then
  ``$schema``, ``bomFormat``, ``specVersion`` at the end of the document, then our
  ``compositions``;
* collections as its ``SortedSet`` s keep them: sorted by each class's comparison tuple, where
  ``None`` sorts after any value, and duplicates dropped;
* per spec version: ``lifecycles`` and ``evidence.occurrences`` from 1.5, component ``authors``
  from 1.6, the 1.4 ``tools`` as the legacy list of ``{name, version}``;
* URLs as ``XsUri`` rewrites them (spaces, quotes, brackets percent-encoded).

Where the library would rename clashing bom-refs (its ``BomRefDiscriminator``), this writer
does not try to imitate it: ``Duplicate`` is raised and the renderer uses the library path.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import orjson
from packageurl import PackageURL

from reporter.catalog.dependencies import ECOSYSTEMS
from reporter.errors import UsageError
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
    "PROP",
    "SERIAL_NAMESPACE",
    "CycloneDXJSONRenderer",
    "Duplicate",
    "base_properties",
    "base_purl",
    "compositions",
    "contact_parts",
    "external_references",
    "image_name",
    "image_properties",
    "index_digest",
    "index_properties",
    "licence_objects",
    "occurrences",
    "os_properties",
    "package_properties",
    "package_refs",
    "provenance_properties",
    "purl_of",
    "render_json",
    "serial",
    "stem",
    "text",
    "url_text",
]

# Namespace for UUID5 serial numbers: fixed forever, so the same digest always gets the same
# serial across versions of the tool.
SERIAL_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:oci-reporter:cyclonedx")
PROP = "oci-reporter"

# our algorithm names → CycloneDX ``hash-alg`` values
HASH_NAMES = {
    "md5": "MD5",
    "sha1": "SHA-1",
    "sha256": "SHA-256",
    "sha384": "SHA-384",
    "sha512": "SHA-512",
    "sha3-256": "SHA3-256",
    "sha3-512": "SHA3-512",
}
_SCHEMA_URLS = {
    "1.4": "http://cyclonedx.org/schema/bom-1.4.schema.json",
    "1.5": "http://cyclonedx.org/schema/bom-1.5.schema.json",
    "1.6": "http://cyclonedx.org/schema/bom-1.6.schema.json",
    "1.7": "http://cyclonedx.org/schema/bom-1.7.schema.json",
}
# Ecosystems whose declared requirements ``reporter.catalog.dependencies`` resolves.
_GRAPH_TYPES = frozenset(ECOSYSTEMS)


class Duplicate(Exception):
    """Two elements of one BOM would share a bom-ref: the library path handles that."""


# --------------------------------------------------------------------------- shared facts
# What both paths put in a BOM, as plain values; ``reporter.render.cyclonedx`` wraps them in
# the library's classes.


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


# --------------------------------------------------------------------------- JSON pieces


@lru_cache(maxsize=1)
def _spdx_ids() -> dict[str, str]:
    """Lower-cased SPDX id → id, from the list cyclonedx-python-lib validates against (its
    ``cyclonedx.spdx.fixup_id``), read from the file without importing the library."""
    spec = find_spec("cyclonedx")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - a dependency
        raise UsageError("cyclonedx-python-lib is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "schema" / "_res" / "spdx.SNAPSHOT.schema.json"
    ids: list[str] = orjson.loads(path.read_bytes()).get("enum", [])
    return {i.lower(): i for i in ids}


def licence_objects(texts: Sequence[str]) -> list[dict[str, Any]]:
    """One SPDX expression stays an expression; several licences become a list of id/name.

    CycloneDX allows either one ``expression`` or a list of ``license`` objects, never both.
    Only a valid SPDX expression of listed ids is an ``expression`` (CycloneDX 1.6
    §licenses: "A valid SPDX license expression"); "GPL" or "BSD License" go to ``name``.
    """
    ids = _spdx_ids()
    cleaned = [text(t).strip() for t in texts if text(t).strip()]
    if (
        len(cleaned) == 1
        and cleaned[0].lower() not in ids
        and (expr := spdx_expression(cleaned[0]))
    ):
        return [{"expression": expr}]
    by_id = sorted({ids[t.lower()] for t in cleaned if t.lower() in ids})
    by_name = sorted({t for t in cleaned if t.lower() not in ids})
    return [{"license": {"id": i}} for i in by_id] + [{"license": {"name": n}} for n in by_name]


def _properties(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    # Property compares as (name, value); a SortedSet drops repeats
    return [{"name": n, "value": v} for n, v in sorted(set(pairs))]


def _hashes(pairs: Iterable[tuple[str, str]]) -> list[dict[str, str]]:
    found = {(HASH_NAMES[a], v) for a, v in known_hashes(pairs, HASH_NAMES)}
    return [{"alg": a, "content": v} for a, v in sorted(found)]


def _digest_hashes(digest: str) -> list[dict[str, str]]:
    algorithm, _, hexpart = digest.partition(":")
    return _hashes([(algorithm, hexpart)])


def _none_last(value: str | None) -> tuple[bool, str]:
    # the library's ComparableTuple: None sorts after every value
    return (value is None, value or "")


def _contacts(parts: Iterable[tuple[str | None, str | None]]) -> list[dict[str, str]]:
    unique = set(parts)
    ordered = sorted(unique, key=lambda p: (_none_last(p[0]), _none_last(p[1])))
    out = []
    for name, email in ordered:
        entry = {}
        if email is not None:
            entry["email"] = email
        if name is not None:
            entry["name"] = name
        out.append(entry)
    return out


def _entity(value: str) -> dict[str, Any] | None:
    """A distributor (dpkg Maintainer, rpm Vendor, apk maintainer) as an organizational entity."""
    parts = contact_parts(value)
    if parts is None:
        return None
    return {"contact": _contacts([parts]), "name": parts[0] or parts[1]}


def _set(out: dict[str, Any], key: str, value: Any) -> None:
    # py-serializable leaves out None and empty collections
    if value is not None and value != []:
        out[key] = value


def _component(
    *,
    kind: str,
    name: str,
    ref: str,
    version: str | None = None,
    authors: list[dict[str, str]] | None = None,
    cpe: str | None = None,
    description: str | None = None,
    evidence: dict[str, Any] | None = None,
    references: Sequence[tuple[str, str, str]] = (),
    hashes: list[dict[str, str]] | None = None,
    licenses: list[dict[str, Any]] | None = None,
    pedigree: dict[str, Any] | None = None,
    properties: Sequence[tuple[str, str]] = (),
    publisher: str | None = None,
    purl: PackageURL | None = None,
    supplier: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A component's keys in py-serializable's order (Python property names, sorted)."""
    out: dict[str, Any] = {}
    _set(out, "authors", authors)
    out["bom-ref"] = ref
    _set(out, "cpe", cpe)
    _set(out, "description", description)
    _set(out, "evidence", evidence)
    _set(
        out,
        "externalReferences",
        [
            {"comment": c, "type": t, "url": u}
            for t, u, c in sorted(set(references), key=lambda r: (r[0], r[1], r[2]))
        ],
    )
    _set(out, "hashes", hashes)
    _set(out, "licenses", licenses)
    out["name"] = name
    _set(out, "pedigree", pedigree)
    _set(out, "properties", _properties(properties))
    _set(out, "publisher", publisher)
    _set(out, "purl", purl.to_string() if purl is not None else None)
    _set(out, "supplier", supplier)
    out["type"] = kind
    _set(out, "version", version)
    return out


class _Bom:
    """The parts of one BOM as they are built, with every bom-ref seen."""

    def __init__(self, spec_version: str) -> None:
        self.spec_version = spec_version
        self.v15 = spec_version != "1.4"
        self.v16 = spec_version not in ("1.4", "1.5")
        self.components: list[dict[str, Any]] = []
        self.dependencies: dict[str, set[str]] = {}
        self.package_types: list[tuple[str, str]] = []
        self.refs: set[str] = set()

    def ref(self, value: str) -> str:
        if value in self.refs:
            raise Duplicate(value)
        self.refs.add(value)
        return value

    def depend(self, target: str, needs: Iterable[str] = ()) -> None:
        # Bom.register_dependency: the target and each of what it needs get an entry
        needs = list(needs)
        self.dependencies.setdefault(target, set()).update(needs)
        for need in needs:
            self.dependencies.setdefault(need, set())

    def package(self, package: Package, ref: str) -> dict[str, Any]:
        self.ref(ref)
        found = occurrences(package, ref)
        evidence: dict[str, Any] | None = None
        if found:
            for occurrence_ref, _ in found:
                self.ref(occurrence_ref)
            evidence = (
                {"occurrences": [{"bom-ref": r, "location": loc} for r, loc in sorted(set(found))]}
                if self.v15
                else {}
            )
        authors = [p for p in map(contact_parts, package.authors) if p]
        return _component(
            kind="library",
            name=text(package.name) or "unknown",
            version=text(package.version) or None,
            ref=ref,
            purl=purl_of(package.purl),
            licenses=licence_objects(package.licenses),
            hashes=_hashes(package.hashes),
            properties=package_properties(package),
            evidence=evidence,
            cpe=text(package.cpes[0]) if package.cpes else None,
            supplier=_entity(package.supplier),
            publisher=text(package.supplier) or None,
            # ``authors`` is CycloneDX 1.6+
            authors=_contacts(authors) if self.v16 else None,
        )

    def os(self, image: ImageReport, prefix: str) -> dict[str, Any] | None:
        name = text(distro_field(image.distro, "id"))
        version = text(distro_field(image.distro, "version_id"))
        if not name:
            return None
        return _component(
            kind="operating-system",
            name=name,
            version=version or None,
            ref=self.ref(text(f"{prefix}os:{name}@{version}")),
            description=text(distro_field(image.distro, "pretty_name")) or None,
            properties=os_properties(image),
        )

    def base(self, base: BaseImage, prefix: str) -> dict[str, Any] | None:
        if not (base.name or base.digest):
            return None
        return _component(
            kind="container",
            name=text(base.name) or "unknown",
            version=text(base.digest) or None,
            ref=self.ref(text(f"{prefix}base:{base.digest or base.name}")),
            purl=base_purl(base),
            hashes=_digest_hashes(base.digest),
            properties=base_properties(base),
        )

    def image(self, image: ImageReport, report: Report, ref: str, prefix: str) -> dict[str, Any]:
        description = image.description
        vendor = text(description.config.labels.get("org.opencontainers.image.vendor", ""))
        self.ref(ref)
        base = self.base(image.base, prefix)
        return _component(
            kind="container",
            name=image_name(image, report),
            version=text(description.target.manifest.digest),
            ref=ref,
            purl=image_purl(image),
            hashes=_digest_hashes(description.target.manifest.digest),
            supplier={"name": vendor} if vendor.strip() else None,
            properties=image_properties(image, report),
            references=external_references(image.provenance),
            pedigree={"ancestors": [base]} if base else None,
        )

    def packages(self, parent: str, image: ImageReport, prefix: str) -> None:
        """The image's OS and packages as components; parent → each, package → what it needs."""
        pairs = package_refs(image, prefix)
        children = [self.package(p, ref) for ref, p in pairs]
        os_component = self.os(image, prefix)
        self.components.extend(children)
        if os_component is not None:
            self.components.append(os_component)
        child_refs = [ref for ref, _ in pairs] + ([os_component["bom-ref"]] if os_component else [])
        self.depend(parent, child_refs)
        by_stem: dict[str, str] = {}
        for ref, package in pairs:
            by_stem.setdefault(stem(package), ref)
            self.package_types.append((ref, package.type))
        for ref, package in pairs:
            needed = [by_stem[d] for d in package.depends_on if d in by_stem]
            self.depend(ref, [n for n in needed if n != ref])

    def document(self, report: Report, root: dict[str, Any], serial_number: uuid.UUID) -> bytes:
        version = report.tool_version
        self.ref(f"tool:oci-reporter@{text(version)}")
        tool: Any = (
            {
                "components": [
                    {
                        "bom-ref": f"tool:oci-reporter@{text(version)}",
                        "name": "oci-reporter",
                        "publisher": "oci-reporter",
                        "supplier": {"name": "oci-reporter"},
                        "type": "application",
                        "version": text(version),
                    }
                ]
            }
            if self.v15
            else [{"name": "oci-reporter", "version": text(version)}]
        )
        metadata: dict[str, Any] = {}
        author = contact_parts(report.sbom_author) if report.sbom_author else None
        _set(metadata, "authors", _contacts([author]) if author else None)
        metadata["component"] = root
        if self.v15:
            # the SBOM was made from a built image: post-build (CycloneDX 1.5 §metadata.lifecycles)
            metadata["lifecycles"] = [{"phase": "post-build"}]
        _set(metadata, "supplier", _entity(report.sbom_supplier) if report.sbom_supplier else None)
        metadata["timestamp"] = generated_time(report.generated).isoformat()
        metadata["tools"] = tool
        # Component sorts by (type, group, name, version, bom-ref, …); bom-refs are unique
        components = sorted(
            self.components,
            key=lambda c: (c["type"], c["name"], _none_last(c.get("version")), c["bom-ref"]),
        )
        dependencies = []
        for ref in sorted(self.dependencies):
            needs = self.dependencies[ref]
            dependencies.append({"dependsOn": sorted(needs), "ref": ref} if needs else {"ref": ref})
        document: dict[str, Any] = {}
        _set(document, "components", components)
        document["dependencies"] = dependencies
        document["metadata"] = metadata
        document["serialNumber"] = f"urn:uuid:{serial_number}"
        document["version"] = 1
        document["$schema"] = _SCHEMA_URLS[self.spec_version]
        document["bomFormat"] = "CycloneDX"
        document["specVersion"] = self.spec_version
        document["compositions"] = compositions(root["bom-ref"], self.package_types)
        return orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"


def _platform_json(report: Report, image: ImageReport, spec_version: str) -> bytes:
    bom = _Bom(spec_version)
    digest = image.description.target.manifest.digest
    root = bom.image(image, report, text(f"image:{digest}"), "")
    bom.packages(root["bom-ref"], image, "")
    return bom.document(report, root, serial(report, image))


def _index_json(report: Report, spec_version: str) -> bytes:
    bom = _Bom(spec_version)
    digests = sorted(image.description.target.manifest.digest for image in report.images)
    digest = index_digest(report)
    names = sorted({image_name(image, report) for image in report.images})
    root = _component(
        kind="container",
        name=names[0] if names else text(sbom_input_name(report)) or "image",
        version=text(digest) or None,
        ref=bom.ref(text(f"index:{digest or sbom_input_name(report)}")),
        hashes=_digest_hashes(digest),
        properties=index_properties(report),
    )
    image_refs = []
    for image in report.images:
        prefix = text(f"{image.platform}|")
        ref = text(f"image:{image.platform}|{image.description.target.manifest.digest}")
        bom.components.append(bom.image(image, report, ref, prefix))
        bom.packages(ref, image, prefix)
        image_refs.append(ref)
    bom.depend(root["bom-ref"], image_refs)
    return bom.document(report, root, serial(report, digest or "\n".join(digests), report.images))


def _check_version(spec_version: str) -> None:
    if spec_version not in CYCLONEDX_SPEC_VERSIONS:
        raise UsageError(
            f"unsupported CycloneDX spec version {spec_version!r}; choose one of "
            + ", ".join(CYCLONEDX_SPEC_VERSIONS)
        )


def render_json(
    report: Report,
    *,
    spec_version: str = DEFAULT_CYCLONEDX_SPEC_VERSION,
    index_root: bool = False,
) -> list[tuple[str, bytes]]:
    """``(platform, CycloneDX JSON)`` per image, or ``[("index", …)]`` with ``index_root``.

    Raises ``Duplicate`` when two elements would share a bom-ref (use the library path then).
    """
    _check_version(spec_version)
    if index_root:
        return [("index", _index_json(report, spec_version))]
    return [
        (str(image.platform), _platform_json(report, image, spec_version))
        for image in report.images
    ]


class CycloneDXJSONRenderer(Renderer):
    """``cyclonedx-json`` written directly; one BOM per platform image unless ``index_root``.

    The library renderer (``reporter.render.cyclonedx.CycloneDXRenderer``) writes the same
    bytes and is used, imported only then, when two elements of a BOM would share a bom-ref.
    """

    name: ClassVar[str] = "cyclonedx-json"
    suffix: ClassVar[str] = ".cdx.json"
    media_type: ClassVar[str] = "application/vnd.cyclonedx+json"

    def __init__(
        self, *, spec_version: str = DEFAULT_CYCLONEDX_SPEC_VERSION, index_root: bool = False
    ) -> None:
        _check_version(spec_version)  # fail at construction, before any work
        self.spec_version = spec_version
        self.index_root = index_root

    def render(self, report: Report) -> bytes:
        if not self.index_root and len(report.images) > 1:
            # A CycloneDX document has one metadata.component; silently picking one platform,
            # or silently switching to an index-rooted BOM, would both surprise.
            raise UsageError(
                f"{self.name} describes one image per BOM and the input has "
                f"{len(report.images)} platforms: write one file per platform with --output-dir, "
                "choose one with --platform, or ask for one BOM rooted at the index"
            )
        return self.render_per_platform(report)[0][1]

    def render_per_platform(self, report: Report) -> list[tuple[str, bytes]]:
        try:
            return render_json(report, spec_version=self.spec_version, index_root=self.index_root)
        except Duplicate:
            from reporter.render.cyclonedx import CycloneDXRenderer

            library = CycloneDXRenderer(spec_version=self.spec_version, index_root=self.index_root)
            return library.render_per_platform(report)
