from __future__ import annotations

import base64
import dataclasses
from pathlib import Path

import orjson

from reporter.model import HistoryEntry, ImageDescription, Provenance
from reporter.provenance.baseimage import check_base, find_base, history_boundaries
from reporter.provenance.merge import build_provenance
from tests.provenance._images import docker_save_image, layout_images

DEBIAN_APP = "sha256:d2bb348eb5354007515d21890f14ba6ead882469021903d9191286f895149bf3"
BUILDINFO_DOC = "moby-buildkit/docs-json/docs/buildinfo@b646761e0fe9/block01-buildinfo-decoded.json"


def _pair(real: Path) -> tuple[ImageDescription, ImageDescription]:
    app = docker_save_image(real / "docker-buildkit-app.docker-save.tar.gz")
    debian = layout_images(real / "debian-app.oci-gzip")[0][0]
    return app, debian


def _config(img: ImageDescription, **changes: object) -> ImageDescription:
    return dataclasses.replace(img, config=dataclasses.replace(img.config, **changes))  # type: ignore[arg-type]


def _named(img: ImageDescription, digest: str, *refs: str) -> ImageDescription:
    manifest = dataclasses.replace(img.target.manifest, digest=digest)
    return dataclasses.replace(
        img, target=dataclasses.replace(img.target, manifest=manifest, refs=refs)
    )


def test_real_pair_layer_prefix_is_high(real: Path) -> None:
    app, debian = _pair(real)
    assert app.config.diff_ids[:5] == debian.config.diff_ids
    base = find_base(app, build_provenance(app, (), ()), [debian])
    assert (base.confidence, base.layer_count, base.digest, base.name) == (
        "high",
        5,
        DEBIAN_APP,
        "1.0.0",
    )
    assert base.evidence[0].kind == "layer-prefix"
    # the label debian-app passed down names *its* base, debian-minbase: not evidence for app
    assert "inherited from the base (set by history entry 3;" in base.note
    # told by the supplied base's own config when build_provenance is given it
    base = find_base(app, build_provenance(app, (), (), bases=[debian]), [debian])
    assert "inherited from the base (the base 1.0.0 has the same label)" in base.note


def test_real_pair_without_candidates_is_lower(real: Path) -> None:
    app, _debian = _pair(real)
    base = find_base(app, build_provenance(app, (), ()), [])
    assert base.confidence == "low"
    assert base.layer_count == 5  # history: buildkit's entries start after debian-app's 5 layers
    assert base.name == ""
    # the Dockerfile's LABEL sets only title and version: base.name is debian-app's (history)
    said = "is inherited from the base (set by history entry 3;"
    assert f"base.name='localhost/corpus/debian-minbase:bookworm' {said}" in base.note
    # an unrelated or equal candidate changes nothing
    assert find_base(app, build_provenance(app, (), ()), [app]).confidence == "low"


def test_debian_app_from_annotations(real: Path) -> None:
    _, debian = _pair(real)
    base = find_base(debian, build_provenance(debian, (), ()), [])
    assert base.confidence == "medium"
    assert base.name == "localhost/corpus/debian-minbase:bookworm"
    assert base.digest == "sha256:68572e74fc95fd69f40182758a2243566836f8605b85e09d52e7cf2d04f7ca2a"
    assert base.layer_count == 1  # buildah's "FROM localhost/corpus/debian-minbase:bookworm" entry
    assert {e.kind for e in base.evidence} == {"annotation", "history"}
    boundaries, final = history_boundaries(debian)
    assert final is not None
    assert (final.entry, final.marker) == (3, "buildah")
    assert [b.entry for b in boundaries] == [3]


def test_olot_real_base_annotations(public: Path) -> None:
    for img, _ in layout_images(public / "containers-olot/tests/data/ocilayout3"):
        base = find_base(img, build_provenance(img, (), ()), [])
        assert (base.name, base.confidence, base.layer_count) == (
            "docker.io/library/busybox:latest",
            "medium",
            1,
        )
        assert base.digest == img.manifest_annotations["org.opencontainers.image.base.digest"]


def test_regclient_tie_broken_by_annotation_digest(public: Path) -> None:
    images = [
        img
        for img, _ in layout_images(public / "regclient-regclient/testdata/testrepo")
        if img.platform.architecture == "amd64"
    ]
    by_ref = {img.target.refs[-1]: img for img in images if img.target.refs}
    v2, b1, b2 = by_ref["v2"], by_ref["b1"], by_ref["b2"]
    assert b1.config.diff_ids == b2.config.diff_ids  # b1 and b2 differ only in a label
    base = find_base(v2, build_provenance(v2, (), ()), [b2, b1])
    assert (base.confidence, base.layer_count, base.name) == ("high", 1, "b1")
    assert "also a 1-layer prefix: b2" in base.note
    claim = [e for e in base.evidence if e.kind == "annotation"]
    assert claim
    assert "agrees with the layer prefix" in claim[0].detail
    # without candidates: medium from the index annotation (the name says b2, the digest is b1's)
    alone = find_base(v2, build_provenance(v2, (), ()), [])
    assert (alone.confidence, alone.name) == ("medium", "registry.example.org/testrepo:b2")
    assert alone.layer_count is None  # every history entry is buildkit's: scratch or base alike


def test_multi_stage_real_attestation_is_scratch(public: Path) -> None:
    img, blobs = next(
        (i, b)
        for i, b in layout_images(public / "docker-attest/test/testdata/unsigned-index")
        if i.platform.architecture == "amd64"
    )
    base = find_base(img, build_provenance(img, blobs, ()), [])
    assert (base.name, base.scratch, base.confidence, base.layer_count) == ("", True, "low", 0)
    assert any("alpine" in e.detail and "not in this image" in e.detail for e in base.evidence)
    assert any("buildkit-syft-scanner" in e.detail for e in base.evidence)


def test_several_buildinfo_inputs_pick_none(public: Path, real: Path) -> None:
    _, debian = _pair(real)
    doc = (public / BUILDINFO_DOC).read_bytes()
    img = dataclasses.replace(
        _config(
            debian,
            extra={"moby.buildkit.buildinfo.v1": base64.b64encode(doc).decode()},
            history=(),
            labels={},
        ),
        manifest_annotations={},
    )
    base = find_base(img, build_provenance(img, (), ()), [])
    assert base.confidence == "none"
    assert base.name == ""
    assert "multi-stage build inputs cannot be told from the base" in base.note
    assert "docker.io/library/alpine:3.13" in base.note
    # one input left (alpine): picked, with low confidence and a caveat
    one = orjson.loads(doc)
    one["sources"] = [
        s for s in one["sources"] if "alpine" in s["ref"] or s["type"] != "docker-image"
    ]
    img1 = _config(
        img, extra={"moby.buildkit.buildinfo.v1": base64.b64encode(orjson.dumps(one)).decode()}
    )
    base1 = find_base(img1, build_provenance(img1, (), ()), [])
    assert (base1.name, base1.confidence) == ("docker.io/library/alpine:3.13", "low")
    assert base1.digest == "sha256:1d30d1ba3cb90962067e9b29491fbd56997979d54376f23f01448b5c5cd8b462"


def test_buildpacks_run_image(public: Path, real: Path) -> None:
    _, debian = _pair(real)
    meta = orjson.loads(
        (public / "buildpacks-lifecycle/acceptance/testdata/app_image_metadata.json").read_bytes()
    )
    meta["runImage"] = {
        "topLayer": debian.config.diff_ids[1],
        "reference": "example.org/run@sha256:" + "e" * 64,
    }
    img = dataclasses.replace(
        _config(
            debian,
            labels={"io.buildpacks.lifecycle.metadata": orjson.dumps(meta).decode()},
            history=(),
        ),
        manifest_annotations={},
    )
    base = find_base(img, build_provenance(img, (), ()), [])
    assert (base.name, base.confidence, base.layer_count) == ("example.org/run", "medium", 2)
    assert base.digest == "sha256:" + "e" * 64


def test_check_base_current(real: Path) -> None:
    app, debian = _pair(real)
    check = check_base(
        app, build_provenance(app, (), ()), debian, ["localhost/corpus/debian-app:1.0.0"]
    )
    assert check.verdict == "current"
    assert (check.old_digest, check.new_digest) == (DEBIAN_APP, DEBIAN_APP)
    assert (check.old_layer_count, check.new_layer_count, check.shared_layer_count) == (5, 5, 5)


def test_check_base_stale_rebuilt_base_by_layers(real: Path) -> None:
    app, debian = _pair(real)
    rebuilt = _named(
        _config(debian, diff_ids=(*debian.config.diff_ids[:4], "sha256:" + "9" * 64)),
        "sha256:" + "8" * 64,
        "localhost/corpus/debian-app:1.0.1",
    )
    check = check_base(app, build_provenance(app, (), ()), rebuilt, [])
    assert check.verdict == "stale"
    assert (check.shared_layer_count, check.old_layer_count, check.new_layer_count) == (4, 5, 5)
    assert check.new_digest == "sha256:" + "8" * 64
    assert "rebuilt" in check.reason


def test_check_base_stale_by_annotation_digest(real: Path) -> None:
    _, debian = _pair(real)
    newer = _named(_config(debian, diff_ids=("sha256:" + "7" * 64,)), "sha256:" + "6" * 64)
    check = check_base(
        debian,
        build_provenance(debian, (), ()),
        newer,
        ["localhost/corpus/debian-minbase:bookworm"],
    )
    assert check.verdict == "stale"
    assert (
        check.old_digest
        == "sha256:68572e74fc95fd69f40182758a2243566836f8605b85e09d52e7cf2d04f7ca2a"
    )
    assert check.new_digest == "sha256:" + "6" * 64
    assert check.old_layer_count == 1


def test_check_base_compares_provenance_pin(public: Path, real: Path) -> None:
    _, debian = _pair(real)
    one = orjson.loads((public / BUILDINFO_DOC).read_bytes())
    one["sources"] = [s for s in one["sources"] if "alpine" in s["ref"]]
    img = dataclasses.replace(
        _config(
            debian,
            extra={"moby.buildkit.buildinfo.v1": base64.b64encode(orjson.dumps(one)).decode()},
            labels={},
        ),
        manifest_annotations={},
    )
    newer = _named(
        _config(debian, diff_ids=("sha256:" + "5" * 64,)), "sha256:" + "4" * 64, "alpine:3.13"
    )
    check = check_base(img, build_provenance(img, (), ()), newer, [])
    assert check.verdict == "stale"
    assert (
        check.old_digest
        == "sha256:1d30d1ba3cb90962067e9b29491fbd56997979d54376f23f01448b5c5cd8b462"
    )
    # the same pin as the supplied base, yet the layers differ: contradiction → unknown
    same = _named(
        newer,
        "sha256:1d30d1ba3cb90962067e9b29491fbd56997979d54376f23f01448b5c5cd8b462",
        "alpine:3.13",
    )
    assert check_base(img, build_provenance(img, (), ()), same, []).verdict == "unknown"


def test_check_base_unknown(public: Path, real: Path) -> None:
    app, debian = _pair(real)
    busybox = layout_images(public / "containers-olot/tests/data/ocilayout3")[0][0]
    unrelated = check_base(
        app, build_provenance(app, (), ()), busybox, ["docker.io/library/busybox:latest"]
    )
    assert unrelated.verdict == "unknown"
    assert unrelated.shared_layer_count == 0
    assert "shares no layers" in unrelated.reason
    # a shared root with a longer, different newer image and nothing naming it: maybe an ancestor
    cousin = _named(
        _config(debian, diff_ids=(debian.config.diff_ids[0], "sha256:" + "3" * 64), history=()),
        "sha256:" + "2" * 64,
    )
    img = dataclasses.replace(_config(debian, history=(), labels={}), manifest_annotations={})
    check = check_base(img, Provenance(), cousin, [])
    assert check.verdict == "unknown"
    assert check.shared_layer_count == 1
    assert "common ancestor" in check.reason
    empty = _config(cousin, diff_ids=())
    assert check_base(img, Provenance(), empty, []).verdict == "unknown"


def test_history_needs_matching_layer_count(real: Path) -> None:
    app, _ = _pair(real)
    broken = _config(app, history=(*app.config.history, HistoryEntry(created_by="extra")))
    assert history_boundaries(broken) == ((), None)
