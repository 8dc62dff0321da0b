"""Layer verification: what one streaming pass over a blob found, against what was claimed.

The manifest's descriptor claims a digest and size (image-spec descriptor.md), the config's
``rootfs.diff_ids`` the digest of the uncompressed stream (image-spec config.md); the scan
(``reporter.layers.tarwalk``) measured all three on the same read.
"""

from __future__ import annotations

from dataclasses import replace

from reporter.layers.scan import LayerScan
from reporter.model import Finding, FindingKind, Layer

__all__ = ["verify_layer"]


def verify_layer(layer: Layer, scan: LayerScan | None, where: str) -> tuple[Layer, list[Finding]]:
    """Compare a streamed layer with what its descriptor and the config claim."""
    if scan is None:
        return replace(layer, present=False), [
            Finding(
                FindingKind.MISSING_BLOB,
                f"layer {layer.index} blob is missing",
                where=where,
                expected=layer.digest,
                integrity=True,
            )
        ]
    findings = list(scan.findings)
    verified = True
    algorithm = layer.digest.partition(":")[0]
    if layer.digest and algorithm not in ("sha256", "sha512"):
        verified = False
        findings.append(
            Finding(
                FindingKind.UNSUPPORTED_DIGEST,
                f"layer {layer.index} digest algorithm {algorithm!r} cannot be verified",
                where=where,
                expected=layer.digest,
                integrity=True,
            )
        )
    elif layer.digest and scan.blob_digest != layer.digest:
        verified = False
        findings.append(
            Finding(
                FindingKind.DIGEST_MISMATCH,
                f"layer {layer.index} does not match its digest",
                where=where,
                expected=layer.digest,
                actual=scan.blob_digest,
                integrity=True,
            )
        )
    if scan.blob_size != layer.size:
        verified = False
        findings.append(
            Finding(
                FindingKind.SIZE_MISMATCH,
                f"layer {layer.index} length differs from its descriptor",
                where=where,
                expected=str(layer.size),
                actual=str(scan.blob_size),
                integrity=True,
            )
        )
    diff_ok: bool | None = None
    if layer.diff_id:
        diff_ok = scan.diff_id == layer.diff_id
        if scan.diff_id != layer.diff_id:
            findings.append(
                Finding(
                    FindingKind.DIFFID_MISMATCH,
                    f"layer {layer.index}'s uncompressed content "
                    "does not match the config's rootfs.diff_ids",
                    where=where,
                    expected=layer.diff_id,
                    actual=scan.diff_id,
                    integrity=True,
                )
            )
    return (
        replace(
            layer,
            verified=verified,
            diff_id_verified=diff_ok,
            uncompressed_size=scan.uncompressed_size,
        ),
        findings,
    )
