"""Hostile inputs, made on the fly from the project's own sample builder (samples/build.py).

Two kinds of variant:

* *tampered*: a sound sample with bytes changed after the fact (bit flips, truncation, missing
  or swapped blobs); digests no longer match, so the tool must say so;
* *consistent but hostile*: an image built from scratch whose digests all match but whose
  content is nasty (bombs, odd tar streams, injection strings, loops); the tool must read it
  without crashing, hanging or trusting more than it should.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samples.build import (
    Blobs,
    BuiltImage,
    TarFile,
    canonical,
    docker_save_bytes,
    gzip_bytes,
    tar_bytes,
    write_layout,
)

__all__ = [
    "GZIP_LAYER",
    "OCI_CONFIG",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "TAR_LAYER",
    "ZSTD_LAYER",
    "Sample",
    "TarFile",
    "custom_layout",
    "docker_save_bytes",
    "gzip_bytes",
    "layout_tar",
    "raw_tar",
    "sample_layout",
    "sha256",
    "tar_bytes",
    "write_blobs",
]

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
GZIP_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
ZSTD_LAYER = "application/vnd.oci.image.layer.v1.tar+zstd"
TAR_LAYER = "application/vnd.oci.image.layer.v1.tar"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass
class Sample:
    """A layout on disk and where each kind of blob in it lives."""

    root: Path
    images: list[BuiltImage] = field(default_factory=list)

    def blob(self, digest: str) -> Path:
        return self.root / "blobs" / "sha256" / digest.split(":", 1)[1]

    @property
    def index_json(self) -> Path:
        return self.root / "index.json"

    @property
    def manifest_digest(self) -> str:
        """The first image manifest (amd64)."""
        return str(self.images[0].manifest["digest"])

    @property
    def manifest(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.blob(self.manifest_digest).read_bytes())
        return doc

    @property
    def index_digest(self) -> str:
        """The image index that index.json points at."""
        return str(json.loads(self.index_json.read_bytes())["manifests"][0]["digest"])

    @property
    def config_digest(self) -> str:
        return str(self.manifest["config"]["digest"])

    def layer_digest(self, position: int = 0) -> str:
        return str(self.manifest["layers"][position]["digest"])

    def path_of(self, kind: str) -> Path:
        """The file for a kind of blob: archive is not here, see ``layout_tar``."""
        return {
            "index": self.index_json,
            "image-index": self.blob(self.index_digest),
            "manifest": self.blob(self.manifest_digest),
            "config": self.blob(self.config_digest),
            "layer": self.blob(self.layer_digest(0)),
        }[kind]


def sample_layout(out: Path, **kwargs: Any) -> Sample:
    """The demo layout (two platforms, attestation), optionally with other labels/annotations."""
    images = write_layout(out, **kwargs)
    return Sample(out, images)


def custom_layout(
    out: Path,
    layers: Sequence[bytes],
    *,
    media_type: str = GZIP_LAYER,
    diff_ids: Sequence[str] | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    config: Mapping[str, Any] | None = None,
    ref: str = "hostile",
) -> Sample:
    """One linux/amd64 image whose layer blobs are exactly ``layers`` (all digests match).

    ``diff_ids`` default to the sha256 of each blob decompressed with gzip when the media type
    says gzip and the blob is gzip, else of the blob itself; pass them when that cannot work
    (bombs).
    """
    blobs = Blobs()
    layer_descs = [{"mediaType": media_type, **blobs.add(data)} for data in layers]
    if diff_ids is None:
        import gzip

        diff_ids = [
            sha256(gzip.decompress(data)) if data[:2] == b"\x1f\x8b" else sha256(data)
            for data in layers
        ]
    doc: dict[str, Any] = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Labels": dict(labels or {})},
        "rootfs": {"type": "layers", "diff_ids": list(diff_ids)},
    }
    doc.update(config or {})
    config_bytes = canonical(doc)
    manifest = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, **blobs.add(config_bytes)},
        "layers": layer_descs,
        "annotations": dict(annotations or {}),
    }
    manifest_desc = {
        "mediaType": OCI_MANIFEST,
        **blobs.add(canonical(manifest)),
        "platform": {"architecture": "amd64", "os": "linux"},
        "annotations": {"org.opencontainers.image.ref.name": ref},
    }
    write_blobs(out, blobs, [manifest_desc])
    built = BuiltImage("amd64", manifest_desc, config_bytes, tuple(layers))
    return Sample(out, [built])


def write_blobs(out: Path, blobs: Blobs, manifests: list[dict[str, Any]]) -> None:
    (out / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    for digest, data in sorted(blobs.by_digest.items()):
        (out / "blobs" / "sha256" / digest.split(":", 1)[1]).write_bytes(data)
    (out / "oci-layout").write_bytes(canonical({"imageLayoutVersion": "1.0.0"}))
    (out / "index.json").write_bytes(canonical({"schemaVersion": 2, "manifests": manifests}))


def layout_tar(root: Path, *, extra: Sequence[TarFile] = ()) -> bytes:
    """An OCI-layout tarball (``buildx -o type=oci``) of a layout directory."""
    files: list[TarFile] = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_dir():
            files.append(TarFile(rel, kind="dir"))
        else:
            files.append(TarFile(rel, path.read_bytes()))
    return tar_bytes([*files, *extra])


def raw_tar(
    members: Sequence[tuple[tarfile.TarInfo, bytes]], *, fmt: int = tarfile.PAX_FORMAT
) -> bytes:
    """A tar from hand-made headers, for what ``TarFile`` cannot say (hard links, devices)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as tar:
        for info, data in members:
            info.mtime = 1700000000
            tar.addfile(info, io.BytesIO(data) if data else None)
    return out.getvalue()
