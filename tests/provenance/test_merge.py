from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

import orjson

from reporter.model import AttestationRef, Descriptor, ImageDescription
from reporter.provenance.attestations import SLSA_V1
from reporter.provenance.merge import build_provenance
from reporter.provenance.metadata_file import MetadataEntry, load_metadata_file
from tests.provenance._images import layout_images

BUILDINFO_DOC = "moby-buildkit/docs-json/docs/buildinfo@b646761e0fe9/block01-buildinfo-decoded.json"


def _amd64(public: Path) -> tuple[ImageDescription, list[tuple[AttestationRef, Descriptor, bytes]]]:
    images = layout_images(public / "docker-attest/test/testdata/unsigned-index")
    return next((img, blobs) for img, blobs in images if img.platform.architecture == "amd64")


def _with(img: ImageDescription, **config: object) -> ImageDescription:
    return dataclasses.replace(img, config=dataclasses.replace(img.config, **config))  # type: ignore[arg-type]


def test_real_attestation_layout(public: Path) -> None:
    img, blobs = _amd64(public)
    assert len(blobs) == 2  # SPDX + SLSA v0.2 layers of the attestation manifest
    prov = build_provenance(img, blobs, ())
    assert prov.findings == ()
    assert prov.build_type == "https://mobyproject.org/buildkit@v1"
    assert prov.frontend == "dockerfile.v0"
    assert prov.vcs_source == "git@github.com:docker/image-signer-verifier.git"
    assert prov.vcs_revision == "ba33451b352942e366f12662f2c3a0c8ac54d696"
    assert prov.invocation_id == "jckf4dzdrb4i99ygsshezjtsq"
    assert prov.started_on == "2024-04-29T10:23:45.125886079Z"
    assert prov.finished_on == "2024-04-29T10:23:46.287890106Z"
    assert prov.reproducible is False
    assert prov.builder_id == ""
    assert prov.attested_packages == ()
    assert {f.origin for f in prov.facts} == {"attestation", "history"}
    assert {s.ref for s in prov.sources} == {
        "docker.io/library/alpine:latest",
        "docker.io/docker/buildkit-syft-scanner:stable-1",
    }
    assert [f.key for f in prov.facts] == sorted(f.key for f in prov.facts)
    # the arm64 attestation layers, given for the amd64 image, are refused
    arm = next(
        b
        for i, b in layout_images(public / "docker-attest/test/testdata/unsigned-index")
        if i.platform.architecture == "arm64"
    )
    refused = build_provenance(img, arm, ())
    assert [f.kind for f in refused.findings] == ["attestation-subject-mismatch"] * 2
    assert refused.invocation_id == ""


def test_v1_attestation_and_metadata_file_disagree(public: Path) -> None:
    img, _ = _amd64(public)
    data = (
        public / "docker-actions-toolkit/__tests__/.fixtures/sigstore/single/provenance.json"
    ).read_bytes()
    subject = "sha256:1b37929e66644beb58b3d28d44fba0d82aa90cab03c55a492adb81fe6e833ec8"
    img = dataclasses.replace(
        img,
        target=dataclasses.replace(
            img.target, manifest=dataclasses.replace(img.target.manifest, digest=subject)
        ),
    )
    layer = Descriptor(
        "application/vnd.in-toto+json",
        "sha256:" + "1" * 64,
        len(data),
        annotations={"in-toto.io/predicate-type": SLSA_V1},
    )
    ref = AttestationRef(
        Descriptor("x", "sha256:" + "2" * 64, 1), "attestation-manifest", layers=(layer,)
    )
    (entry,) = load_metadata_file(
        "meta.json",
        (public / "docker-actions-toolkit/__tests__/.fixtures/metadata-build.json").read_bytes(),
    )
    prov = build_provenance(img, [(ref, layer, data)], [entry])
    # the attestation is the strongest source for every scalar
    assert prov.invocation_id == "7qg2yuux3iklv02ktbmbtwgeb"
    assert prov.builder_id.startswith("https://github.com/docker/github-builder-test/actions/runs/")
    assert (
        prov.build_type
        == "https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md"
    )
    assert prov.frontend == "dockerfile.v0"  # the metadata file's gateway.v0 loses, and is reported
    origins = {f.origin for f in prov.facts if f.key == "frontend"}
    assert origins == {"attestation", "metadata-file"}
    conflicts = {f.where for f in prov.findings if f.kind == "provenance-conflict"}
    assert conflicts == {"build.type", "dockerfile", "frontend"}
    assert all(f.severity == "warning" for f in prov.findings if f.kind == "provenance-conflict")
    assert any(f.kind == "bad-metadata" for f in prov.findings)  # the 63-digit config digest
    assert any(
        s.ref == "docker.io/library/busybox:latest" and s.origin == "metadata-file"
        for s in prov.sources
    )


def test_label_vs_annotation_conflict(real: Path) -> None:
    img, _ = layout_images(real / "debian-app.oci-gzip")[0]
    assert build_provenance(img, (), ()).findings == ()  # labels and annotations agree
    labels = {**img.config.labels, "org.opencontainers.image.title": "something-else"}
    prov = build_provenance(_with(img, labels=labels), (), ())
    (conflict,) = prov.findings
    assert conflict.kind == "provenance-conflict"
    assert conflict.where == "org.opencontainers.image.title"
    assert conflict.expected == "corpus-debian-app"
    assert conflict.actual == "something-else"
    assert (
        prov.vcs_revision == "0123456789abcdef0123456789abcdef01234567"
    )  # OCI annotation fallback


def test_base_annotation_vs_buildinfo_pin(public: Path) -> None:
    img, _ = layout_images(public / "containers-olot/tests/data/ocilayout3")[0]
    doc = (public / BUILDINFO_DOC).read_bytes()
    img = _with(img, extra={"moby.buildkit.buildinfo.v1": base64.b64encode(doc).decode()})
    pin = "sha256:1d30d1ba3cb90962067e9b29491fbd56997979d54376f23f01448b5c5cd8b462"
    agree = dataclasses.replace(
        img,
        manifest_annotations={
            "org.opencontainers.image.base.name": "alpine:3.13",
            "org.opencontainers.image.base.digest": pin,
        },
    )
    prov = build_provenance(agree, (), ())
    assert prov.findings == ()
    assert prov.build_args == {"foo": "bar"}
    assert prov.frontend == "dockerfile.v0"
    disagree = dataclasses.replace(
        agree,
        manifest_annotations={
            **agree.manifest_annotations,
            "org.opencontainers.image.base.digest": "sha256:" + "f" * 64,
        },
    )
    (conflict,) = build_provenance(disagree, (), ()).findings
    assert conflict.kind == "provenance-conflict"
    assert conflict.expected == "sha256:" + "f" * 64
    assert conflict.actual == pin
    other_tag = dataclasses.replace(
        disagree,
        manifest_annotations={
            **disagree.manifest_annotations,
            "org.opencontainers.image.base.name": "alpine:3.19",
        },
    )
    assert build_provenance(other_tag, (), ()).findings == ()  # another image: no disagreement


def test_metadata_buildinfo_per_platform(public: Path) -> None:
    img, _ = _amd64(public)
    real = orjson.loads((public / BUILDINFO_DOC).read_bytes())
    arm = {**real, "attrs": {"build-arg:foo": "arm"}}
    entry = MetadataEntry(
        "m.json",
        image_digest="sha256:db8f2a6e112ea6396f57d073269ecfac61e8dcdad3a4a643dcb577522492f898",
        buildinfo={
            "linux/amd64": base64.b64encode(orjson.dumps(real)).decode(),
            "linux/arm64": base64.b64encode(orjson.dumps(arm)).decode(),
        },
        image_names=("docker.io/library/test-image:test",),
    )
    prov = build_provenance(img, (), [entry])
    assert prov.build_args == {"foo": "bar"}
    details = {f.origin_detail for f in prov.facts if f.origin == "metadata-file"}
    assert details == {"m.json", "m.json containerimage.buildinfo/linux/amd64"}
    assert ("image.name", "docker.io/library/test-image:test") in {
        (f.key, f.value) for f in prov.facts
    }
