"""CycloneDX JSON written directly from the Report: plain dicts and orjson, no cyclonedx-python-lib.

Why (issue 16): on a 571-package image, building cyclonedx-python-lib's model (sorted sets,
``Bom.register_dependency``'s linear scans) and serialising it through py-serializable took
2.4–3.3 s of a ~4.7 s run, and importing the library ~0.3 s. This module writes the same
document in 0.16 s of CPU where the library took 1.5 s (571 packages; bench/README.md).

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
  from 1.6 (a 1.4 package's evidence is an empty object, as the library writes it), the 1.4
  ``tools`` as the legacy list of ``{name, version}``;
* URLs as ``XsUri`` rewrites them (spaces, quotes, brackets percent-encoded).

Where the library would rename clashing bom-refs (its ``BomRefDiscriminator``), this writer
does not try to imitate it: ``Duplicate`` is raised and the renderer uses the library path.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any, ClassVar

import orjson
from packageurl import PackageURL

from reporter.errors import UsageError
from reporter.model import BaseImage, ImageReport, Package, Report
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

__all__ = ["HASH_NAMES", "CycloneDXJSONRenderer", "Duplicate", "licence_objects", "render_json"]

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


class Duplicate(Exception):
    """Two elements of one BOM would share a bom-ref: the library path handles that."""


# --------------------------------------------------------------------------- JSON pieces


@lru_cache(maxsize=1)
def _spdx_ids() -> dict[str, str]:
    """Lower-cased SPDX id → id: what ``cyclonedx.spdx.fixup_id`` looks up, from our vendored
    copy of the same list (``reporter.catalog.licences``: cyclonedx-python-lib 11.12.0's
    ``spdx.schema.json``). Should the library's list change, the byte-for-byte test against
    the library path fails on the first licence the two lists disagree on."""
    from reporter.catalog.licences import spdx_ids

    return {i.lower(): i for i in spdx_ids()}


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
        declared = declared_identity(package)
        if declared is not None and self.v15:
            # CycloneDX 1.5 evidence.identity is one object; 1.6 an array of them
            field, technique, value = declared
            method: dict[str, Any] = {"confidence": 1.0, "technique": technique}
            if value:
                method["value"] = value
            identity = {"field": field, "methods": [method]}
            evidence = {"identity": [identity] if self.v16 else identity, **(evidence or {})}
        elif declared is not None and evidence is None:
            evidence = {}  # 1.4: the library writes an empty evidence object
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
        vendor = text(own_label(image, "org.opencontainers.image.vendor"))
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
        purl=index_purl(report, digest),
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
