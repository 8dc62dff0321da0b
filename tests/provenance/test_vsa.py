"""SLSA verification summaries: shown with verifier, policy and result, never as provenance."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from reporter.options import Options
from reporter.pipeline import generate
from reporter.provenance.signatures import pae
from reporter.provenance.vsa import VSA_V01, VSA_V1, read_vsa

from ._attached import INTOTO, attached, image_only

V1 = {
    "verifier": {"id": "https://example.invalid/verifier"},
    "timeVerified": "2024-05-15T09:00:00Z",
    "resourceUri": "pkg:docker/demo/app@1.0",
    "policy": {"uri": "https://example.invalid/policy.rego"},
    "inputAttestations": [],
    "verificationResult": "PASSED",
    "verifiedLevels": ["SLSA_BUILD_LEVEL_3"],
}
V01 = {
    "verifier": {"id": "https://example.invalid/v"},
    "time_verified": "2024-05-15T09:00:00Z",
    "resource_uri": "pkg:docker/demo/app@1.0",
    "policy": {"uri": "https://example.invalid/p"},
    "verification_result": "FAILED",
    "policy_level": "SLSA_LEVEL_2",
}


def test_read_both_versions() -> None:
    summary, findings = read_vsa(V1, VSA_V1, "sha256:x", "w")
    assert (summary.verifier_id, summary.result, summary.levels, summary.resource_uri) == (
        "https://example.invalid/verifier",
        "PASSED",
        ("SLSA_BUILD_LEVEL_3",),
        "pkg:docker/demo/app@1.0",
    )
    assert findings == ()
    summary, findings = read_vsa(V01, VSA_V01, "sha256:x", "w")
    assert (summary.policy_uri, summary.result, summary.levels) == (
        "https://example.invalid/p",
        "FAILED",
        ("SLSA_LEVEL_2",),
    )
    assert [f.kind for f in findings] == ["verification-failed"]
    _, findings = read_vsa({}, VSA_V1, "sha256:x", "w")
    assert {f.kind for f in findings} == {"bad-attestation"}


def _statement(digest: str, ptype: str, predicate: dict[str, Any]) -> bytes:
    return orjson.dumps(
        {
            "_type": "https://in-toto.io/Statement/v1",
            "predicateType": ptype,
            "subject": [{"name": "x", "digest": {"sha256": digest[7:]}}],
            "predicate": predicate,
        }
    )


def test_signed_vsa_in_a_dsse_layer_is_no_provenance(tmp_path: Path) -> None:
    digest = image_only(tmp_path / "probe")
    private = ed25519.Ed25519PrivateKey.generate()
    key = tmp_path / "k.pem"
    key.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    payload = _statement(digest, VSA_V1, V1)
    envelope = {
        "payloadType": INTOTO,
        "payload": base64.b64encode(payload).decode(),
        "signatures": [{"sig": base64.b64encode(private.sign(pae(INTOTO, payload))).decode()}],
    }
    layer = (
        orjson.dumps(envelope),
        "application/vnd.in-toto.verification_summary+dsse",
        {"in-toto.io/predicate-type": VSA_V1},
    )
    attached(tmp_path / "img", attestation=[layer])
    (image,) = generate(
        str(tmp_path / "img"), Options(cache_dir=None, catalog=False, trust_keys=(str(key),))
    ).images
    (summary,) = image.provenance.verification_summaries
    assert summary.verifier_id == "https://example.invalid/verifier"
    assert summary.signature.status == "verified"
    prov = image.provenance
    assert not prov.builder_id
    assert not prov.build_type
    assert not prov.sources
    assert not any(f.origin == "attestation" for f in prov.facts)
    # a VSA naming another image is the usual subject mismatch, not a summary of this one
    other = _statement("sha256:" + "f" * 64, VSA_V1, V1)
    attached(
        tmp_path / "img2", attestation=[(other, INTOTO, {"in-toto.io/predicate-type": VSA_V1})]
    )
    (image,) = generate(str(tmp_path / "img2"), Options(cache_dir=None, catalog=False)).images
    assert not image.provenance.verification_summaries
    assert any(f.kind == "attestation-subject-mismatch" for f in image.findings)
