from __future__ import annotations

import base64
from pathlib import Path

import orjson

from reporter.model import AttestationRef, Descriptor
from reporter.provenance.attestations import (
    SLSA_V02,
    SLSA_V1,
    SPDX,
    parse_statement,
    read_attestation,
    read_slsa,
)

ATTEST = "docker-attest/test/testdata"
V1_REAL = "docker-actions-toolkit/__tests__/.fixtures/sigstore/single/provenance.json"
BK_DOCS = "moby-buildkit/docs-json/docs/attestations"
AMD64 = "sha256:da8b190665956ea07890a0273e2a9c96bfe291662f08e2860e868eef69c34620"
ARM64 = "sha256:7a76cec943853f9f7105b1976afa1bf7cd5bb6afc4e9d5852dd8da7cf81ae86e"


def _wrap(data: bytes, predicate_type: str) -> tuple[AttestationRef, Descriptor]:
    layer = Descriptor(
        "application/vnd.in-toto+json",
        "sha256:" + "1" * 64,
        len(data),
        annotations={"in-toto.io/predicate-type": predicate_type},
    )
    ref = AttestationRef(
        Descriptor("application/vnd.oci.image.manifest.v1+json", "sha256:" + "2" * 64, 1),
        "attestation-manifest",
        layers=(layer,),
    )
    return ref, layer


def _facts(part: object) -> dict[str, str]:
    return {f.key: f.value for f in part.facts}  # type: ignore[attr-defined]


def test_real_slsa_v02_layer(public: Path) -> None:
    blob = public / ATTEST / "unsigned-index/blobs/sha256" / AMD64.split(":")[1]
    assert blob.exists()
    data = (
        public
        / ATTEST
        / "unsigned-index/blobs/sha256"
        / "c6dd08ccc92ab60a87648a6b61fbf88d9287a936b285a8b4dde8893a1f4ffedf"
    ).read_bytes()
    ref, layer = _wrap(data, SLSA_V02)
    part = read_attestation(ref, layer, data, AMD64)
    assert part.findings == ()
    facts = _facts(part)
    assert facts["build.type"] == "https://mobyproject.org/buildkit@v1"
    assert facts["frontend"] == "dockerfile.v0"
    assert facts["dockerfile"] == "Dockerfile"
    assert facts["vcs.source"] == "git@github.com:docker/image-signer-verifier.git"
    assert facts["vcs.revision"] == "ba33451b352942e366f12662f2c3a0c8ac54d696"
    assert facts["invocation.id"] == "jckf4dzdrb4i99ygsshezjtsq"
    assert facts["started_on"] == "2024-04-29T10:23:45.125886079Z"
    assert facts["reproducible"] == "false"
    assert "builder.id" not in facts  # empty in BuildKit's output: not a fact
    layers_key = (
        "material-layers:docker.io/library/alpine:latest@"
        "sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b"
    )
    assert (
        facts[layers_key]
        == "sha256:4abcf20661432fb2d719aaf90656f55c287f8ca915dc1c92ec14ff61e67fbaf8"
    )
    assert sorted((s.type, s.ref) for s in part.sources) == [
        ("docker-image", "docker.io/docker/buildkit-syft-scanner:stable-1"),
        ("docker-image", "docker.io/library/alpine:latest"),
    ]
    assert {s.origin_detail for s in part.sources} == {layer.digest}


def test_subject_must_name_the_image(public: Path) -> None:
    data = (
        public
        / ATTEST
        / "unsigned-index/blobs/sha256"
        / "c6dd08ccc92ab60a87648a6b61fbf88d9287a936b285a8b4dde8893a1f4ffedf"
    ).read_bytes()
    ref, layer = _wrap(data, SLSA_V02)
    part = read_attestation(ref, layer, data, ARM64)
    assert part.facts == ()
    assert [f.kind for f in part.findings] == ["attestation-subject-mismatch"]
    assert part.findings[0].expected == ARM64


def test_dsse_envelope(public: Path) -> None:
    data = (public / ATTEST / "example_attestation.json").read_bytes()
    statement, findings = parse_statement(data, "x")
    assert findings == ()
    assert statement is not None
    assert statement.dsse
    assert statement.predicate_type == SLSA_V02
    ref, layer = _wrap(data, SLSA_V02)
    part = read_attestation(ref, layer, data, ARM64)
    assert part.findings == ()
    assert _facts(part)["invocation.id"] == "oufyhd0aciw714m1i5y6l09xz"
    pins = {s.ref: s.pin for s in part.sources}
    assert pins["docker.io/library/alpine:latest"] == (
        "sha256:c5b1261d6d3e43071626931fc004f70149baeba2c8ec672bd4f27761f8e1ad6b"
    )
    envelope = orjson.loads(data)
    envelope["payloadType"] = "text/plain"
    assert parse_statement(orjson.dumps(envelope), "x")[0] is None
    envelope["payloadType"] = "application/vnd.in-toto+json"
    envelope["payload"] = base64.b64encode(b"[]").decode()
    assert parse_statement(orjson.dumps(envelope), "x")[0] is None


def test_real_slsa_v1_statement_wrapped_as_layer(public: Path) -> None:
    data = (public / V1_REAL).read_bytes()
    subject = "sha256:1b37929e66644beb58b3d28d44fba0d82aa90cab03c55a492adb81fe6e833ec8"
    ref, layer = _wrap(data, SLSA_V1)
    part = read_attestation(ref, layer, data, subject)
    assert part.findings == ()
    facts = _facts(part)
    assert facts["builder.id"] == (
        "https://github.com/docker/github-builder-test/actions/runs/18937328894/attempts/1"
    )
    assert facts["invocation.id"] == "7qg2yuux3iklv02ktbmbtwgeb"
    assert facts["finished_on"] == "2025-10-30T10:19:57.635810119Z"
    assert facts["dockerfile"] == "hello.Dockerfile"
    assert facts["config-source.digest"] == "sha1:bdb96fcfe8cc9e3a54800bc2537a4d4a14f0c5fe"
    assert facts["build.platform"] == "linux/amd64"
    git = [s for s in part.sources if s.type == "git"]
    assert [(s.ref, s.pin) for s in git] == [
        (
            "https://github.com/docker/github-builder-test.git#bdb96fcfe8cc9e3a54800bc2537a4d4a14f0c5fe",
            "bdb96fcfe8cc9e3a54800bc2537a4d4a14f0c5fe",
        )
    ]


def test_buildkit_docs_examples(public: Path) -> None:
    v1 = orjson.loads(
        (public / BK_DOCS / "slsa-provenance@73ed6825c4b7/block01-slsa-v1-min.json").read_bytes()
    )
    part = read_slsa(v1["predicate"], SLSA_V1, "attestation", "d", "w")
    facts = _facts(part)
    assert facts["invocation.id"] == "yirbp1aosi1vqjmi3z6bc75nb"  # docs spell it invocationId
    assert facts["reproducible"] == "false"
    v1max = orjson.loads(
        (public / BK_DOCS / "slsa-provenance@73ed6825c4b7/block02-slsa-v1-max.json").read_bytes()
    )
    assert _facts(read_slsa(v1max["predicate"], SLSA_V1, "a", "d", "w"))["invocation.id"] == (
        "46ue2x93k3xj5l463dektwldw"
    )
    v02 = orjson.loads(
        (public / BK_DOCS / "slsa-definitions@a58f93e7b34d/block15-slsa-v0.2-min.json").read_bytes()
    )
    part = read_slsa(v02["predicate"], SLSA_V02, "a", "d", "w")
    assert part.findings == ()
    assert [(s.ref, s.pin) for s in part.sources] == [
        (
            "docker.io/library/alpine:latest",
            "sha256:8914eb54f968791faf6a8638949e480fef81e697984fba772b3976835194c6d4",
        )
    ]


def test_spdx_packages_with_purls(public: Path) -> None:
    data = (
        public
        / ATTEST
        / "unsigned-index/blobs/sha256"
        / "a9646604f9522bf59d203a86ac5c2354a573ea041b8846409c4fc0f8c4a70850"
    ).read_bytes()
    ref, layer = _wrap(data, SPDX)
    real = read_attestation(ref, layer, data, AMD64)
    assert real.findings == ()
    assert real.packages == ()
    assert _facts(real)["sbom.creators"].endswith("Tool: buildkit-v0.12.4")
    doc = orjson.loads(data)
    doc["predicate"]["packages"] += [
        {
            "name": "musl",
            "SPDXID": "SPDXRef-Package-apk-musl",
            "versionInfo": "1.2.4-r2",
            "externalRefs": [
                {
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64",
                }
            ],
        },
        {"name": "noversion", "SPDXID": "SPDXRef-x", "versionInfo": "NOASSERTION"},
    ]
    part = read_attestation(ref, layer, orjson.dumps(doc), AMD64)
    assert part.packages == (
        ("musl", "1.2.4-r2", "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64"),
        ("noversion", "", ""),
    )


def test_malformed_statements() -> None:
    ref, layer = _wrap(b"", SLSA_V02)
    for data in (b"", b"[]", b'{"_type": "x"}', b'{"predicateType": "p", "predicate": 3}'):
        part = read_attestation(ref, layer, data, AMD64)
        assert part.findings
        assert part.facts == ()
    wrong = orjson.dumps(
        {
            "_type": "https://in-toto.io/Statement/v1",
            "predicateType": SPDX,
            "subject": [{"name": "x", "digest": {"sha256": AMD64[7:]}}],
            "predicate": {},
        }
    )
    part = read_attestation(ref, layer, wrong, AMD64)
    assert [f.kind for f in part.findings] == ["bad-attestation"]  # layer says SLSA, statement SPDX
