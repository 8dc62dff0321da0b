"""buildx / bake ``--metadata-file`` JSON, and BuildKit's ExporterResponse.

A build writes one object (``containerimage.digest``, ``containerimage.config.digest``,
``containerimage.descriptor``, ``image.name``, ``containerimage.buildinfo`` — base64 or decoded,
or per platform as ``containerimage.buildinfo/linux/amd64`` —, ``buildx.build.provenance`` (a
bare SLSA predicate), ``buildx.build.ref``); bake writes one such object per target. An object
wrapped in ``{"ExporterResponse": …}`` is read the same way.

``match_metadata`` ties entries to images by digest: the image's manifest digest, an index digest
it was reached through (``ImageTarget.parents``; a multi-platform build reports the index), or
its config digest. Entries that match nothing are reported, not dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from reporter.errors import ProvenanceError
from reporter.model import Descriptor, Finding, FindingKind, ImageDescription

from .common import is_digest, text

__all__ = ["MetadataEntry", "load_metadata_file", "match_metadata"]

_KNOWN_PREFIXES = ("containerimage.", "buildx.build.", "image.name")
_MAX_TARGETS = 10_000


@dataclass(frozen=True, slots=True)
class MetadataEntry:
    file: str  # as the user named it
    target: str = ""  # bake target; "" for a single build
    image_digest: str = ""  # containerimage.digest (manifest or index)
    config_digest: str = ""
    descriptor: Descriptor | None = None
    image_names: tuple[str, ...] = ()
    # raw build info: "" → containerimage.buildinfo, "linux/amd64" → the per-platform key
    buildinfo: Mapping[str, Any] = field(default_factory=dict)
    provenance: Mapping[str, Any] | None = None  # buildx.build.provenance (a SLSA predicate)
    build_ref: str = ""
    findings: tuple[Finding, ...] = ()
    origin: str = "metadata-file"  # or "build-record" (a .dockerbuild file's ExporterResponse)

    @property
    def where(self) -> str:
        return f"{self.file}#{self.target}" if self.target else self.file

    @property
    def digests(self) -> tuple[str, ...]:
        found = [self.image_digest, self.config_digest]
        if self.descriptor is not None:
            found.append(self.descriptor.digest)
        return tuple(sorted({d for d in found if d}))


def _is_build_object(value: Mapping[str, Any]) -> bool:
    return any(isinstance(k, str) and k.startswith(_KNOWN_PREFIXES) for k in value)


def load_metadata_file(path_name: str, data: bytes) -> tuple[MetadataEntry, ...]:
    """Parse a metadata file; ``ProvenanceError`` naming the file when it is unusable."""
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ProvenanceError(f"not JSON ({exc.msg} at byte {exc.pos})", where=path_name) from None
    if not isinstance(doc, dict):
        raise ProvenanceError("not a JSON object", where=path_name)
    if isinstance(doc.get("ExporterResponse"), dict):
        doc = doc["ExporterResponse"]
    if _is_build_object(doc) and not any(
        isinstance(v, dict) and _is_build_object(v)
        for k, v in doc.items()
        if not k.startswith(_KNOWN_PREFIXES)
    ):
        return (_entry(path_name, "", doc),)
    entries = [
        _entry(path_name, key, value)
        for key, value in sorted(doc.items())[:_MAX_TARGETS]
        if isinstance(value, dict) and _is_build_object(value)
    ]
    if not entries:
        raise ProvenanceError(
            "no build results (containerimage.* or buildx.build.* keys) in this metadata file",
            where=path_name,
        )
    return tuple(entries)


def _entry(path_name: str, target: str, obj: Mapping[str, Any]) -> MetadataEntry:
    where = f"{path_name}#{target}" if target else path_name
    findings: list[Finding] = []

    def digest(key: str) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if is_digest(value):
            return str(value)
        findings.append(
            Finding(
                FindingKind.BAD_METADATA,
                f"{key} {text(value, 100)!r} is not a digest; not used for matching",
                where=where,
                severity="warning",
            )
        )
        return ""

    descriptor = None
    raw_desc = obj.get("containerimage.descriptor")
    if isinstance(raw_desc, dict):
        desc_digest = raw_desc.get("digest")
        annotations = raw_desc.get("annotations")
        size = raw_desc.get("size")
        if is_digest(desc_digest):
            descriptor = Descriptor(
                media_type=text(raw_desc.get("mediaType")),
                digest=str(desc_digest),
                size=size if isinstance(size, int) and not isinstance(size, bool) else -1,
                annotations={k: text(v) for k, v in annotations.items() if isinstance(k, str)}
                if isinstance(annotations, dict)
                else {},
            )
    names_raw = obj.get("image.name")
    names: tuple[str, ...] = ()
    if isinstance(names_raw, str):
        names = tuple(n.strip() for n in names_raw.split(",") if n.strip())
    buildinfo: dict[str, Any] = {}
    for key, value in obj.items():
        if key == "containerimage.buildinfo":
            buildinfo[""] = value
        elif isinstance(key, str) and key.startswith("containerimage.buildinfo/"):
            buildinfo[key.removeprefix("containerimage.buildinfo/")] = value
    provenance = obj.get("buildx.build.provenance")
    if provenance is not None and not isinstance(provenance, dict):
        findings.append(
            Finding(
                FindingKind.BAD_METADATA,
                "buildx.build.provenance is not an object",
                where=where,
                severity="warning",
            )
        )
        provenance = None
    return MetadataEntry(
        file=path_name,
        target=target,
        image_digest=digest("containerimage.digest"),
        config_digest=digest("containerimage.config.digest"),
        descriptor=descriptor,
        image_names=names,
        buildinfo=buildinfo,
        provenance=provenance or None,
        build_ref=text(obj.get("buildx.build.ref")),
        findings=tuple(findings),
    )


def match_metadata(
    entries: Sequence[MetadataEntry], descs: Sequence[ImageDescription]
) -> tuple[dict[int, tuple[MetadataEntry, ...]], tuple[Finding, ...]]:
    """Image index → the entries that describe it; a finding per entry that matches no image."""
    matched: dict[int, list[MetadataEntry]] = {}
    findings: list[Finding] = []
    for entry in entries:
        wanted = set(entry.digests)
        hits = [
            n
            for n, desc in enumerate(descs)
            if wanted & {desc.target.manifest.digest, desc.config.digest, *desc.target.parents}
        ]
        for n in hits:
            matched.setdefault(n, []).append(entry)
        if not hits:
            findings.append(
                Finding(
                    FindingKind.METADATA_UNMATCHED,
                    "metadata entry matches no image by manifest, index or config digest"
                    if wanted
                    else "metadata entry names no usable digest, so it matches no image",
                    where=entry.where,
                    severity="warning",
                    expected=", ".join(sorted(wanted)) or None,
                )
            )
    return {n: tuple(found) for n, found in sorted(matched.items())}, tuple(findings)
