"""Raw JSON → typed values, never trusting shapes: wrong types become findings, not crashes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import orjson

from reporter.errors import InputError
from reporter.model import Descriptor, Finding, FindingKind, Platform

__all__ = [
    "as_dict",
    "as_list",
    "as_str",
    "as_str_map",
    "digest_of",
    "duplicate_keys",
    "parse_descriptor",
    "parse_json",
    "verify_bytes",
]

_MAX_DEPTH = 64


def _depth_ok(value: Any) -> bool:
    """orjson already refuses nesting deeper than 1024; we need far less and say so."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > _MAX_DEPTH:
            return False
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return True


def parse_json(data: bytes, where: str) -> Any:
    """Parse bytes as JSON or raise ``InputError`` naming ``where``."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"invalid JSON ({str(exc).splitlines()[0]})", where=where) from None
    if not _depth_ok(value):
        raise InputError(f"JSON nested deeper than {_MAX_DEPTH} levels", where=where)
    return value


def duplicate_keys(data: bytes, where: str) -> list[Finding]:
    """A warning for each key given twice in one object (at most 5), for bytes ``parse_json`` took.

    orjson keeps the last value, as Go's encoding/json (docker, containerd) does, but other
    readers keep the first: such a document can mean two images to two tools, so it is named.
    The stdlib parser is used only to see the keys; depth is already bounded by ``parse_json``.
    """
    found: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> None:
        seen: set[str] = set()
        for key, _ in items:
            if key in seen and key not in found:
                found.append(key)
            seen.add(key)

    try:
        json.loads(data, object_pairs_hook=pairs)
    except (ValueError, RecursionError):  # what orjson accepted and json does not: no verdict
        return []
    return [
        Finding(
            FindingKind.DUPLICATE_KEY,
            f"JSON object has the key {key!r} more than once; the last value is used, "
            "as Go's encoding/json does",
            where=where,
            severity="warning",
        )
        for key in found[:5]
    ]


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def as_str_map(value: Any) -> dict[str, str]:
    """A map of strings; non-string values are dropped (labels and annotations are strings)."""
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_platform(value: Any) -> Platform | None:
    raw = as_dict(value)
    if not raw:
        return None
    return Platform(
        os=as_str(raw.get("os")),
        architecture=as_str(raw.get("architecture")),
        variant=as_str(raw.get("variant")),
        os_version=as_str(raw.get("os.version")),
    )


def parse_descriptor(value: Any, where: str) -> tuple[Descriptor | None, list[Finding]]:
    """A descriptor (descriptor.md); digest and size are REQUIRED, the rest optional."""
    raw = as_dict(value)
    digest = as_str(raw.get("digest"))
    size = as_int(raw.get("size"))
    if not digest or size is None or size < 0:
        # integrity: the blob it stands for can be neither found nor verified, so the image it
        # belongs to is incomplete; without it a manifest whose layers[0] is garbage was
        # reported with one layer fewer and exit 0 (tests/hostile/test_json.py).
        return None, [
            Finding(
                FindingKind.BAD_DESCRIPTOR,
                "descriptor without a valid digest and size",
                where=where,
                integrity=True,
            )
        ]
    return (
        Descriptor(
            media_type=as_str(raw.get("mediaType")),
            digest=digest,
            size=size,
            annotations=as_str_map(raw.get("annotations")),
            platform=parse_platform(raw.get("platform")),
            artifact_type=as_str(raw.get("artifactType")),
            urls=tuple(u for u in as_list(raw.get("urls")) if isinstance(u, str)),
        ),
        [],
    )


def digest_of(data: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm}:{hashlib.new(algorithm, data).hexdigest()}"


SUPPORTED_ALGORITHMS = ("sha256", "sha512")


def verify_bytes(data: bytes, descriptor: Descriptor, where: str) -> list[Finding]:
    """Check bytes against their descriptor's digest and size (descriptor.md "Verification")."""
    findings: list[Finding] = []
    algorithm = descriptor.digest.partition(":")[0]
    if algorithm not in SUPPORTED_ALGORITHMS:
        # integrity: content nobody can check must not pass as checked; as a warning, an index
        # named sha384:… could even list itself and be trusted (tests/hostile/test_json.py).
        return [
            Finding(
                FindingKind.UNSUPPORTED_DIGEST,
                f"digest algorithm {algorithm!r} cannot be verified",
                where=where,
                expected=descriptor.digest,
                integrity=True,
            )
        ]
    actual = digest_of(data, algorithm)
    if actual != descriptor.digest:
        findings.append(
            Finding(
                FindingKind.DIGEST_MISMATCH,
                "content does not match its digest",
                where=where,
                expected=descriptor.digest,
                actual=actual,
                integrity=True,
            )
        )
    if len(data) != descriptor.size:
        findings.append(
            Finding(
                FindingKind.SIZE_MISMATCH,
                "content length differs from the descriptor's size",
                where=where,
                expected=str(descriptor.size),
                actual=str(len(data)),
                integrity=True,
            )
        )
    return findings
