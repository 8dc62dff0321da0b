"""Build ImageDescriptions from real layouts / docker-save tars for the provenance tests.

A stand-in for ``reporter.resolve`` + ``reporter.image`` (being written in parallel); kept to
this one module so the tests can switch to the real readers later.
"""

from __future__ import annotations

import functools
import tarfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from reporter.model import (
    AttestationRef,
    Descriptor,
    HistoryEntry,
    ImageConfig,
    ImageDescription,
    ImageTarget,
    Layer,
    Platform,
)

AttestationBlob = tuple[AttestationRef, Descriptor, bytes]

_MODELLED = {"created", "author", "architecture", "os", "variant", "config", "rootfs", "history"}


def config_from_json(digest: str, data: bytes, media_type: str = "") -> ImageConfig:
    doc: dict[str, Any] = orjson.loads(data)
    cfg = doc.get("config") or {}
    return ImageConfig(
        digest=digest,
        media_type=media_type or "application/vnd.oci.image.config.v1+json",
        size=len(data),
        created=doc.get("created") or "",
        architecture=doc.get("architecture") or "",
        os=doc.get("os") or "",
        variant=doc.get("variant") or "",
        labels=dict(cfg.get("Labels") or {}),
        diff_ids=tuple((doc.get("rootfs") or {}).get("diff_ids") or ()),
        history=tuple(
            HistoryEntry(
                created=h.get("created") or "",
                created_by=h.get("created_by") or "",
                comment=h.get("comment") or "",
                empty_layer=bool(h.get("empty_layer")),
            )
            for h in doc.get("history") or ()
        ),
        extra={k: v for k, v in doc.items() if k not in _MODELLED},
    )


def descriptor(raw: Mapping[str, Any]) -> Descriptor:
    plat = raw.get("platform")
    return Descriptor(
        media_type=raw.get("mediaType", ""),
        digest=raw["digest"],
        size=raw.get("size", 0),
        annotations=dict(raw.get("annotations") or {}),
        platform=Platform(plat["os"], plat["architecture"], plat.get("variant", ""))
        if plat
        else None,
    )


def describe(
    blob: bytes,
    desc: Descriptor,
    config_bytes: bytes,
    *,
    refs: tuple[str, ...] = (),
    parents: tuple[str, ...] = (),
    index_annotations: tuple[tuple[str, Mapping[str, str]], ...] = (),
    attestations: tuple[AttestationRef, ...] = (),
) -> ImageDescription:
    manifest = orjson.loads(blob)
    config = config_from_json(manifest["config"]["digest"], config_bytes)
    layers = tuple(
        Layer(
            index=n,
            digest=raw["digest"],
            media_type=raw.get("mediaType", ""),
            size=raw.get("size", 0),
            diff_id=config.diff_ids[n] if n < len(config.diff_ids) else "",
            annotations=dict(raw.get("annotations") or {}),
        )
        for n, raw in enumerate(manifest.get("layers") or ())
    )
    return ImageDescription(
        target=ImageTarget(
            manifest=desc,
            refs=refs,
            platform=desc.platform,
            parents=parents,
            index_annotations=index_annotations,
            attestations=attestations,
        ),
        manifest_media_type=manifest.get("mediaType", ""),
        manifest_annotations=dict(manifest.get("annotations") or {}),
        config=config,
        layers=layers,
    )


def layout_images(root: Path) -> list[tuple[ImageDescription, list[AttestationBlob]]]:
    """Every image manifest in an OCI layout, with its BuildKit attestation layers' bytes."""

    def blob(digest: str) -> bytes:
        return (root / "blobs" / digest.replace(":", "/")).read_bytes()

    found: list[tuple[ImageDescription, list[AttestationBlob]]] = []

    def walk(
        index: Mapping[str, Any],
        parents: tuple[str, ...],
        annotations: tuple[tuple[str, Mapping[str, str]], ...],
        refs: tuple[str, ...],
    ) -> None:
        entries = [descriptor(m) for m in index.get("manifests") or ()]
        attests: dict[str, list[AttestationRef]] = {}
        for d in entries:
            if d.annotations.get("vnd.docker.reference.type") == "attestation-manifest":
                man = orjson.loads(blob(d.digest))
                layers = tuple(descriptor(x) for x in man.get("layers") or ())
                subject = d.annotations["vnd.docker.reference.digest"]
                attests.setdefault(subject, []).append(
                    AttestationRef(d, "attestation-manifest", layers=layers)
                )
        for d in entries:
            if d.annotations.get("vnd.docker.reference.type") == "attestation-manifest":
                continue
            name = d.annotations.get("org.opencontainers.image.ref.name")
            here = (*refs, name) if name else refs
            if d.media_type.endswith("index.v1+json") or "manifest.list" in d.media_type:
                inner = orjson.loads(blob(d.digest))
                walk(
                    inner,
                    (*parents, d.digest),
                    (*annotations, (d.digest, dict(inner.get("annotations") or {}))),
                    here,
                )
                continue
            data = blob(d.digest)
            man = orjson.loads(data)
            try:
                config_bytes = blob(man["config"]["digest"])
            except FileNotFoundError:
                continue
            links = tuple(attests.get(d.digest, ()))
            image = describe(
                data,
                d,
                config_bytes,
                refs=here,
                parents=parents,
                index_annotations=annotations,
                attestations=links,
            )
            blobs = [(ref, layer, blob(layer.digest)) for ref in links for layer in ref.layers]
            found.append((image, blobs))

    top = orjson.loads((root / "index.json").read_bytes())
    walk(top, (), (("index.json", {}),), ())
    return found


@functools.lru_cache(maxsize=4)
def docker_save_image(path: Path, refs: tuple[str, ...] = ()) -> ImageDescription:
    """The (only) image of a gzip'd classic docker-save tar."""
    with tarfile.open(path) as tar:
        manifest = orjson.loads(_member(tar, "manifest.json"))[0]
        config_name: str = manifest["Config"]
        config_bytes = _member(tar, config_name)
    digest = "sha256:" + config_name.removesuffix(".json").rsplit("/", 1)[-1]
    config = config_from_json(digest, config_bytes)
    fake = Descriptor("application/vnd.docker.distribution.manifest.v2+json", "", 0)
    layers = tuple(
        Layer(index=n, digest=diff, media_type="application/x-tar", size=0, diff_id=diff)
        for n, diff in enumerate(config.diff_ids)
    )
    return ImageDescription(
        target=ImageTarget(manifest=fake, refs=refs or tuple(manifest.get("RepoTags") or ())),
        manifest_media_type=fake.media_type,
        manifest_annotations={},
        config=config,
        layers=layers,
    )


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    handle = tar.extractfile(name)
    assert handle is not None
    return handle.read()
