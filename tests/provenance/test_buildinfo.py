from __future__ import annotations

import base64
from pathlib import Path

import orjson

from reporter.model import ImageConfig
from reporter.provenance.buildinfo import from_config, read_buildinfo

DOCS = "moby-buildkit/docs-json/docs/buildinfo@b646761e0fe9"


def _config(extra: dict[str, object]) -> ImageConfig:
    return ImageConfig(digest="sha256:" + "c" * 64, media_type="x", size=1, extra=extra)


def test_config_buildinfo_v1_real_document(public: Path) -> None:
    doc = (public / DOCS / "block01-buildinfo-decoded.json").read_bytes()
    part = from_config(_config({"moby.buildkit.buildinfo.v1": base64.b64encode(doc).decode()}))
    assert part.findings == ()
    facts = {(f.key, f.value) for f in part.facts}
    assert ("frontend", "dockerfile.v0") in facts
    assert ("dockerfile", "Dockerfile") in facts
    assert (
        "context",
        "https://github.com/crazy-max/buildkit-buildsources-test.git#master",
    ) in facts
    assert ("frontend.image", "crazymax/dockerfile:master") in facts
    assert ("frontend-attr:platform", "linux/amd64,linux/arm64") in facts
    assert {f.origin for f in part.facts} == {"config-buildinfo"}
    assert {f.origin_detail for f in part.facts} == {"moby.buildkit.buildinfo.v1"}
    assert part.build_args == {"foo": "bar"}
    by_type = sorted((s.type, s.ref, s.pin) for s in part.sources)
    assert by_type == [
        (
            "docker-image",
            "docker.io/docker/buildx-bin:0.6.1@sha256:a652ced4a4141977c7daaed0a074dcd9844a78d7d2615465b12f433ae6dd29f0",
            "sha256:a652ced4a4141977c7daaed0a074dcd9844a78d7d2615465b12f433ae6dd29f0",
        ),
        (
            "docker-image",
            "docker.io/library/alpine:3.13",
            "sha256:1d30d1ba3cb90962067e9b29491fbd56997979d54376f23f01448b5c5cd8b462",
        ),
        (
            "git",
            "https://github.com/crazy-max/buildkit-buildsources-test.git#master",
            "259a5aa5aa5bb3562d12cc631fe399f4788642c1",
        ),
        (
            "http",
            "https://raw.githubusercontent.com/moby/moby/v20.10.21/README.md",
            "sha256:419455202b0ef97e480d7f8199b26a721a417818bc0e2d106975f74323f25e6c",
        ),
    ]


def test_v0_key_and_named_context_deps(public: Path) -> None:
    real = orjson.loads((public / DOCS / "block01-buildinfo-decoded.json").read_bytes())
    inner = orjson.loads((public / DOCS / "block05-metadata-file-with-buildinfo.json").read_bytes())
    outer = {
        "frontend": "dockerfile.v0",
        "attrs": {"build-arg:x": None, "context:base": "input:base"},
        "sources": [{"type": "image", "ref": "docker.io/library/busybox:latest", "alias": "base"}],
        "deps": {"base": inner["containerimage.buildinfo"]},
    }
    config = _config(
        {
            "moby.buildkit.buildinfo.v0": base64.b64encode(orjson.dumps(outer)).decode(),
            "moby.buildkit.buildinfo.v1": base64.b64encode(orjson.dumps(real)).decode(),
        }
    )
    part = from_config(config)
    assert part.findings == ()
    # v1's build args win over v0's; named context args are not ours
    assert part.build_args == {"foo": "bar", "x": ""}
    keys = {f.key for f in part.facts}
    assert "dep:base:frontend" in keys
    assert "dep:base:frontend.image" in keys
    aliased = [s for s in part.sources if s.alias == "base"]
    assert aliased
    assert aliased[0].type == "docker-image"
    dep_sources = [s for s in part.sources if s.origin_detail.endswith("deps/base")]
    assert {s.pin for s in dep_sources} == {
        "sha256:a652ced4a4141977c7daaed0a074dcd9844a78d7d2615465b12f433ae6dd29f0",
        "sha256:026f721af4cf2843e07bba648e158fb35ecc876d822130633cc49f707f0fc88c",
    }


def test_malformed_buildinfo_becomes_findings() -> None:
    assert from_config(_config({})).facts == ()
    part = from_config(_config({"moby.buildkit.buildinfo.v1": "%%% not base64"}))
    assert [f.kind for f in part.findings] == ["bad-buildinfo"]
    assert part.findings[0].severity == "warning"
    not_obj = base64.b64encode(b"[1,2]").decode()
    assert read_buildinfo(not_obj, "x", "y", "w").findings[0].message.endswith("not a JSON object")
    weird = {"frontend": 3, "attrs": [], "sources": [{"type": "git"}, 5], "deps": {"a": 1}}
    part = read_buildinfo(weird, "x", "y", "w")
    assert len(part.findings) == 5
    assert part.sources == ()
