"""Attested vs observed: a real syft SPDX document, edited, attached the BuildKit way."""

from __future__ import annotations

import base64
import copy
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from reporter.cli import main
from reporter.model import Package
from reporter.options import Options
from reporter.pipeline import generate
from reporter.provenance.sbom_compare import compare_sbom, cyclonedx_packages, purl_core
from reporter.provenance.signatures import pae

from ._attached import INTOTO, attached, image_only

SYFT = Path(sys.executable).with_name("syft")
SPDX = "https://spdx.dev/Document"


def _pkg(kind: str, name: str, version: str, purl: str = "", layer: int = 0) -> Package:
    return Package(kind, name, version, purl, layer_index=layer, layer_digest=f"sha256:{layer}")


def test_purl_core_drops_version_qualifiers_subpath() -> None:
    assert purl_core("pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12") == (
        "pkg:deb/debian/libc6"
    )
    assert purl_core("pkg:PyPI/Sample_Requests@2.31.0#sub") == "pkg:pypi/sample-requests"
    assert purl_core("pkg:npm/%40scope/name@1.0.0") == "pkg:npm/@scope/name"
    assert purl_core("not a purl") == ""


def test_three_lists_with_ecosystem_versions() -> None:
    observed = [
        _pkg("deb", "libc6", "2.36-9+deb12u7", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64"),
        _pkg("python", "requests", "2.31.0", "pkg:pypi/requests@2.31.0", layer=1),
        _pkg("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", layer=2),
        _pkg("apk", "musl", "1.2.4-r2", "", layer=3),
    ]
    attested = [
        # same package, purl qualifiers differ: a match
        ("libc6", "2.36-9+deb12u7", "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?distro=debian-12"),
        # PEP 440 says 2.31 == 2.31.0: not a difference
        ("requests", "2.31", "pkg:pypi/requests@2.31"),
        ("left-pad", "1.2.0", "pkg:npm/left-pad@1.2.0"),
        ("ghost", "9.9", "pkg:deb/debian/ghost@9.9"),
    ]
    result = compare_sbom(attested, observed)
    assert [
        (d.name, d.attested_version, d.observed_version, d.layer_index)
        for d in result.version_differs
    ] == [("left-pad", "1.2.0", "1.3.0", 2)]
    assert [(d.type, d.name, d.attested_version) for d in result.only_attested] == [
        ("deb", "ghost", "9.9")
    ]
    assert [(d.name, d.layer_digest) for d in result.only_observed] == [("musl", "sha256:3")]
    assert result.mismatched
    assert not compare_sbom(
        [("musl", "1.2.4-r2", "pkg:apk/alpine/musl@1.2.4-r2")], observed[3:]
    ).mismatched


def test_match_by_name_when_the_claim_has_no_purl() -> None:
    observed = [_pkg("deb", "zlib1g", "1:1.2.13.dfsg-1")]
    assert not compare_sbom([("zlib1g", "1:1.2.13.dfsg-1", "")], observed).mismatched
    differs = compare_sbom([("zlib1g", "1:1.2.12", "")], observed).version_differs
    assert [d.attested_version for d in differs] == ["1:1.2.12"]


def test_cyclonedx_components() -> None:
    bom = {
        "components": [
            {"type": "container", "name": "img"},
            {
                "type": "library",
                "name": "a",
                "version": "1",
                "purl": "pkg:npm/a@1",
                "components": [{"type": "library", "name": "b", "version": "2"}],
            },
        ]
    }
    assert cyclonedx_packages(bom) == (("a", "1", "pkg:npm/a@1"), ("b", "2", ""))


@pytest.fixture(scope="module")
def syft_spdx(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not SYFT.exists() and shutil.which("syft") is None:
        pytest.skip("syft is not installed")
    layout = tmp_path_factory.mktemp("plain") / "image"
    image_only(layout)
    env = {**os.environ, "SYFT_CHECK_FOR_APP_UPDATE": "false"}
    out = subprocess.run(
        [str(SYFT if SYFT.exists() else "syft"), f"oci-dir:{layout}", "-o", "spdx-json", "-q"],
        check=True,
        capture_output=True,
        env=env,
        timeout=300,
    ).stdout
    doc: dict[str, Any] = orjson.loads(out)
    return doc


def _edited(doc: dict[str, Any]) -> dict[str, Any]:
    """Remove left-pad, add a fake package, change libc6's version."""
    edited = copy.deepcopy(doc)
    packages = [p for p in edited["packages"] if p["name"] != "left-pad"]
    for package in packages:
        if package["name"] == "libc6":
            package["versionInfo"] = "2.36-9+deb12u4"
    packages.append(
        {
            "SPDXID": "SPDXRef-Package-deb-fake",
            "name": "fake-tool",
            "versionInfo": "0.1",
            "externalRefs": [
                {
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:deb/debian/fake-tool@0.1?arch=amd64",
                }
            ],
        }
    )
    edited["packages"] = packages
    return edited


def _statement(digest: str, predicate: dict[str, Any]) -> bytes:
    return orjson.dumps(
        {
            "_type": "https://in-toto.io/Statement/v0.1",
            "predicateType": SPDX,
            "subject": [{"name": "pkg:docker/demo/app@1.0", "digest": {"sha256": digest[7:]}}],
            "predicate": predicate,
        }
    )


def test_real_syft_sbom_attested_vs_observed(tmp_path: Path, syft_spdx: dict[str, Any]) -> None:
    digest = image_only(tmp_path / "probe")
    layer = (_statement(digest, _edited(syft_spdx)), INTOTO, {"in-toto.io/predicate-type": SPDX})
    layout = tmp_path / "image"
    assert attached(layout, attestation=[layer]) == digest
    report = generate(str(layout), Options(cache_dir=None))
    (image,) = report.images
    assert [(d.name, d.attested_version) for d in image.only_attested] == [("fake-tool", "0.1")]
    assert [(d.name, d.observed_version, d.layer_index) for d in image.only_observed] == [
        ("left-pad", "1.3.0", next(p.layer_index for p in image.packages if p.name == "left-pad"))
    ]
    assert [(d.name, d.attested_version, d.observed_version) for d in image.version_differs] == [
        ("libc6", "2.36-9+deb12u4", "2.36-9+deb12u7")
    ]
    assert [a.signature.status for a in image.provenance.attestations] == ["unsigned"]

    # the unedited syft document agrees with our scan, and the JSON carries the three keys
    same = tmp_path / "same"
    attached(
        same,
        attestation=[(_statement(digest, syft_spdx), INTOTO, {"in-toto.io/predicate-type": SPDX})],
    )
    out = tmp_path / "r.json"
    assert (
        main(
            [
                "report",
                str(same),
                "-f",
                "json",
                "-o",
                str(out),
                "-q",
                "--no-cache",
                "--fail-on",
                "attested-mismatch",
            ]
        )
        == 0
    )
    doc = orjson.loads(out.read_bytes())
    assert {
        k: doc["images"][0][k] for k in ("only_attested", "only_observed", "version_differs")
    } == {"only_attested": [], "only_observed": [], "version_differs": []}
    assert doc["images"][0]["provenance"]["attestations"][0]["signature"]["status"] == "unsigned"
    # the gate: exit 9 on the edited one
    assert (
        main(
            [
                "report",
                str(layout),
                "-f",
                "json",
                "-o",
                str(out),
                "-q",
                "--no-cache",
                "--fail-on",
                "attested-mismatch",
            ]
        )
        == 9
    )
    assert main(["report", str(layout), "-f", "json", "-o", str(out), "-q", "--no-cache"]) == 0


def test_signed_sbom_verified_and_tampered(tmp_path: Path, syft_spdx: dict[str, Any]) -> None:
    digest = image_only(tmp_path / "probe")
    private = ec.generate_private_key(ec.SECP256R1())
    key_file = tmp_path / "key.pub.pem"
    key_file.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    payload = _statement(digest, _edited(syft_spdx))
    sig = private.sign(pae(INTOTO, payload), ec.ECDSA(hashes.SHA256()))
    sig_b64 = base64.b64encode(sig).decode()
    envelope: dict[str, Any] = {
        "payloadType": INTOTO,
        "payload": base64.b64encode(payload).decode(),
        "signatures": [{"keyid": "", "sig": sig_b64}],
    }
    media = "application/vnd.in-toto.spdx+dsse"
    layout = tmp_path / "signed"
    attached(
        layout, attestation=[(orjson.dumps(envelope), media, {"in-toto.io/predicate-type": SPDX})]
    )
    options = Options(cache_dir=None, trust_keys=(str(key_file),))
    (image,) = generate(str(layout), options).images
    (check,) = image.provenance.attestations
    assert check.signature.status == "verified"
    assert check.signature.key_file == str(key_file)
    assert image.version_differs  # verified claims are used
    (image,) = generate(str(layout), Options(cache_dir=None)).images
    assert image.provenance.attestations[0].signature.status == "untrusted-key"

    # the payload swapped after signing, signed "by" the trusted key's keyid: invalid, exit 4
    from reporter.provenance.signatures import load_trusted_key

    keyid = load_trusted_key(str(key_file)).fingerprint
    tampered = {
        **envelope,
        "payload": base64.b64encode(_statement(digest, syft_spdx)).decode(),
        "signatures": [{"keyid": keyid, "sig": sig_b64}],
    }
    bad = tmp_path / "tampered"
    attached(
        bad, attestation=[(orjson.dumps(tampered), media, {"in-toto.io/predicate-type": SPDX})]
    )
    report = generate(str(bad), options)
    (image,) = report.images
    assert image.provenance.attestations[0].signature.status == "invalid"
    assert not image.provenance.attested_packages  # its claims are not used
    assert not report.integrity_ok
    assert (
        main(
            [
                "report",
                str(bad),
                "-q",
                "--no-cache",
                "--trust-key",
                str(key_file),
                "-o",
                str(tmp_path / "o.json"),
            ]
        )
        == 4
    )
