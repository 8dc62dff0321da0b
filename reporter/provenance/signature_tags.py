"""cosign's tag convention in a layout: ``sha256-<hex>.sig`` names the signatures of an image.

``cosign save`` / ``oras copy`` / ``skopeo`` keep the signature manifest beside the image in
``index.json`` under ``org.opencontainers.image.ref.name`` ``sha256-<hex>.sig`` (or a full
reference ending in that tag); it has no ``subject`` (cosign predates OCI 1.1), so ``resolve``
lists it as an artifact. This links it to the image it signs, like a referrer. Reads manifests
only, never layers.
"""

from __future__ import annotations

import re

from reporter.archive.interface import Archive
from reporter.errors import InputError
from reporter.jsonread import as_dict, as_list, parse_descriptor, parse_json
from reporter.model import AttestationRef, Finding
from reporter.options import Limits
from reporter.resolve import read_blob

__all__ = ["cosign_signature_refs", "sig_tag_subject"]

_REF_NAMES = ("org.opencontainers.image.ref.name", "io.containerd.image.name")

# cosign's tag convention: the signature of sha256:<hex> is tagged sha256-<hex>.sig
_SIG_TAG = re.compile(r"(?:^|[:/])(sha256)-([0-9a-f]{64})\.sig$")


def sig_tag_subject(ref_name: str) -> str:
    """``sha256-<hex>.sig`` (alone or as the tag of a reference) → ``sha256:<hex>``, else ``""``."""
    match = _SIG_TAG.search(ref_name.strip()) if isinstance(ref_name, str) else None
    return f"{match.group(1)}:{match.group(2)}" if match else ""


def cosign_signature_refs(
    archive: Archive, limits: Limits
) -> tuple[dict[str, tuple[AttestationRef, ...]], tuple[Finding, ...]]:
    """Image digest → the cosign signature manifests tagged for it in ``index.json``, and the
    findings of reading them (returned beside the value, as every provenance reader does)."""
    if not archive.exists("index.json"):
        return {}, ()
    data = archive.read("index.json", limits.max_json_bytes)
    try:
        index = as_dict(parse_json(data or b"{}", f"{archive.name}/index.json"))
    except InputError:
        return {}, ()  # resolve has said so already
    findings: list[Finding] = []
    links: dict[str, list[AttestationRef]] = {}
    for position, raw in enumerate(as_list(index.get("manifests"))):
        descriptor, _ = parse_descriptor(raw, f"index.json manifests[{position}]")
        if descriptor is None:
            continue
        subject = next(
            (
                sig_tag_subject(descriptor.annotations[name])
                for name in _REF_NAMES
                if sig_tag_subject(descriptor.annotations.get(name, ""))
            ),
            "",
        )
        if not subject:
            continue
        blob = read_blob(
            archive, descriptor, limits.max_json_bytes, findings, f"signature {descriptor.digest}"
        )
        if blob is None:
            continue
        try:
            manifest = as_dict(parse_json(blob, f"{archive.name} {descriptor.digest}"))
        except InputError:
            continue
        layers = []
        for n, item in enumerate(as_list(manifest.get("layers"))):
            layer, _ = parse_descriptor(item, f"{descriptor.digest} layers[{n}]")
            if layer is not None:
                layers.append(layer)
        links.setdefault(subject, []).append(
            AttestationRef(manifest=descriptor, kind="cosign-signature", layers=tuple(layers))
        )
    return {k: tuple(v) for k, v in sorted(links.items())}, tuple(findings)
