"""Offline signature checks with the keys the user trusts: DSSE envelopes and cosign signatures.

Nothing is fetched: no Fulcio certificate, no Rekor entry, no keyless identity. A signature is
``verified`` only when one of the public keys given with ``--trust-key`` verifies it.

Statuses (``SignatureStatus.status``):

- ``verified``: a trusted key verifies a signature; ``key`` is that key's fingerprint
  (``sha256:`` of its DER SubjectPublicKeyInfo, what ``openssl pkey -pubin -outform DER |
  sha256sum`` prints) and ``key_file`` the file it came from.
- ``invalid``: the envelope is malformed (not base64, empty or wrong-length signature), or a
  signature names a trusted key by its keyid and that key rejects it. An error finding with
  ``integrity=True`` (exit 4); the caller does not use the claims.
- ``untrusted-key``: well-formed and signed, but no trusted key verifies it (or none was given):
  the claims are shown as unverified, never as verified.
- ``unsigned``: a plain statement, or an envelope with no signatures.

DSSE (github.com/secure-systems-lab/dsse, protocol.md): the signature is over
``PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body``, LEN being the byte
length in ASCII decimal; ``payload`` and ``sig`` are standard base64 (envelope.md; URL-safe is
also accepted by the reference implementation, and so here).

cosign (sigstore/cosign specs/SIGNATURE_SPEC.md): a signature manifest whose layers are
``application/vnd.dev.cosign.simplesigning.v1+json`` payloads, each with the base64 signature
over the layer's bytes in the annotation ``dev.cosignproject.cosign/signature``. The payload's
``critical.image.docker-manifest-digest`` names the signed image. ECDSA signatures are ASN.1
DER; a raw ``r||s`` pair (as some signers write it) is accepted too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from reporter.errors import UsageError
from reporter.model import Finding, FindingKind, SignatureStatus

__all__ = [
    "COSIGN_SIGNATURE_ANNOTATION",
    "SIMPLESIGNING_MEDIA_TYPE",
    "TrustedKey",
    "check_cosign",
    "check_envelope",
    "load_trusted_key",
    "load_trusted_keys",
    "pae",
    "parse_trusted_key",
    "verify_signature",
]

SIMPLESIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json"
COSIGN_SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature"
_MAX_KEY_BYTES = 1024 * 1024
_MAX_SIGNATURES = 64
# cosign's tag for the signatures of sha256:<hex>: sha256-<hex>.sig (SIGNATURE_SPEC.md "Tag")

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | rsa.RSAPublicKey


@dataclass(frozen=True, slots=True)
class TrustedKey:
    """A public key from ``--trust-key``, with the names a signature may use for it."""

    path: str
    key: PublicKey
    algorithm: str  # ecdsa-p256, ecdsa-p384, ecdsa-p521, ed25519, rsa-2048, ...
    fingerprint: str  # sha256:<hex of the DER SubjectPublicKeyInfo>
    # keyids that designate this key: the fingerprint (with and without "sha256:") and the
    # keyid securesystemslib / in-toto give it (sha256 of its canonical JSON key dict)
    keyids: frozenset[str]


def _sslib_keyids(key: PublicKey) -> set[str]:
    """securesystemslib's keyid: sha256 over the canonical JSON of keytype, scheme, keyval.

    (securesystemslib/signer/_key.py ``SSlibKey.from_crypto`` → ``_get_keyid``; canonical JSON
    here is sorted keys without spaces, exact for these ASCII-only dicts.)
    """
    if isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        shapes = [("ed25519", "ed25519", raw.hex())]
    else:
        pem = key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()
        if isinstance(key, rsa.RSAPublicKey):
            shapes = [("rsa", s, pem) for s in ("rsassa-pss-sha256", "rsa-pkcs1v15-sha256")]
        else:
            bits = {"secp256r1": "256", "secp384r1": "384", "secp521r1": "521"}.get(
                key.curve.name, ""
            )
            shapes = [("ecdsa", f"ecdsa-sha2-nistp{bits}", pem)]
    ids = set()
    for keytype, scheme, public in shapes:
        # OLPC canonical JSON, keys sorted: only '"' and '\\' are escaped (a PEM's newlines
        # stay raw bytes, unlike in ordinary JSON)
        doc = (
            f'{{"keytype":{_canonical(keytype)},"keyval":{{"public":{_canonical(public)}}},'
            f'"scheme":{_canonical(scheme)}}}'
        )
        ids.add(hashlib.sha256(doc.encode()).hexdigest())
    return ids


def _canonical(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def parse_trusted_key(data: bytes, path: str) -> TrustedKey:
    """A PEM (or DER) public key; ``UsageError`` with one line naming ``path`` otherwise."""
    loaded: object
    try:
        if b"-----BEGIN" in data:
            if b"PRIVATE KEY-----" in data and b"PUBLIC KEY-----" not in data:
                raise UsageError("is a private key; give the public key", where=path)
            loaded = serialization.load_pem_public_key(data)
        else:
            loaded = serialization.load_der_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise UsageError("not a PEM or DER public key", where=path) from None
    if isinstance(loaded, ec.EllipticCurvePublicKey):
        names = {"secp256r1": "ecdsa-p256", "secp384r1": "ecdsa-p384", "secp521r1": "ecdsa-p521"}
        if loaded.curve.name not in names:
            raise UsageError(f"unsupported curve {loaded.curve.name}", where=path)
        algorithm = names[loaded.curve.name]
        key: PublicKey = loaded
    elif isinstance(loaded, ed25519.Ed25519PublicKey):
        algorithm, key = "ed25519", loaded
    elif isinstance(loaded, rsa.RSAPublicKey):
        if loaded.key_size < 2048:
            raise UsageError(f"RSA key of {loaded.key_size} bits is too weak", where=path)
        algorithm, key = f"rsa-{loaded.key_size}", loaded
    else:
        raise UsageError(
            f"unsupported key type {type(loaded).__name__} (ECDSA, Ed25519 or RSA)", where=path
        )
    der = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hexd = hashlib.sha256(der).hexdigest()
    keyids = frozenset({hexd, f"sha256:{hexd}", *_sslib_keyids(key)})
    return TrustedKey(path, key, algorithm, f"sha256:{hexd}", keyids)


def load_trusted_key(path: str) -> TrustedKey:
    try:
        with open(path, "rb") as handle:
            data = handle.read(_MAX_KEY_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read key file ({exc.strerror})", where=path) from None
    if len(data) > _MAX_KEY_BYTES:
        raise UsageError("key file is too large to be a public key", where=path)
    return parse_trusted_key(data, path)


def load_trusted_keys(paths: Sequence[str]) -> tuple[TrustedKey, ...]:
    keys = [load_trusted_key(p) for p in paths]
    seen: set[str] = set()
    unique = []
    for key in keys:
        if key.fingerprint not in seen:
            seen.add(key.fingerprint)
            unique.append(key)
    return tuple(unique)


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 Pre-Authentication Encoding (protocol.md)."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


_EC_HASH: Mapping[str, type[hashes.HashAlgorithm]] = {
    "secp256r1": hashes.SHA256,
    "secp384r1": hashes.SHA384,
    "secp521r1": hashes.SHA512,
}


def _ecdsa_forms(key: ec.EllipticCurvePublicKey, sig: bytes) -> list[bytes]:
    """The DER signature as given, and a raw r||s pair re-encoded as DER."""
    forms = [sig]
    size = (key.curve.key_size + 7) // 8
    if len(sig) == 2 * size:
        r = int.from_bytes(sig[:size], "big")
        s = int.from_bytes(sig[size:], "big")
        forms.append(encode_dss_signature(r, s))
    return forms


def verify_signature(trusted: TrustedKey, message: bytes, sig: bytes) -> bool:
    """True when ``sig`` is ``trusted``'s signature over ``message``; never raises on bad bytes."""
    key = trusted.key
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            if len(sig) != 64:
                return False
            key.verify(sig, message)
            return True
        if isinstance(key, ec.EllipticCurvePublicKey):
            # the curve's hash first (sigstore's P-384 uses SHA-384), then SHA-256 (cosign's
            # default for every ECDSA key it generates)
            algorithms: list[type[hashes.HashAlgorithm]] = list(
                dict.fromkeys([_EC_HASH.get(key.curve.name, hashes.SHA256), hashes.SHA256])
            )
            for form in _ecdsa_forms(key, sig):
                for algorithm in algorithms:
                    try:
                        key.verify(form, message, ec.ECDSA(algorithm()))
                        return True
                    except InvalidSignature:
                        continue
            return False
        if len(sig) != (key.key_size + 7) // 8:
            return False
        for pad in (
            padding.PKCS1v15(),
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
        ):
            try:
                key.verify(sig, message, pad, hashes.SHA256())
                return True
            except InvalidSignature:
                continue
        return False
    except (InvalidSignature, ValueError, TypeError):
        return False


def _b64(value: object) -> bytes | None:
    """Standard or URL-safe base64, padded or not; ``None`` when it is not base64."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    text += "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text.encode())
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


def _invalid(
    where: str, message: str, keyids: tuple[str, ...] = ()
) -> tuple[SignatureStatus, tuple[Finding, ...]]:
    finding = Finding(
        FindingKind.BAD_SIGNATURE,
        f"{message}; its claims are not used",
        where=where,
        severity="error",
        integrity=True,
    )
    return SignatureStatus("invalid", keyids=keyids, detail=message), (finding,)


def _check(
    message: bytes,
    signatures: Sequence[tuple[str, bytes]],
    keys: Sequence[TrustedKey],
    where: str,
) -> tuple[SignatureStatus, tuple[Finding, ...]]:
    """Each (keyid, signature) against every trusted key."""
    keyids = tuple(sorted({k for k, _ in signatures if k}))
    for _keyid, sig in signatures:
        for key in keys:
            if verify_signature(key, message, sig):
                return (
                    SignatureStatus(
                        "verified",
                        key=key.fingerprint,
                        key_file=key.path,
                        keyids=keyids,
                        detail=f"{key.algorithm} key {key.path}",
                    ),
                    (),
                )
    for keyid, sig in signatures:
        for key in keys:
            if keyid and keyid in key.keyids:
                return _invalid(
                    where,
                    f"signature by trusted key {key.path} (keyid {keyid[:16]}) does not verify",
                    keyids,
                )
        if keys and all(_wrong_length(key, sig) for key in keys):
            return _invalid(
                where, f"signature of {len(sig)} bytes fits none of the trusted keys", keyids
            )
    detail = (
        "no --trust-key given"
        if not keys
        else f"none of the {len(keys)} trusted key(s) verifies its {len(signatures)} signature(s)"
    )
    return SignatureStatus("untrusted-key", keyids=keyids, detail=detail), ()


def _wrong_length(key: TrustedKey, sig: bytes) -> bool:
    """A length no signature by ``key`` can have (Ed25519: 64; RSA: the modulus; ECDSA: DER or
    raw r||s bounds)."""
    public = key.key
    if isinstance(public, ed25519.Ed25519PublicKey):
        return len(sig) != 64
    if isinstance(public, rsa.RSAPublicKey):
        return len(sig) != (public.key_size + 7) // 8
    size = (public.curve.key_size + 7) // 8
    # DER SEQUENCE of two INTEGERs: 8 .. 2 * (size + 1) + 6 bytes
    return not (8 <= len(sig) <= 2 * size + 9)


def check_envelope(
    envelope: Mapping[str, Any], keys: Sequence[TrustedKey], where: str
) -> tuple[SignatureStatus, tuple[Finding, ...]]:
    """The signature status of a parsed DSSE envelope (``payloadType``, ``payload``, ...)."""
    payload_type = envelope.get("payloadType")
    payload = _b64(envelope.get("payload"))
    if not isinstance(payload_type, str) or payload is None:
        return _invalid(where, "DSSE envelope has no payloadType or no base64 payload")
    raw = envelope.get("signatures")
    if raw is None or raw == []:
        return SignatureStatus("unsigned", detail="DSSE envelope without signatures"), ()
    if not isinstance(raw, list):
        return _invalid(where, "DSSE signatures is not a list")
    signatures: list[tuple[str, bytes]] = []
    for position, item in enumerate(raw[:_MAX_SIGNATURES]):
        if not isinstance(item, dict):
            return _invalid(where, f"DSSE signature #{position} is not an object")
        sig = _b64(item.get("sig"))
        if not sig:
            return _invalid(where, f"DSSE signature #{position} is not base64")
        keyid = item.get("keyid")
        signatures.append((keyid if isinstance(keyid, str) else "", sig))
    return _check(pae(payload_type, payload), signatures, keys, where)


def check_cosign(
    payload: bytes,
    annotations: Mapping[str, str],
    image_digest: str,
    keys: Sequence[TrustedKey],
    where: str,
) -> tuple[SignatureStatus, tuple[Finding, ...]]:
    """A cosign simple-signing layer: its bytes, its annotations, the image it should name."""
    raw_sig = annotations.get(COSIGN_SIGNATURE_ANNOTATION)
    if raw_sig is None:
        return SignatureStatus("unsigned", detail="simplesigning layer without a signature"), ()
    sig = _b64(raw_sig)
    if not sig:
        return _invalid(where, f"{COSIGN_SIGNATURE_ANNOTATION} is not base64")
    try:
        doc = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return _invalid(where, "cosign simplesigning payload is not JSON")
    critical = doc.get("critical") if isinstance(doc, dict) else None
    image = critical.get("image") if isinstance(critical, dict) else None
    named = image.get("docker-manifest-digest") if isinstance(image, dict) else None
    if not isinstance(named, str) or not named:
        return _invalid(where, "cosign payload has no critical.image.docker-manifest-digest")
    status, findings = _check(payload, [("", sig)], keys, where)
    if image_digest and named != image_digest:
        # cosign verify rejects it too ("no matching signatures"): a signature moved onto
        # another image is not a signature of this one
        bad, problems = _invalid(where, f"cosign payload signs {named}, not this image")
        mismatch = Finding(
            FindingKind.ATTESTATION_SUBJECT_MISMATCH,
            "cosign signature names another image",
            where=where,
            severity="warning",
            expected=image_digest,
            actual=named,
        )
        return bad, (*problems, mismatch)
    return status, findings
