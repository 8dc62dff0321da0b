"""Per attestation layer: its signature status, and a verification summary if it is one.

``check_layer`` looks at one blob linked to an image (an in-toto layer of an attestation
manifest or referrer, a DSSE envelope, a cosign simple-signing payload) before its claims are
read: ``merge`` does not use the claims of an ``invalid`` one. Verification summaries (VSA) are
read here and returned apart, so they never reach the provenance readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import orjson

from reporter.model import (
    AttestationCheck,
    AttestationRef,
    Descriptor,
    Finding,
    SignatureStatus,
    VerificationSummary,
)

from .attestations import parse_statement
from .vsa import is_vsa, read_vsa

if TYPE_CHECKING:
    from .signatures import TrustedKey

# = signatures.SIMPLESIGNING_MEDIA_TYPE (tests/test_startup.py checks): spelled here so that
# an unsigned attestation never imports the signature checks and cryptography (start-up).
_SIMPLESIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"

__all__ = ["LayerCheck", "check_layer"]


@dataclass(frozen=True, slots=True)
class LayerCheck:
    check: AttestationCheck
    summary: VerificationSummary | None = None
    findings: tuple[Finding, ...] = ()
    # read the layer's claims as an in-toto statement (False: invalid, cosign payload, VSA)
    read_claims: bool = True


def check_layer(
    ref: AttestationRef,
    layer: Descriptor,
    data: bytes,
    image_digest: str,
    keys: Sequence[TrustedKey],
) -> LayerCheck:
    where = f"attestation {ref.manifest.digest} layer {layer.digest}"
    predicate_type = layer.annotations.get("in-toto.io/predicate-type", "")
    base = AttestationCheck(
        manifest=ref.manifest.digest,
        layer=layer.digest,
        media_type=layer.media_type,
        predicate_type=predicate_type,
        kind=ref.kind,
    )
    if layer.media_type == _SIMPLESIGNING_MEDIA_TYPE:
        from .signatures import check_cosign

        signed, problems = check_cosign(data, layer.annotations, image_digest, keys, where)
        return LayerCheck(
            replace(base, signature=signed, used=signed.status != "invalid"),
            findings=problems,
            read_claims=False,
        )
    status = SignatureStatus("unsigned")
    findings: tuple[Finding, ...] = ()
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError:
        doc = None  # parse_statement reports it
    if isinstance(doc, dict) and ("payloadType" in doc or "signatures" in doc):
        from .signatures import check_envelope

        status, findings = check_envelope(doc, keys, where)
    if status.status == "invalid":
        return LayerCheck(
            replace(base, signature=status, used=False), findings=findings, read_claims=False
        )
    statement, _ = parse_statement(data, where)
    if statement is not None:
        base = replace(base, predicate_type=statement.predicate_type)
        if is_vsa(statement.predicate_type):
            subjects = {d for _, ds in statement.subjects for d in ds}
            if image_digest and image_digest not in subjects:
                return LayerCheck(replace(base, signature=status), findings=findings)
            summary, problems = read_vsa(
                statement.predicate, statement.predicate_type, layer.digest, where
            )
            return LayerCheck(
                replace(base, signature=status),
                replace(summary, signature=status),
                findings + problems,
                read_claims=False,
            )
    return LayerCheck(replace(base, signature=status), findings=findings)
