"""The whole pipeline's package list on images made by real tools, against the ground truth in
../shared/fixtures/real/README.md and syft 1.18.1's stored output for the same images."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reporter.model import Platform, Report
from reporter.options import Options
from reporter.pipeline import generate
from tests.conftest import shared_path


def _syft(name: str) -> list[dict[str, Any]]:
    path = shared_path("fixtures", "real", "_reference", "syft") / name
    return list(json.loads(path.read_text())["artifacts"])


def _ours(report: Report, index: int = 0) -> set[tuple[str, str, str, str]]:
    return {(p.type, p.name, p.version, p.purl) for p in report.images[index].packages}


def _theirs(artifacts: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
    return {
        (str(a["type"]), str(a["name"]), str(a["version"]), str(a.get("purl", "")))
        for a in artifacts
    }


@pytest.fixture(scope="module")
def debian_app() -> Report:
    return generate(str(shared_path("fixtures", "real", "debian-app.oci-gzip")), Options())


@pytest.fixture(scope="module")
def buildkit_app() -> Report:
    path = shared_path("fixtures", "real", "docker-buildkit-app.docker-save.tar.gz")
    return generate(str(path), Options())


def test_debian_app_ground_truth(debian_app: Report) -> None:
    packages = debian_app.images[0].packages
    debs = {p.name for p in packages if p.type == "deb"}
    pythons = {p.name for p in packages if p.type == "python"}
    assert len(debs) == 91
    assert pythons == {"six", "packaging"}
    assert not {"jq", "libjq1", "libonig5"} & debs
    # the layer that brought each package: ca-certificates came with the apt layer (index 1)
    by_name = {p.name: p for p in packages}
    assert by_name["ca-certificates"].layer_index == 1
    assert by_name["libc6"].layer_index == 0
    assert by_name["six"].layer_index == 2
    assert by_name["six"].layer_diff_id == debian_app.images[0].layers[2].diff_id


def test_debian_app_equals_syft(debian_app: Report) -> None:
    artifacts = _syft("debian-app.oci-gzip.syft.json")
    assert _ours(debian_app) == _theirs(artifacts)


def test_debian_app_deb_licences_equal_syft(debian_app: Report) -> None:
    theirs = {
        str(a["name"]): sorted(
            {str(lic.get("spdxExpression") or lic["value"]) for lic in a["licenses"]}
        )
        for a in _syft("debian-app.oci-gzip.syft.json")
        if a["type"] == "deb"
    }
    ours = {
        p.name: sorted(set(p.licenses)) for p in debian_app.images[0].packages if p.type == "deb"
    }
    # issue 14: where syft says a bare "GPL", the copyright text of these two names
    # "version 2 … or (at your option) any later version" (tests/catalog/test_dpkg.py checks
    # the text itself); everything else is syft's answer
    refined = {name for name in theirs if theirs[name] == ["GPL"]}
    assert refined == {"base-files", "debian-archive-keyring"}
    assert {name: ours[name] for name in refined} == {n: ["GPL-2.0-or-later"] for n in refined}
    assert {k: v for k, v in ours.items() if k not in refined} == {
        k: v for k, v in theirs.items() if k not in refined
    }


def test_buildkit_app_ground_truth_and_syft(buildkit_app: Report) -> None:
    packages = buildkit_app.images[0].packages
    assert len([p for p in packages if p.type == "deb"]) == 92
    assert {p.name for p in packages if p.type == "python"} == {"packaging", "urllib3"}
    assert _ours(buildkit_app) == _theirs(_syft("docker-buildkit-app.docker-save.tar.syft.json"))
    netbase = next(p for p in packages if p.name == "netbase")
    assert netbase.layer_index == 5


def test_buildkit_app_base_marks_packages_with_debian_app_supplied() -> None:
    path = shared_path("fixtures", "real", "docker-buildkit-app.docker-save.tar.gz")
    base = shared_path("fixtures", "real", "debian-app.oci-gzip")
    report = generate(str(path), Options(base_images=(str(base),)))
    image = report.images[0]
    assert image.base.confidence == "high"
    assert image.base.layer_count == 5
    assert [layer.base for layer in image.layers] == [True] * 5 + [False] * 3
    by_name = {p.name: p for p in image.packages}
    assert by_name["libc6"].base is True
    assert by_name["netbase"].base is False
    assert by_name["urllib3"].base is False


@pytest.mark.parametrize(
    ("arch", "variant", "deb_arch", "syft_file"),
    [
        ("amd64", "", "amd64", "tiny-multiarch.oci__multi_linux_amd64_.syft.json"),
        ("arm64", "", "arm64", "tiny-multiarch.oci__multi_linux_arm64_.syft.json"),
        ("arm", "v7", "armhf", "tiny-multiarch.oci__multi_linux_arm_v7_.syft.json"),
    ],
)
def test_tiny_multiarch_per_platform(
    arch: str, variant: str, deb_arch: str, syft_file: str
) -> None:
    path = shared_path("fixtures", "real", "tiny-multiarch.oci")
    report = generate(str(path), Options(platforms=(Platform("linux", arch, variant),)))
    (package,) = report.images[0].packages
    assert package.name == "busybox-static"
    assert dict(package.metadata)["arch"] == deb_arch
    assert _ours(report) == _theirs(_syft(syft_file))


def test_same_input_same_report(tmp_path: Path) -> None:
    path = str(shared_path("fixtures", "real", "debian-app.oci-gzip"))
    # the time of making is the one thing that may differ, unless SOURCE_DATE_EPOCH pins it
    assert generate(path, Options(source_date_epoch=1)) == generate(
        path, Options(source_date_epoch=1)
    )
