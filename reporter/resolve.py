"""Index → per-platform image manifests, with attestations and referrers linked; never opens layers.

Follows image-layout.md (``index.json`` is an image index), image-index.md (nested indexes,
Docker manifest lists), BuildKit's attestation storage (descriptors annotated
``vnd.docker.reference.type: attestation-manifest`` and ``vnd.docker.reference.digest``), OCI 1.1
``subject`` referrers (manifest.md "subject"), and ``docker save``'s ``manifest.json`` (legacy,
and Docker 25+ which adds an OCI layout beside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from reporter.archive.interface import Archive, blob_path
from reporter.errors import InputError, LayoutError
from reporter.jsonread import (
    as_dict,
    as_list,
    as_str,
    as_str_map,
    duplicate_keys,
    parse_descriptor,
    parse_json,
    verify_bytes,
)
from reporter.model import AttestationRef, Descriptor, Finding, FindingKind, ImageTarget, Platform
from reporter.options import Limits

__all__ = [
    "INDEX_TYPES",
    "MANIFEST_TYPES",
    "Resolution",
    "read_blob",
    "resolve",
]

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = (OCI_INDEX, DOCKER_LIST)
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
IMAGE_CONFIG_TYPES = (
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
)
REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"
REFERENCE_TYPE = "vnd.docker.reference.type"
REFERENCE_DIGEST = "vnd.docker.reference.digest"


@dataclass(frozen=True, slots=True)
class Resolution:
    format: str  # oci-layout, docker-archive, docker-archive+oci
    targets: tuple[ImageTarget, ...]
    findings: tuple[Finding, ...]
    # other artifacts met (helm charts, build records...) as (descriptor, why not an image)
    artifacts: tuple[tuple[Descriptor, str], ...] = ()


def read_blob(
    archive: Archive, descriptor: Descriptor, limit: int, findings: list[Finding], what: str
) -> bytes | None:
    """A small blob by descriptor, verified; problems are appended to ``findings``."""
    path = blob_path(descriptor.digest)
    where = f"{archive.name}/{path or descriptor.digest}"
    if path is None:
        findings.append(
            Finding(
                FindingKind.BAD_DIGEST,
                f"{what} has a malformed digest {descriptor.digest!r}",
                where=archive.name,
                integrity=True,
            )
        )
        return None
    if descriptor.size > limit:
        findings.append(
            Finding(
                FindingKind.LIMIT,
                f"{what} claims {descriptor.size} bytes, over the {limit}-byte limit",
                where=where,
            )
        )
        return None
    try:
        data = archive.read(path, limit)
    except InputError as exc:
        findings.append(Finding(FindingKind.LIMIT, str(exc), where=where))
        return None
    if data is None:
        findings.append(
            Finding(
                FindingKind.MISSING_BLOB,
                f"{what} blob is missing",
                where=where,
                expected=descriptor.digest,
                integrity=True,
            )
        )
        return None
    problems = verify_bytes(data, descriptor, where)
    findings.extend(problems)
    if any(p.kind == FindingKind.DIGEST_MISMATCH for p in problems):
        return None  # never trust content that is not what it claims to be
    return data


@dataclass(slots=True)
class _Walk:
    archive: Archive
    limits: Limits
    findings: list[Finding] = field(default_factory=list)
    images: dict[str, ImageTarget] = field(default_factory=dict)
    # subject digest -> attestation refs
    links: dict[str, list[AttestationRef]] = field(default_factory=dict)
    artifacts: list[tuple[Descriptor, str]] = field(default_factory=list)
    seen_manifests: int = 0
    # descriptors already walked (digest, media type, refs, annotations, platform): an index
    # listing the same child twice at each of 30 levels made 2^30 walks (a "diamond" bomb);
    # 10^5 entries naming one manifest re-read and re-parsed it 10^5 times (31 s).
    walked: set[tuple[Any, ...]] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Document:
    """A manifest or index read and parsed: its descriptor, its JSON and where it lives."""

    descriptor: Descriptor
    doc: dict[str, Any]
    where: str


def _sniff_media_type(doc: dict[str, Any]) -> str:
    """For descriptors and documents without ``mediaType`` (umoci, some exporters)."""
    declared = as_str(doc.get("mediaType"))
    if declared in INDEX_TYPES or declared in MANIFEST_TYPES:
        return declared
    if "manifests" in doc:
        return OCI_INDEX
    if "config" in doc or "layers" in doc:
        return OCI_MANIFEST
    return declared


def _is_layer_type(media_type: str) -> bool:
    """image-spec layer.md media types, Docker's rootfs.diff types and their foreign variants."""
    return media_type.startswith(
        ("application/vnd.oci.image.layer.", "application/vnd.docker.image.rootfs.")
    ) or media_type in ("application/x-tar", "application/tar", "application/tar+gzip")


def _refs_of(annotations: dict[str, str] | Any) -> tuple[str, ...]:
    refs = []
    for key in (CONTAINERD_NAME, REF_NAME):
        value = annotations.get(key, "") if hasattr(annotations, "get") else ""
        if value and value not in refs:
            refs.append(value)
    return tuple(refs)


def _walk(
    walk: _Walk,
    descriptor: Descriptor,
    *,
    refs: tuple[str, ...],
    parents: tuple[str, ...],
    index_annotations: tuple[tuple[str, Any], ...],
) -> None:
    """Walk one descriptor: an index recurses into its children, an attestation or referrer
    manifest is linked to its subject, anything else not an image is listed as an artifact,
    and an image manifest becomes an ``ImageTarget``."""
    if not _should_walk(walk, descriptor, refs, parents):
        return
    document = _read_document(walk, descriptor)
    if document is None:
        return
    doc, where = document.doc, document.where
    media_type = (
        _sniff_media_type(doc)
        if descriptor.media_type not in INDEX_TYPES + MANIFEST_TYPES
        else descriptor.media_type
    )
    if media_type in INDEX_TYPES:
        _walk_index(walk, document, refs, parents, index_annotations)
        return
    if media_type not in MANIFEST_TYPES:
        walk.artifacts.append((descriptor, f"unknown media type {media_type or '(none)'}"))
        walk.findings.append(
            Finding(
                FindingKind.UNKNOWN_MEDIA_TYPE,
                f"{descriptor.digest} has media type {media_type or '(none)'}; not an image",
                where=where,
                severity="warning",
            )
        )
        return
    config, layers = _manifest_parts(walk, document)
    if _link_attached(walk, document, layers):
        return
    why = _not_an_image(config, layers)
    if why:
        walk.artifacts.append((descriptor, why))
        walk.findings.append(
            Finding(
                FindingKind.NOT_AN_IMAGE,
                f"{descriptor.digest}: {why}; listed as an artifact",
                where=where,
                severity="info",
            )
        )
        return
    _add_image(
        walk,
        ImageTarget(
            manifest=descriptor,
            refs=refs,
            platform=descriptor.platform,
            parents=parents,
            index_annotations=index_annotations,
        ),
    )


def _should_walk(
    walk: _Walk, descriptor: Descriptor, refs: tuple[str, ...], parents: tuple[str, ...]
) -> bool:
    """The guards before any read: the manifest count limit, index cycles, nesting depth, and
    descriptors already walked (the same child listed twice is walked once)."""
    walk.seen_manifests += 1
    name = walk.archive.name
    if walk.seen_manifests > walk.limits.max_manifests:
        if walk.seen_manifests == walk.limits.max_manifests + 1:
            message = f"more than {walk.limits.max_manifests} manifests; the rest are not read"
            walk.findings.append(Finding(FindingKind.LIMIT, message, where=name))
        return False
    if descriptor.digest in parents:
        message = f"index {descriptor.digest} includes itself (directly or through nested indexes)"
        walk.findings.append(Finding(FindingKind.INDEX_CYCLE, message, where=name))
        return False
    if len(parents) > walk.limits.max_index_depth:
        deep = Finding(FindingKind.LIMIT, "indexes nested too deep", where=name)
        if deep not in walk.findings:
            walk.findings.append(deep)
        return False
    key = (
        descriptor.digest,
        descriptor.media_type,
        refs,
        tuple(sorted(descriptor.annotations.items())),
        descriptor.platform,
    )
    if key in walk.walked:
        return False
    walk.walked.add(key)
    return True


def _read_document(walk: _Walk, descriptor: Descriptor) -> _Document | None:
    """The verified, parsed JSON the descriptor names and where it lives; None when unreadable
    (the reason is a finding)."""
    data = read_blob(
        walk.archive,
        descriptor,
        walk.limits.max_json_bytes,
        walk.findings,
        f"manifest {descriptor.digest}",
    )
    if data is None:
        return None
    where = f"{walk.archive.name}/{blob_path(descriptor.digest)}"
    try:
        doc = as_dict(parse_json(data, where))
    except InputError as exc:
        # integrity: the index lists a manifest nobody can read, so an image may be missing
        walk.findings.append(Finding(FindingKind.BAD_JSON, str(exc), where=where, integrity=True))
        return None
    walk.findings.extend(duplicate_keys(data, where))
    return _Document(descriptor, doc, where)


def _walk_index(
    walk: _Walk,
    document: _Document,
    refs: tuple[str, ...],
    parents: tuple[str, ...],
    index_annotations: tuple[tuple[str, Any], ...],
) -> None:
    """Recurse into an index's children, each carrying the refs and annotations above it."""
    descriptor, doc, where = document.descriptor, document.doc, document.where
    child_annotations = (
        *index_annotations,
        (descriptor.digest, as_str_map(doc.get("annotations"))),
    )
    for position, raw in enumerate(as_list(doc.get("manifests"))):
        child, problems = parse_descriptor(raw, f"{where} manifests[{position}]")
        walk.findings.extend(problems)
        if child is not None:
            _walk(
                walk,
                child,
                refs=refs + _refs_of(child.annotations),
                parents=(*parents, descriptor.digest),
                index_annotations=child_annotations,
            )


def _manifest_parts(walk: _Walk, document: _Document) -> tuple[Descriptor | None, list[Descriptor]]:
    """A manifest's config and layer descriptors; malformed ones are findings."""
    doc, where = document.doc, document.where
    config, problems = parse_descriptor(doc.get("config"), f"{where} config")
    walk.findings.extend(problems)
    layers: list[Descriptor] = []
    for position, raw in enumerate(as_list(doc.get("layers"))):
        layer, problems = parse_descriptor(raw, f"{where} layers[{position}]")
        walk.findings.extend(problems)
        if layer is not None:
            layers.append(layer)
    return config, layers


def _link_attached(walk: _Walk, document: _Document, layers: list[Descriptor]) -> bool:
    """Link a manifest attached to another one (BuildKit's attestation manifest, an OCI 1.1
    referrer with ``subject``) to what it describes; True when it was one."""
    descriptor, doc, where = document.descriptor, document.doc, document.where
    reference_type = descriptor.annotations.get(REFERENCE_TYPE, "")
    subject, _ = parse_descriptor(doc.get("subject"), where) if "subject" in doc else (None, [])
    artifact_type = as_str(doc.get("artifactType")) or descriptor.artifact_type
    if reference_type:
        # BuildKit attestation storage: the descriptor names the manifest it describes.
        described = descriptor.annotations.get(REFERENCE_DIGEST, "")
        ref = AttestationRef(
            manifest=descriptor,
            kind=reference_type,
            artifact_type=artifact_type,
            layers=tuple(layers),
        )
        if described:
            walk.links.setdefault(described, []).append(ref)
        else:
            walk.artifacts.append((descriptor, f"{reference_type} without a subject digest"))
        return True
    if subject is not None:
        walk.links.setdefault(subject.digest, []).append(
            AttestationRef(
                manifest=descriptor,
                kind="referrer",
                artifact_type=artifact_type,
                layers=tuple(layers),
            )
        )
        return True
    return False


def _not_an_image(config: Descriptor | None, layers: list[Descriptor]) -> str:
    """Why a manifest is an artifact rather than an image, or "" when it is an image."""
    not_layers = [d.media_type for d in layers if d.media_type and not _is_layer_type(d.media_type)]
    if config is None or (config.media_type and config.media_type not in IMAGE_CONFIG_TYPES):
        return (
            f"config media type {config.media_type if config else '(none)'} is not an image config"
        )
    if layers and len(not_layers) == len(layers):
        return f"its layers are {not_layers[0]}, not filesystem layers"
    return ""


def _add_image(walk: _Walk, target: ImageTarget) -> None:
    """Record an image target; one listed again (another tag) gains the new refs."""
    digest = target.manifest.digest
    existing = walk.images.get(digest)
    if existing is not None:
        merged = tuple(dict.fromkeys(existing.refs + target.refs))
        walk.images[digest] = replace(existing, refs=merged)
        return
    walk.images[digest] = target


def _resolve_oci(archive: Archive, limits: Limits, walk: _Walk) -> bool:
    """Walk ``index.json``; False when there is none (or it lists nothing)."""
    data = (
        archive.read("index.json", limits.max_json_bytes) if archive.exists("index.json") else None
    )
    if data is None:
        return False
    where = f"{archive.name}/index.json"
    index = parse_json(data, where)
    walk.findings.extend(duplicate_keys(data, where))
    if not isinstance(index, dict):
        raise LayoutError("index.json is not a JSON object", where=archive.name)
    manifests = index.get("manifests")
    if manifests is None:
        return False  # Docker 25's hybrid may say "manifests": null; manifest.json then rules
    if not isinstance(manifests, list):
        raise LayoutError("index.json 'manifests' is not a list", where=archive.name)
    if archive.exists("oci-layout"):
        layout = as_dict(
            parse_json(archive.read("oci-layout", 4096) or b"{}", f"{archive.name}/oci-layout")
        )
        if as_str(layout.get("imageLayoutVersion")) != "1.0.0":
            walk.findings.append(
                Finding(
                    FindingKind.LAYOUT_VERSION,
                    "oci-layout imageLayoutVersion is "
                    f"{layout.get('imageLayoutVersion')!r}, not '1.0.0'",
                    where=f"{archive.name}/oci-layout",
                    severity="warning",
                )
            )
    top = (("index.json", as_str_map(index.get("annotations"))),)
    for position, raw in enumerate(manifests):
        descriptor, problems = parse_descriptor(raw, f"{where} manifests[{position}]")
        walk.findings.extend(problems)
        if descriptor is not None:
            _walk(
                walk,
                descriptor,
                refs=_refs_of(descriptor.annotations),
                parents=(),
                index_annotations=top,
            )
    return True


def _docker_entries(archive: Archive, limits: Limits) -> list[dict[str, Any]] | None:
    if not archive.exists("manifest.json"):
        return None
    where = f"{archive.name}/manifest.json"
    data = archive.read("manifest.json", limits.max_json_bytes) or b""
    entries = parse_json(data, where)
    if not isinstance(entries, list):
        raise LayoutError("manifest.json is not a list of images", where=archive.name)
    return [as_dict(e) for e in entries]


def _safe_member(name: str) -> bool:
    return bool(name) and not name.startswith("/") and ".." not in name.split("/")


def _docker_targets(archive: Archive, entries: list[dict[str, Any]], walk: _Walk) -> None:
    """Legacy ``docker save``: the manifest is derived later, once layer digests are known."""
    for position, entry in enumerate(entries):
        where = f"{archive.name}/manifest.json[{position}]"
        config = as_str(entry.get("Config"))
        layer_paths = [as_str(p) for p in as_list(entry.get("Layers"))]
        bad = [p for p in [config, *layer_paths] if not _safe_member(p)]
        if bad:
            raise LayoutError(
                f"manifest.json entry {position} names {bad[0]!r}, which is "
                "absolute, empty or climbs out with '..'",
                where=archive.name,
            )
        tags = tuple(t for t in as_list(entry.get("RepoTags")) if isinstance(t, str))
        walk.images[f"docker:{position}"] = ImageTarget(
            manifest=Descriptor(media_type=DOCKER_MANIFEST, digest="", size=0),
            refs=tags,
            docker_layer_paths=(config, *layer_paths),
        )
        if not archive.exists(config):
            walk.findings.append(
                Finding(
                    FindingKind.MISSING_BLOB,
                    f"config {config!r} is missing",
                    where=where,
                    integrity=True,
                )
            )


def _repositories_targets(archive: Archive, walk: _Walk, limits: Limits) -> bool:
    """Pre-1.10 archives with only ``repositories``: each tag names its top layer id."""
    if not archive.exists("repositories"):
        return False
    data = archive.read("repositories", limits.max_json_bytes) or b""
    repos = as_dict(parse_json(data, f"{archive.name}/repositories"))
    found = False
    for repo, tags in sorted(repos.items()):
        for tag, top in sorted(as_str_map(tags).items()):
            chain: list[str] = []
            layer_id = top
            while layer_id and layer_id not in chain and len(chain) < 1000:
                if not _safe_member(layer_id):
                    break
                chain.append(layer_id)
                raw = archive.read(f"{layer_id}/json", limits.max_json_bytes)
                layer_id = (
                    as_str(
                        as_dict(parse_json(raw, f"{archive.name}/{layer_id}/json")).get("parent")
                    )
                    if raw
                    else ""
                )
            chain.reverse()
            walk.images[f"repositories:{repo}:{tag}"] = ImageTarget(
                manifest=Descriptor(media_type=DOCKER_MANIFEST, digest="", size=0),
                refs=(f"{repo}:{tag}",),
                docker_layer_paths=(f"{top}/json", *(f"{i}/layer.tar" for i in chain)),
            )
            found = True
    return found


def resolve(archive: Archive, limits: Limits) -> Resolution:
    walk = _Walk(archive, limits)
    entries = _docker_entries(archive, limits)
    has_oci = _resolve_oci(archive, limits, walk)
    if has_oci:
        fmt = (
            "docker-archive+oci"
            if entries is not None
            else ("oci-layout" if archive.kind == "oci-layout" else "oci-archive")
        )
        if entries:
            _tag_from_docker_manifest(archive, entries, walk)
    elif entries is not None:
        if not entries:
            raise LayoutError("manifest.json lists no images", where=archive.name)
        fmt = "docker-archive"
        _docker_targets(archive, entries, walk)
    elif _repositories_targets(archive, walk, limits):
        fmt = "docker-archive"
    else:
        # Say why when the names exist but were refused (a symlink out of the layout, a FIFO,
        # an absolute member name): "no index.json" alone hid the attack.
        refused = "; ".join(f"{f.where}: {f.message}" for f in archive.findings[:2])
        raise LayoutError(
            "not an image: no index.json with manifests, no manifest.json, no repositories"
            + (f" ({refused})" if refused else ""),
            where=archive.name,
        )
    targets = []
    index_links = {
        digest: refs
        for digest, refs in walk.links.items()
        if any(digest in t.parents for t in walk.images.values())
    }
    for key in sorted(walk.images, key=_target_order(walk.images)):
        target = walk.images[key]
        links = walk.links.pop(target.manifest.digest, [])
        # A referrer whose subject is an index describes every image under that index.
        for parent in target.parents:
            links.extend(index_links.get(parent, []))
        if links:
            target = replace(
                target, attestations=tuple(sorted(links, key=lambda a: a.manifest.digest))
            )
        targets.append(target)
    for subject, refs in sorted(walk.links.items()):
        if subject in index_links:
            continue
        for ref in refs:
            walk.findings.append(
                Finding(
                    FindingKind.DANGLING_ATTESTATION,
                    f"{ref.kind} {ref.manifest.digest} "
                    f"describes {subject}, which is not in the input",
                    where=archive.name,
                    severity="warning",
                )
            )
    return Resolution(fmt, tuple(targets), tuple(walk.findings), tuple(walk.artifacts))


def _target_order(images: dict[str, ImageTarget]) -> Any:
    order = {key: position for position, key in enumerate(images)}
    return lambda key: order[key]


def _tag_from_docker_manifest(archive: Archive, entries: list[dict[str, Any]], walk: _Walk) -> None:
    """Docker 25+: manifest.json's RepoTags name images of the OCI layout by config path."""
    by_config: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        tags = tuple(t for t in as_list(entry.get("RepoTags")) if isinstance(t, str))
        config = as_str(entry.get("Config"))
        if config.startswith("blobs/") and tags:
            algorithm, _, encoded = config[len("blobs/") :].partition("/")
            by_config[f"{algorithm}:{encoded}"] = tags
    if not by_config:
        return
    for key, target in list(walk.images.items()):
        data = read_blob(archive, target.manifest, walk.limits.max_json_bytes, [], "manifest")
        if data is None:
            continue
        config = as_str(
            as_dict(as_dict(parse_json(data, archive.name)).get("config")).get("digest")
        )
        extra = by_config.get(config)
        if extra:
            walk.images[key] = replace(target, refs=tuple(dict.fromkeys(target.refs + extra)))


def matches_platform(target_platform: Platform | None, wanted: tuple[Platform, ...]) -> bool:
    if not wanted:
        return True
    if target_platform is None:
        return False
    key = target_platform.normalized()
    return any(w.normalized() == key for w in wanted)
