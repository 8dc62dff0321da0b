"""Manifest + config (image-spec manifest.md, config.md; Docker image spec v1.2) → description."""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import Any

import orjson

from reporter.archive.interface import Archive, blob_path
from reporter.errors import InputError
from reporter.jsonread import (
    as_dict,
    as_list,
    as_str,
    as_str_map,
    digest_of,
    duplicate_keys,
    parse_descriptor,
    parse_json,
)
from reporter.model import (
    Descriptor,
    Finding,
    FindingKind,
    HistoryEntry,
    ImageConfig,
    ImageDescription,
    ImageTarget,
    Layer,
)
from reporter.options import Limits
from reporter.resolve import DOCKER_MANIFEST, read_blob

__all__ = [
    "METADATA_INSTRUCTIONS",
    "describe",
    "describe_docker",
    "docker_manifest_bytes",
    "instruction",
    "parse_config",
]

# Dockerfile instructions that change only the config, never the filesystem.
METADATA_INSTRUCTIONS = frozenset(
    {
        "ARG", "CMD", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL", "MAINTAINER",
        "ONBUILD", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    }
)  # fmt: skip
_NOP = re.compile(r"^/bin/sh -c #\(nop\)\s*")
_SHELL = re.compile(r"^/bin/(?:ba)?sh -c ")
_WORD = re.compile(r"^([A-Z]+)(?:\s+|$)")

DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
# What containers/image (skopeo) writes for docker-archive layers, compressed or not: using the
# same derived manifest makes our manifest digest equal ``skopeo inspect docker-archive:``'s.
DOCKER_ARCHIVE_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
_MODELLED = {
    "created",
    "author",
    "architecture",
    "os",
    "variant",
    "config",
    "rootfs",
    "history",
    "os.version",
    "os.features",
    "container_config",
    "container",
    "docker_version",
    "id",
    "parent",
    "throwaway",
    "Size",
}


def _diff_id_count(config: ImageConfig, layer_count: int, where: str) -> list[Finding]:
    """image-spec config.md: ``rootfs.diff_ids`` has one entry per layer, in order."""
    if not config.diff_ids or len(config.diff_ids) == layer_count:
        return []
    return [
        Finding(
            FindingKind.DIFFID_COUNT,
            f"config lists {len(config.diff_ids)} diff_ids for {layer_count} layers",
            where=where,
            integrity=True,
        )
    ]


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(v for v in as_list(value) if isinstance(v, str))


def parse_config(
    data: bytes, descriptor: Descriptor, where: str
) -> tuple[ImageConfig, list[Finding]]:
    findings: list[Finding] = []
    try:
        raw = as_dict(parse_json(data, where))
    except InputError as exc:
        # integrity: an image whose config cannot be read has no diff_ids to check its layers
        # against; it was reported as sound (exit 0) with only an error finding.
        return ImageConfig(descriptor.digest, descriptor.media_type, descriptor.size), [
            Finding(FindingKind.BAD_JSON, str(exc), where=where, integrity=True)
        ]
    findings.extend(duplicate_keys(data, where))
    runtime = as_dict(raw.get("config"))
    rootfs = as_dict(raw.get("rootfs"))
    history = tuple(
        HistoryEntry(
            created=as_str(h.get("created")),
            created_by=as_str(h.get("created_by")),
            author=as_str(h.get("author")),
            comment=as_str(h.get("comment")),
            empty_layer=h.get("empty_layer") is True,
        )
        for h in (as_dict(item) for item in as_list(raw.get("history")))
    )
    extra = {k: v for k, v in raw.items() if k not in _MODELLED}
    config = ImageConfig(
        digest=descriptor.digest,
        media_type=descriptor.media_type,
        size=descriptor.size,
        created=as_str(raw.get("created")),
        author=as_str(raw.get("author")),
        os=as_str(raw.get("os")),
        architecture=as_str(raw.get("architecture")),
        variant=as_str(raw.get("variant")),
        user=as_str(runtime.get("User")),
        env=_strings(runtime.get("Env")),
        entrypoint=_strings(runtime.get("Entrypoint")),
        cmd=_strings(runtime.get("Cmd")),
        working_dir=as_str(runtime.get("WorkingDir")),
        exposed_ports=tuple(sorted(as_dict(runtime.get("ExposedPorts")))),
        volumes=tuple(sorted(as_dict(runtime.get("Volumes")))),
        stop_signal=as_str(runtime.get("StopSignal")),
        labels=as_str_map(runtime.get("Labels")),
        diff_ids=_strings(rootfs.get("diff_ids")),
        history=history,
        extra=extra,
    )
    if raw and not config.os:
        findings.append(
            Finding(FindingKind.BAD_CONFIG, "config has no 'os'", where=where, severity="warning")
        )
    return config, findings


def instruction(created_by: str) -> tuple[str, str]:
    """``created_by`` → (Dockerfile instruction, its arguments); ``("", text)`` when it names
    none. Classic Docker and buildah write ``/bin/sh -c #(nop) LABEL k="v"`` for a non-RUN step
    and ``/bin/sh -c CMD`` for RUN; BuildKit writes ``LABEL k=v`` and ``RUN /bin/sh -c … #
    buildkit``."""
    text = created_by.strip()
    nop = _NOP.match(text)
    if nop is None and _SHELL.match(text):
        return "RUN", text
    text = text[nop.end() :] if nop else text
    word = _WORD.match(text)
    return (word.group(1), text[word.end() :]) if word else ("", text)


def _layer_history(
    history: tuple[HistoryEntry, ...], count: int
) -> list[tuple[HistoryEntry | None, tuple[HistoryEntry, ...]]]:
    """Per layer: (its history entry, the entries whose file changes it holds).

    config.md "history": entries with ``empty_layer`` do not correspond to a layer, so the n-th
    non-empty entry is layer n's. But buildah ``--layers=false`` squashes a build into one layer
    and marks every step but the last ``empty_layer`` (even its COPY and RUN steps), so a layer
    whose own entry only changes the config (a LABEL) was made by the COPY / RUN / ADD steps
    squashed into it since the previous layer: those are its ``made_by`` (empty otherwise).
    """
    made = [h for h in history if not h.empty_layer]
    if len(made) != count:
        return [(None, ())] * count
    out: list[tuple[HistoryEntry | None, tuple[HistoryEntry, ...]]] = []
    squashed: list[HistoryEntry] = []
    for entry in history:
        if entry.empty_layer:
            squashed.append(entry)
            continue
        word = instruction(entry.created_by)[0]
        changed = [h for h in squashed if instruction(h.created_by)[0] in ("RUN", "COPY", "ADD")]
        out.append((entry, tuple(changed) if word in METADATA_INSTRUCTIONS and changed else ()))
        squashed = []
    return out


def _layers(descriptors: list[Descriptor], config: ImageConfig) -> tuple[Layer, ...]:
    history = _layer_history(config.history, len(descriptors))
    return tuple(
        Layer(
            index=i,
            digest=d.digest,
            media_type=d.media_type,
            size=d.size,
            diff_id=config.diff_ids[i] if i < len(config.diff_ids) else "",
            annotations=d.annotations,
            history=history[i][0],
            made_by=history[i][1],
        )
        for i, d in enumerate(descriptors)
    )


def describe(archive: Archive, target: ImageTarget, limits: Limits) -> ImageDescription:
    """An OCI-layout image: read and verify its manifest and config."""
    findings: list[Finding] = []
    where = f"{archive.name}/{blob_path(target.manifest.digest)}"
    data = read_blob(archive, target.manifest, limits.max_json_bytes, findings, "manifest")
    doc = as_dict(parse_json(data, where)) if data is not None else {}
    config_descriptor, problems = parse_descriptor(doc.get("config"), f"{where} config")
    findings.extend(problems)
    layer_descriptors: list[Descriptor] = []
    for position, raw in enumerate(as_list(doc.get("layers"))):
        layer, problems = parse_descriptor(raw, f"{where} layers[{position}]")
        findings.extend(problems)
        if layer is not None:
            layer_descriptors.append(layer)
    config = ImageConfig(digest="", media_type="", size=0)
    if config_descriptor is not None:
        config = ImageConfig(
            config_descriptor.digest, config_descriptor.media_type, config_descriptor.size
        )
        config_bytes = read_blob(
            archive, config_descriptor, limits.max_json_bytes, findings, "config"
        )
        if config_bytes is not None:
            config, problems = parse_config(
                config_bytes,
                config_descriptor,
                f"{archive.name}/{blob_path(config_descriptor.digest)}",
            )
            findings.extend(problems)
    findings.extend(_diff_id_count(config, len(layer_descriptors), where))
    subject, _ = parse_descriptor(doc.get("subject"), where) if "subject" in doc else (None, [])
    return ImageDescription(
        target=target,
        manifest_media_type=as_str(doc.get("mediaType")) or target.manifest.media_type,
        manifest_annotations=as_str_map(doc.get("annotations")),
        config=config,
        layers=_layers(layer_descriptors, config),
        subject=subject,
        findings=tuple(findings),
    )


def docker_manifest_bytes(config: Descriptor, layers: list[Descriptor]) -> bytes:
    """The schema-2 manifest containers/image derives for a docker-archive image.

    Go's encoding/json field order (mediaType, size, digest) and compact form, so the digest
    equals ``skopeo inspect docker-archive:…``'s ``Digest``.
    """

    def desc(d: Descriptor) -> dict[str, Any]:
        return {"mediaType": d.media_type, "size": d.size, "digest": d.digest}

    manifest = {
        "schemaVersion": 2,
        "mediaType": DOCKER_MANIFEST,
        "config": desc(config),
        "layers": [desc(d) for d in layers],
    }
    return orjson.dumps(manifest)


def describe_docker(
    archive: Archive,
    target: ImageTarget,
    limits: Limits,
    layer_blobs: list[tuple[str, int] | None],
) -> ImageDescription:
    """A ``docker save`` image, given each layer's (blob digest, size) as streamed.

    ``layer_blobs[i]`` is None when the layer file is missing; its descriptor then carries the
    config's diff_id as the best available name, and a missing-blob finding is recorded.
    """
    findings: list[Finding] = []
    config_path, *layer_paths = target.docker_layer_paths
    where = f"{archive.name}/{config_path}"
    config_bytes = None
    try:
        config_bytes = archive.read(config_path, limits.max_json_bytes)
    except InputError as exc:
        findings.append(Finding(FindingKind.LIMIT, str(exc), where=where))
    config = ImageConfig(digest="", media_type=DOCKER_CONFIG, size=0)
    config_descriptor = Descriptor(DOCKER_CONFIG, "", 0)
    if config_bytes is not None:
        digest = digest_of(config_bytes)
        config_descriptor = Descriptor(DOCKER_CONFIG, digest, len(config_bytes))
        name = config_path.rsplit("/", 1)[-1].removesuffix(".json")
        is_v1_json = config_path.endswith("/json")  # repositories-only archives
        if not is_v1_json and len(name) == 64 and f"sha256:{name}" != digest:
            findings.append(
                Finding(
                    FindingKind.DIGEST_MISMATCH,
                    "config file name is not its sha256",
                    where=where,
                    expected=f"sha256:{name}",
                    actual=digest,
                    integrity=True,
                )
            )
        config, problems = parse_config(config_bytes, config_descriptor, where)
        findings.extend(problems)
    else:
        findings.append(
            Finding(FindingKind.MISSING_BLOB, "config is missing", where=where, integrity=True)
        )
    descriptors = []
    for i, (path, blob) in enumerate(zip(layer_paths, layer_blobs, strict=True)):
        if blob is None:
            fallback = config.diff_ids[i] if i < len(config.diff_ids) else ""
            descriptors.append(Descriptor(DOCKER_ARCHIVE_LAYER, fallback, archive.size(path) or 0))
        else:
            descriptors.append(Descriptor(DOCKER_ARCHIVE_LAYER, blob[0], blob[1]))
    if not config.diff_ids and config_path.endswith("/json"):
        config = _with_diff_ids(config, descriptors)
    manifest = docker_manifest_bytes(config_descriptor, descriptors)
    manifest_descriptor = Descriptor(
        DOCKER_MANIFEST, "sha256:" + hashlib.sha256(manifest).hexdigest(), len(manifest)
    )
    findings.extend(_diff_id_count(config, len(descriptors), where))
    return ImageDescription(
        target=ImageTarget(
            manifest=manifest_descriptor,
            refs=target.refs,
            platform=target.platform,
            docker_layer_paths=target.docker_layer_paths,
        ),
        manifest_media_type=DOCKER_MANIFEST,
        manifest_annotations={},
        config=config,
        layers=_layers(descriptors, config),
        findings=tuple(findings),
    )


def _with_diff_ids(config: ImageConfig, layers: list[Descriptor]) -> ImageConfig:
    """Pre-1.10 v1 JSON has no rootfs: legacy layer.tar files are uncompressed, so the blob
    digest is the diff_id (later checked against the streamed content)."""
    return replace(config, diff_ids=tuple(d.digest for d in layers))
