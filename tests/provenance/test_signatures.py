"""Signature checks on real signatures: keys made with ``cryptography``, the ``openssl`` CLI and
securesystemslib (the signer in-toto's reference implementation uses for DSSE envelopes)."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from securesystemslib.dsse import Envelope
from securesystemslib.signer import CryptoSigner  # type: ignore[attr-defined]

from reporter.errors import UsageError
from reporter.provenance.signature_tags import sig_tag_subject
from reporter.provenance.signatures import (
    COSIGN_SIGNATURE_ANNOTATION,
    TrustedKey,
    check_cosign,
    check_envelope,
    load_trusted_key,
    pae,
    parse_trusted_key,
)

INTOTO = "application/vnd.in-toto+json"
STATEMENT = orjson.dumps(
    {
        "_type": "https://in-toto.io/Statement/v1",
        "predicateType": "https://slsa.dev/provenance/v1",
        "subject": [{"name": "x", "digest": {"sha256": "a" * 64}}],
        "predicate": {},
    }
)


def _pem(public: Any) -> bytes:
    data: bytes = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return data


def _trusted(public: Any, name: str = "k.pem") -> TrustedKey:
    return parse_trusted_key(_pem(public), name)


def _envelope(sig: bytes, keyid: str = "", payload: bytes = STATEMENT) -> dict[str, Any]:
    return {
        "payloadType": INTOTO,
        "payload": base64.b64encode(payload).decode(),
        "signatures": [{"keyid": keyid, "sig": base64.b64encode(sig).decode()}],
    }


def test_pae_is_the_spec_example_and_the_reference_implementation() -> None:
    # DSSE protocol.md test vector
    assert pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    reference = Envelope(payload=STATEMENT, payload_type=INTOTO, signatures={}).pae()
    assert pae(INTOTO, STATEMENT) == reference
    # lengths count bytes, not characters
    assert pae("t", "é".encode()) == b"DSSEv1 1 t 2 \xc3\xa9"


@pytest.mark.parametrize("make", ["ecdsa", "ed25519", "rsa"])
def test_securesystemslib_envelopes_verify_with_their_key(make: str) -> None:
    signer = getattr(CryptoSigner, f"generate_{make}")()
    envelope = Envelope(payload=STATEMENT, payload_type=INTOTO, signatures={})
    envelope.sign(signer)
    doc = envelope.to_dict()
    public = signer.public_key.keyval["public"]
    if make == "ed25519":  # securesystemslib keeps Ed25519 keys as raw hex
        key = _trusted(ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)))
    else:
        key = parse_trusted_key(public.encode(), "sslib.pem")
    # the keyid securesystemslib wrote designates our key
    assert signer.public_key.keyid in key.keyids
    status, findings = check_envelope(doc, [key], "layer")
    assert (status.status, findings) == ("verified", ())
    assert status.key == key.fingerprint
    assert status.keyids == (signer.public_key.keyid,)

    # the same envelope, payload changed after signing: the keyid names a trusted key → invalid
    doc["payload"] = base64.b64encode(STATEMENT.replace(b"v1", b"v0")).decode()
    status, findings = check_envelope(doc, [key], "layer L")
    assert status.status == "invalid"
    assert [(f.kind, f.severity, f.integrity, f.where) for f in findings] == [
        ("bad-signature", "error", True, "layer L")
    ]


def test_other_signer_or_no_keys_is_untrusted_never_verified() -> None:
    signer = ec.generate_private_key(ec.SECP256R1())
    other = ec.generate_private_key(ec.SECP256R1())
    sig = signer.sign(pae(INTOTO, STATEMENT), ec.ECDSA(hashes.SHA256()))
    doc = _envelope(sig, keyid="someone-else")
    assert check_envelope(doc, [], "l")[0].status == "untrusted-key"
    assert check_envelope(doc, [_trusted(other.public_key())], "l")[0].status == "untrusted-key"
    assert check_envelope(doc, [_trusted(signer.public_key())], "l")[0].status == "verified"


def test_unsigned_and_malformed_envelopes() -> None:
    key = _trusted(ed25519.Ed25519PrivateKey.generate().public_key())
    bare = {"payloadType": INTOTO, "payload": base64.b64encode(STATEMENT).decode()}
    assert check_envelope(bare, [key], "l")[0].status == "unsigned"
    assert check_envelope({**bare, "signatures": []}, [key], "l")[0].status == "unsigned"
    for broken in (
        {**bare, "signatures": [{"sig": "not base64!!"}]},
        {**bare, "signatures": "x"},
        {**bare, "signatures": [7]},
        {"payloadType": INTOTO, "payload": "%%%", "signatures": [{"sig": "AAAA"}]},
    ):
        status, findings = check_envelope(broken, [key], "file.tar layer")
        assert status.status == "invalid", broken
        assert findings[0].integrity
        assert findings[0].where == "file.tar layer"


def test_signature_of_the_wrong_length_is_invalid() -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    sig = private.sign(pae(INTOTO, STATEMENT))
    key = _trusted(private.public_key())
    status, findings = check_envelope(_envelope(sig[:63]), [key], "l")
    assert status.status == "invalid"
    assert "63 bytes" in findings[0].message


@pytest.mark.parametrize(
    ("curve", "algorithm"), [(ec.SECP256R1(), hashes.SHA256()), (ec.SECP384R1(), hashes.SHA384())]
)
def test_ecdsa_raw_r_s_is_accepted(curve: ec.EllipticCurve, algorithm: Any) -> None:
    private = ec.generate_private_key(curve)
    der = private.sign(pae(INTOTO, STATEMENT), ec.ECDSA(algorithm))
    r, s = decode_dss_signature(der)
    size = (curve.key_size + 7) // 8
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    key = _trusted(private.public_key())
    assert key.algorithm == f"ecdsa-p{curve.key_size}"
    assert check_envelope(_envelope(raw), [key], "l")[0].status == "verified"
    flipped = raw[:-1] + bytes([raw[-1] ^ 1])
    assert check_envelope(_envelope(flipped), [key], "l")[0].status == "untrusted-key"


def test_rsa_pss_and_pkcs1() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key = _trusted(private.public_key())
    message = pae(INTOTO, STATEMENT)
    pkcs = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    pss = private.sign(
        message,
        padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH),
        hashes.SHA256(),
    )
    assert check_envelope(_envelope(pkcs), [key], "l")[0].status == "verified"
    assert check_envelope(_envelope(pss), [key], "l")[0].status == "verified"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl CLI not installed")
def test_openssl_made_key_and_signature(tmp_path: Path) -> None:
    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=tmp_path)

    run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.key")
    run("pkey", "-in", "k.key", "-pubout", "-out", "k.pub.pem")
    run("pkey", "-in", "k.key", "-pubout", "-outform", "DER", "-out", "k.pub.der")
    (tmp_path / "msg").write_bytes(pae(INTOTO, STATEMENT))
    run("dgst", "-sha256", "-sign", "k.key", "-out", "msg.sig", "msg")
    key = load_trusted_key(str(tmp_path / "k.pub.pem"))
    # the fingerprint is what `openssl pkey -pubout -outform DER | sha256sum` prints
    der = (tmp_path / "k.pub.der").read_bytes()
    assert key.fingerprint == "sha256:" + hashlib.sha256(der).hexdigest()
    assert load_trusted_key(str(tmp_path / "k.pub.der")).fingerprint == key.fingerprint
    sig = (tmp_path / "msg.sig").read_bytes()
    status, _ = check_envelope(_envelope(sig), [key], "l")
    assert (status.status, status.key_file) == ("verified", str(tmp_path / "k.pub.pem"))
    # a private key is refused by name, in one line
    with pytest.raises(UsageError) as info:
        load_trusted_key(str(tmp_path / "k.key"))
    assert str(tmp_path / "k.key") in str(info.value)
    assert "\n" not in str(info.value)


def test_bad_key_files_are_one_line_errors(tmp_path: Path) -> None:
    cases = {
        "text.pem": b"hello, not a key\n",
        "cert-ish.pem": b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
        "empty.pem": b"",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(UsageError) as info:
            load_trusted_key(str(tmp_path / name))
        message = str(info.value)
        assert name in message
        assert "\n" not in message
        assert info.value.exit_code == 2
    with pytest.raises(UsageError, match="cannot read key file"):
        load_trusted_key(str(tmp_path / "missing.pem"))
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(UsageError, match="too weak"):
        parse_trusted_key(_pem(weak.public_key()), "weak.pem")


def _simplesigning(digest: str) -> bytes:
    return orjson.dumps(
        {
            "critical": {
                "identity": {"docker-reference": "example.invalid/app"},
                "image": {"docker-manifest-digest": digest},
                "type": "cosign container image signature",
            },
            "optional": None,
        }
    )


def test_cosign_simplesigning() -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    key = _trusted(private.public_key())
    digest = "sha256:" + "c" * 64
    payload = _simplesigning(digest)
    sig = base64.b64encode(private.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
    annotations = {COSIGN_SIGNATURE_ANNOTATION: sig}
    assert check_cosign(payload, annotations, digest, [key], "l")[0].status == "verified"
    assert check_cosign(payload, annotations, digest, [], "l")[0].status == "untrusted-key"
    assert check_cosign(payload, {}, digest, [key], "l")[0].status == "unsigned"
    # the payload names another image: not a signature of this one
    status, findings = check_cosign(payload, annotations, "sha256:" + "d" * 64, [key], "l")
    assert status.status == "invalid"
    assert {f.kind for f in findings} == {"bad-signature", "attestation-subject-mismatch"}
    status, _ = check_cosign(b"{not json", annotations, digest, [key], "l")
    assert status.status == "invalid"


def test_sig_tag_subject() -> None:
    hexd = "e" * 64
    assert sig_tag_subject(f"sha256-{hexd}.sig") == f"sha256:{hexd}"
    assert sig_tag_subject(f"example.invalid/app:sha256-{hexd}.sig") == f"sha256:{hexd}"
    assert sig_tag_subject(f"sha256-{hexd}.att") == ""
    assert sig_tag_subject("latest") == ""


def test_cosign_sig_tag_and_referrer_in_a_layout(tmp_path: Path) -> None:
    from reporter.options import Options
    from reporter.pipeline import generate

    from ._attached import attached, image_only

    digest = image_only(tmp_path / "probe")
    private = ec.generate_private_key(ec.SECP256R1())
    key_file = tmp_path / "cosign.pub"
    key_file.write_bytes(_pem(private.public_key()))
    payload = _simplesigning(digest)
    sig = base64.b64encode(private.sign(payload, ec.ECDSA(hashes.SHA256()))).decode()
    layer = (
        payload,
        "application/vnd.dev.cosign.simplesigning.v1+json",
        {COSIGN_SIGNATURE_ANNOTATION: sig},
    )
    options = Options(cache_dir=None, catalog=False, trust_keys=(str(key_file),))
    for how in ("sig_tag", "referrer"):
        out = tmp_path / how
        attached(out, **{how: [layer]})  # type: ignore[arg-type]
        report = generate(str(out), options)
        (image,) = report.images
        (check,) = image.provenance.attestations
        assert (check.kind, check.signature.status) == (
            "cosign-signature" if how == "sig_tag" else "referrer",
            "verified",
        )
        assert report.integrity_ok
    # a signature for another image, tagged for this one: invalid, integrity failure
    wrong = _simplesigning("sha256:" + "0" * 64)
    wrong_sig = base64.b64encode(private.sign(wrong, ec.ECDSA(hashes.SHA256()))).decode()
    attached(
        tmp_path / "wrong", sig_tag=[(wrong, layer[1], {COSIGN_SIGNATURE_ANNOTATION: wrong_sig})]
    )
    report = generate(str(tmp_path / "wrong"), options)
    assert report.images[0].provenance.attestations[0].signature.status == "invalid"
    assert not report.integrity_ok


def test_cli_bad_trust_key_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from reporter.cli import main

    from ._attached import image_only

    image_only(tmp_path / "img")
    bad = tmp_path / "not-a-key.pem"
    bad.write_text("hello\n")
    assert (
        main(
            [
                "report",
                str(tmp_path / "img"),
                "-q",
                "--no-cache",
                "--trust-key",
                str(bad),
                "-o",
                str(tmp_path / "o.json"),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(bad) in err
    assert "Traceback" not in err
