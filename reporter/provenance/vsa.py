"""SLSA verification summary attestations (VSA): a verifier's verdict, never provenance.

Predicate types ``https://slsa.dev/verification_summary/v0.1`` (snake_case fields:
``verifier.id``, ``time_verified``, ``resource_uri``, ``policy.uri``, ``verification_result``,
``policy_level``) and ``https://slsa.dev/verification_summary/v1`` (camelCase:
``timeVerified``, ``resourceUri``, ``verificationResult``, ``verifiedLevels``) —
slsa.dev/spec/v0.1/verification_summary and slsa.dev/spec/v1.0/verification_summary.
Read defensively: either spelling in either version, since writers mix them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reporter.model import Finding, FindingKind, VerificationSummary

from .common import text

__all__ = ["VSA_TYPES", "VSA_V01", "VSA_V1", "is_vsa", "read_vsa"]

VSA_V01 = "https://slsa.dev/verification_summary/v0.1"
VSA_V1 = "https://slsa.dev/verification_summary/v1"
VSA_TYPES = (VSA_V01, VSA_V1)


def is_vsa(predicate_type: str) -> bool:
    return predicate_type in VSA_TYPES or predicate_type.startswith(
        "https://slsa.dev/verification_summary/"
    )


def _obj(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _first(doc: Mapping[str, Any], *keys: str) -> str:
    for key in keys:
        value = text(doc.get(key))
        if value:
            return value
    return ""


def read_vsa(
    predicate: Mapping[str, Any], predicate_type: str, detail: str, where: str
) -> tuple[VerificationSummary, tuple[Finding, ...]]:
    levels: list[str] = []
    for key in ("verifiedLevels", "verified_levels"):
        raw = predicate.get(key)
        if isinstance(raw, list):
            levels.extend(text(v) for v in raw[:100] if text(v))
    level = _first(predicate, "policy_level", "policyLevel")
    if level:
        levels.append(level)
    summary = VerificationSummary(
        predicate_type=predicate_type,
        verifier_id=text(_obj(predicate.get("verifier")).get("id")),
        policy_uri=text(_obj(predicate.get("policy")).get("uri")),
        result=_first(predicate, "verificationResult", "verification_result"),
        resource_uri=_first(predicate, "resourceUri", "resource_uri"),
        levels=tuple(sorted(set(levels))),
        time_verified=_first(predicate, "timeVerified", "time_verified"),
        origin_detail=detail,
    )
    findings: list[Finding] = []
    if not summary.verifier_id:
        findings.append(
            Finding(
                FindingKind.BAD_ATTESTATION,
                "verification summary names no verifier",
                where=where,
                severity="warning",
            )
        )
    if summary.result not in ("PASSED", "FAILED"):
        findings.append(
            Finding(
                FindingKind.BAD_ATTESTATION,
                f"verification summary result {summary.result!r} is neither PASSED nor FAILED",
                where=where,
                severity="warning",
            )
        )
    elif summary.result == "FAILED":
        findings.append(
            Finding(
                FindingKind.VERIFICATION_FAILED,
                f"verifier {summary.verifier_id or '(unnamed)'} says FAILED for policy "
                f"{summary.policy_uri or '(none)'}",
                where=where,
                severity="warning",
            )
        )
    return summary, tuple(findings)
