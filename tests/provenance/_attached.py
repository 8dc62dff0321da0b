"""A one-image OCI layout (samples/build.py's amd64 image) with blobs attached the way the real
tools store them: BuildKit attestation manifests, OCI 1.1 referrers, cosign ``.sig`` tags."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from samples.build import DEFAULT_ANNOTATIONS, DEFAULT_LABELS, Blobs, build_image, canonical

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
INTOTO = "application/vnd.in-toto+json"

Layer = tuple[bytes, str, Mapping[str, str]]  # bytes, media type, annotations


def image_only(out: Path) -> str:
    """The image alone (what syft can read as ``oci-dir:``); returns its manifest digest."""
    return attached(out)


def attached(
    out: Path,
    *,
    attestation: Sequence[Layer] = (),
    referrer: Sequence[Layer] = (),
    sig_tag: Sequence[Layer] = (),
    sig_subject: str = "",
) -> str:
    blobs = Blobs()
    image = build_image(blobs, "amd64", DEFAULT_LABELS, DEFAULT_ANNOTATIONS)
    digest = str(image.manifest["digest"])
    entries: list[dict[str, Any]] = [dict(image.manifest)]

    def manifest(layers: Sequence[Layer], extra: Mapping[str, Any]) -> dict[str, Any]:
        doc = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, **blobs.add(b"{}")},
            "layers": [
                {"mediaType": media_type, **blobs.add(data), "annotations": dict(annotations)}
                for data, media_type, annotations in layers
            ],
            **extra,
        }
        return {"mediaType": OCI_MANIFEST, **blobs.add(canonical(doc))}

    if attestation:
        entries.append(
            {
                **manifest(attestation, {}),
                "annotations": {
                    "vnd.docker.reference.type": "attestation-manifest",
                    "vnd.docker.reference.digest": digest,
                },
                "platform": {"architecture": "unknown", "os": "unknown"},
            }
        )
    if referrer:
        subject = {"mediaType": OCI_MANIFEST, "digest": digest, "size": image.manifest["size"]}
        entries.append(manifest(referrer, {"subject": subject}))
    if sig_tag:
        tag = (sig_subject or digest).replace(":", "-") + ".sig"
        entries.append(
            {**manifest(sig_tag, {}), "annotations": {"org.opencontainers.image.ref.name": tag}}
        )
    (out / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    for blob_digest, data in sorted(blobs.by_digest.items()):
        (out / "blobs" / "sha256" / blob_digest.split(":", 1)[1]).write_bytes(data)
    (out / "oci-layout").write_bytes(canonical({"imageLayoutVersion": "1.0.0"}))
    (out / "index.json").write_bytes(canonical({"schemaVersion": 2, "manifests": entries}))
    return digest
