from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson

from reporter.model import HistoryEntry, ImageConfig, ImageDescription, ImageTarget
from reporter.provenance.annotations import annotation_facts, buildpacks_part
from tests.provenance._images import describe, descriptor, layout_images


def test_olot_manifest_annotations(public: Path) -> None:
    images = layout_images(public / "containers-olot/tests/data/ocilayout3")
    by_arch = {img.platform.architecture: img for img, _ in images}
    part = annotation_facts(by_arch["amd64"])
    facts = {(f.key, f.value, f.origin, f.origin_detail) for f in part.facts}
    assert (
        "org.opencontainers.image.base.digest",
        "sha256:a3e1b257b47c09c9997212e53a0b570c1666501ad26e5bf33461304babab47c7",
        "annotation",
        "manifest",
    ) in facts
    assert ("org.opencontainers.image.version", "1.37.0-glibc", "annotation", "manifest") in facts
    assert (
        "history.comment",
        "FROM docker.io/library/busybox:latest",
        "history",
        "entry 1",
    ) in facts
    assert not any(f.origin == "label" for f in part.facts)  # io.buildah.version is not OCI


def test_regclient_index_level_annotations(public: Path) -> None:
    images = layout_images(public / "regclient-regclient/testdata/testrepo")
    v2 = next(
        img
        for img, _ in images
        if img.target.refs == ("v2",) and img.platform.architecture == "amd64"
    )
    facts = {(f.key, f.value, f.origin_detail) for f in annotation_facts(v2).facts}
    index = "index sha256:dfae8f425735a5e3a72e40d6609e03079995511d48157c74d54801ff4430491e"
    assert (
        "org.opencontainers.image.base.name",
        "registry.example.org/testrepo:b2",
        index,
    ) in facts
    assert (
        "org.opencontainers.image.base.digest",
        "sha256:119b4a63feeda91d4874578e7883994fc45772dd912aa49ba380f87507f6ad07",
        index,
    ) in facts
    assert not any(key == "org.example.version" for key, _, _ in facts)


def test_labels_and_legacy_label_schema(real: Path) -> None:
    img, _ = layout_images(real / "debian-app.oci-gzip")[0]
    labels = {**img.config.labels, "org.label-schema.vcs-ref": "abc"}
    img = dataclasses.replace(img, config=dataclasses.replace(img.config, labels=labels))
    facts = annotation_facts(img).facts
    label = {f.key: f.value for f in facts if f.origin == "label"}
    assert label["org.opencontainers.image.version"] == "1.0.0"
    assert label["org.label-schema.vcs-ref"] == "abc"
    assert "io.buildah.version" not in label
    manifest = {f.key for f in facts if f.origin_detail == "manifest"}
    assert "org.opencontainers.image.revision" in manifest


def test_buildkit_rewritten_timestamp_layer_annotations(public: Path) -> None:
    base = public / "moby-buildkit/client/testdata/compatibility/common/provenance-attestation/v30"
    manifest = (base / "manifest.json").read_bytes()
    desc = descriptor(
        {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": "sha256:" + "a" * 64,
            "size": len(manifest),
        }
    )
    img = describe(manifest, desc, (base / "config.json").read_bytes())
    facts = [f for f in annotation_facts(img).facts if f.key.startswith("buildkit/")]
    assert [(f.key, f.value, f.origin_detail) for f in facts] == [
        ("buildkit/rewritten-timestamp", "1445412480", "layers 0,1,2,3")
    ]


def test_buildpacks_labels(public: Path) -> None:
    metadata = orjson.loads(
        (public / "buildpacks-lifecycle/acceptance/testdata/app_image_metadata.json").read_bytes()
    )
    metadata["runImage"] = {
        "topLayer": "sha256:" + "d" * 64,
        "reference": "registry.example/run@sha256:" + "e" * 64,
    }
    metadata["stack"] = {"runImage": {"image": "registry.example/run:base"}}
    build = {
        "buildpacks": [{"id": "some-buildpack-id", "version": "0.0.1"}],
        "launcher": {"version": "0.20.0"},
    }
    labels = {
        "io.buildpacks.lifecycle.metadata": orjson.dumps(metadata).decode(),
        "io.buildpacks.build.metadata": orjson.dumps(build).decode(),
        "io.buildpacks.stack.id": "io.buildpacks.stacks.jammy",
    }
    part = buildpacks_part(labels)
    assert part.findings == ()
    facts = {(f.key, f.value, f.origin_detail) for f in part.facts}
    assert ("buildpacks.stack.id", "io.buildpacks.stacks.jammy", "io.buildpacks.stack.id") in facts
    assert (
        "buildpacks.buildpack:some-buildpack-id",
        "(no version)",
        "io.buildpacks.lifecycle.metadata",
    ) in facts
    assert (
        "buildpacks.buildpack:some-buildpack-id",
        "0.0.1",
        "io.buildpacks.build.metadata",
    ) in facts
    assert (
        "buildpacks.stack.run-image",
        "registry.example/run:base",
        "io.buildpacks.lifecycle.metadata",
    ) in facts
    assert [(s.type, s.ref, s.pin, s.origin) for s in part.sources] == [
        ("docker-image", "registry.example/run", "sha256:" + "e" * 64, "buildpacks")
    ]
    bad = buildpacks_part({"io.buildpacks.lifecycle.metadata": "{not json"})
    assert [f.kind for f in bad.findings] == ["bad-json"]


def test_history_comment_facts() -> None:
    config = ImageConfig(
        digest="sha256:" + "c" * 64,
        media_type="x",
        size=1,
        history=(HistoryEntry(created_by="ADD x"), HistoryEntry(comment="buildkit.dockerfile.v0")),
    )
    target = ImageTarget(descriptor({"digest": "sha256:" + "0" * 64}))
    facts = annotation_facts(ImageDescription(target, "", {}, config, ())).facts
    assert [(f.key, f.value, f.origin, f.origin_detail) for f in facts] == [
        ("history.comment", "buildkit.dockerfile.v0", "history", "entry 1")
    ]
