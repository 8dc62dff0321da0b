"""The spine against images made by real tools; expected digests come from skopeo's output
stored in ../shared/fixtures/real/_reference/inspect, never typed in here."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reporter.model import Report
from reporter.options import Options
from reporter.pipeline import generate, split_selector
from tests.conftest import shared_path

FAST = Options(catalog=False, verify_layers=True)


def skopeo_sections(name: str) -> dict[str, str]:
    text = (shared_path("fixtures", "real", "_reference", "inspect") / name).read_text()
    sections: dict[str, str] = {}
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        sections[title.strip()] = body.strip()
    return sections


def section_json(sections: dict[str, str], prefix: str) -> Any:
    for title, body in sections.items():
        if title.startswith(prefix):
            return json.loads(body)
    raise AssertionError(f"no section {prefix!r}")


def test_debian_app_digests_equal_skopeo() -> None:
    path = shared_path("fixtures", "real", "debian-app.oci-gzip")
    sections = skopeo_sections("debian-app.oci-gzip.txt")
    raw = section_json(sections, "skopeo inspect --raw")
    summary = section_json(sections, "skopeo inspect  oci:")
    report = generate(str(path), FAST)
    assert report.input_format == "oci-layout"
    assert len(report.images) == 1
    image = report.images[0]
    assert str(image.platform) == "linux/amd64"
    assert image.refs == ("1.0.0",)
    assert image.description.target.manifest.digest == summary["Digest"]
    assert image.description.config.digest == raw["config"]["digest"]
    assert [layer.digest for layer in image.layers] == summary["Layers"]
    assert [layer.size for layer in image.layers] == [d["size"] for d in raw["layers"]]
    assert all(layer.verified and layer.diff_id_verified for layer in image.layers)
    assert report.integrity_ok
    assert (
        image.description.manifest_annotations["org.opencontainers.image.base.name"]
        == raw["annotations"]["org.opencontainers.image.base.name"]
    )


def test_tiny_multiarch_three_platforms() -> None:
    path = shared_path("fixtures", "real", "tiny-multiarch.oci")
    sections = skopeo_sections("tiny-multiarch.oci.txt")
    raw_index = section_json(sections, "skopeo inspect --raw")
    report = generate(str(path), FAST)
    expected = {
        "/".join(
            filter(
                None,
                (
                    m["platform"]["os"],
                    m["platform"]["architecture"],
                    m["platform"].get("variant", ""),
                ),
            )
        ): m["digest"]
        for m in raw_index["manifests"]
    }
    got = {str(i.platform): i.description.target.manifest.digest for i in report.images}
    assert got == expected
    assert all(i.refs == ("multi",) for i in report.images)
    for image in report.images:
        variant = f" --override-variant {image.platform.variant}" if image.platform.variant else ""
        layers = section_json(
            sections,
            f"skopeo inspect --override-os linux --override-arch "
            f"{image.platform.architecture}{variant} oci:",
        )["Layers"]
        assert [layer.digest for layer in image.layers] == layers
        assert image.description.target.parents  # reached through the nested index


@pytest.mark.parametrize(
    ("platform", "arch"), [("linux/arm64", "arm64"), ("arm64/v8", "arm64"), ("linux/arm/v7", "arm")]
)
def test_platform_selection(platform: str, arch: str) -> None:
    from reporter.model import Platform

    path = shared_path("fixtures", "real", "tiny-multiarch.oci")
    report = generate(
        str(path),
        Options(catalog=False, verify_layers=False, platforms=(Platform.parse(platform),)),
    )
    assert [i.platform.architecture for i in report.images] == [arch]


def test_docker_save_gzip_manifest_digest_equals_skopeo() -> None:
    path = shared_path("fixtures", "real", "docker-buildkit-app.docker-save.tar.gz")
    sections = skopeo_sections("docker-buildkit-app.docker-save.tar.txt")
    summary = section_json(sections, "skopeo inspect  docker-archive")
    manifest_json = section_json(sections, "manifest.json")
    report = generate(str(path), FAST)
    assert report.input_format == "docker-archive"
    image = report.images[0]
    assert image.refs == tuple(manifest_json[0]["RepoTags"])
    assert image.description.target.manifest.digest == summary["Digest"]
    assert [layer.digest for layer in image.layers] == summary["Layers"]
    assert [layer.diff_id for layer in image.layers] == summary["Layers"]
    assert all(layer.verified and layer.diff_id_verified for layer in image.layers)


def test_selector_by_tag_and_digest() -> None:
    path = shared_path("fixtures", "real", "tiny-multiarch.oci")
    p, options = split_selector(f"{path}:multi", FAST)
    assert p == str(path)
    assert options.tag == "multi"
    digest = "sha256:b38fa74a408e891778b229242552235cdc42f56587f0a39a0607131f18b9305b"
    p, options = split_selector(f"{path}@{digest}", FAST)
    assert len(generate(p, options).images) == 3


@pytest.mark.skipif(
    shutil.which("skopeo") is None and os.environ.get("CI") != "true",
    reason="skopeo not installed (CI installs it)",
)
def test_live_skopeo_agrees_on_every_real_platform_image(tmp_path: Path) -> None:
    path = shared_path("fixtures", "real", "tiny-multiarch.oci")
    report: Report = generate(str(path), FAST)
    for image in report.images:
        p = image.platform
        args = [
            "skopeo",
            "inspect",
            "--raw",
            "--override-os",
            p.os,
            "--override-arch",
            p.architecture,
        ]
        if p.variant:
            args += ["--override-variant", p.variant]
        index = json.loads(
            subprocess.run([*args, f"oci:{path}:multi"], check=True, capture_output=True).stdout
        )
        digests = {m["digest"] for m in index["manifests"]}
        assert image.description.target.manifest.digest in digests
        config = json.loads(
            subprocess.run(
                [
                    "skopeo",
                    "inspect",
                    "--config",
                    "--override-os",
                    p.os,
                    "--override-arch",
                    p.architecture,
                    *(["--override-variant", p.variant] if p.variant else []),
                    f"oci:{path}:multi",
                ],
                check=True,
                capture_output=True,
            ).stdout
        )
        assert list(image.description.config.diff_ids) == config["rootfs"]["diff_ids"]
