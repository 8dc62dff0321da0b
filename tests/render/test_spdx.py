"""SPDX 2.3 JSON: valid per spdx-tools, NTIA minimum elements, deterministic."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from reporter.model import Report
from reporter.render.dispatch import get_renderer
from reporter.render.spdx import report_to_spdx


def _write(tmp_path: Path, report: Report) -> Path:
    path = tmp_path / "report.spdx.json"
    path.write_bytes(get_renderer("spdx-json").render(report))
    return path


@pytest.mark.parametrize("factory", ["report", "hostile_report"])
def test_valid_and_ntia_conformant(
    factory: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from ntia_conformance_checker.ntia_checker import NTIAChecker

    report: Report = request.getfixturevalue(factory)
    path = _write(tmp_path, report)
    document = parse_file(str(path))  # what a consumer reads back, not our in-memory model
    assert validate_full_spdx_document(document) == []
    checker = NTIAChecker(str(path))
    assert checker.compliant, checker.table_elements
    assert checker.validation_messages == [] or not checker.validation_messages


def test_document_shape(report: Report, golden: Callable[[str, bytes], None]) -> None:
    data = get_renderer("spdx-json").render(report)
    assert data == get_renderer("spdx-json").render(report)
    document = json.loads(data)
    assert document["spdxVersion"] == "SPDX-2.3"
    assert document["creationInfo"]["created"] == "2024-03-04T10:00:00Z"
    assert document["creationInfo"]["creators"] == ["Tool: oci-reporter-0.1.0"]
    images = [p for p in document["packages"] if p["SPDXID"].startswith("SPDXRef-Image")]
    assert len(images) == 2
    assert all(p["primaryPackagePurpose"] == "CONTAINER" for p in images)
    described = {
        r["relatedSpdxElement"]
        for r in document["relationships"]
        if r["relationshipType"] == "DESCRIBES"
    }
    assert described == {p["SPDXID"] for p in images}
    contains = [r for r in document["relationships"] if r["relationshipType"] == "CONTAINS"]
    # each image contains its packages and its operating system
    assert len(contains) == sum(len(i.packages) + 1 for i in report.images)
    base_files = next(p for p in document["packages"] if p["name"] == "base-files")
    assert base_files["supplier"] == "Organization: Debian Maintainers (maint@example.org)"
    libc = next(p for p in document["packages"] if p["name"] == "libc6")
    assert libc["supplier"] == "Organization: debian"  # no maintainer recorded: purl namespace
    flask = next(p for p in document["packages"] if p["name"] == "flask")
    # the author, never the image vendor label (Example Corp did not supply flask)
    assert flask["supplier"] == "Organization: Flask Developers (flask@example.org)"  # a team
    assert flask["originator"] == flask["supplier"]
    assert "supplier from the package's author" in flask["comment"]
    tzdata = next(p for p in document["packages"] if p["name"] == "tzdata")
    assert tzdata["licenseDeclared"].startswith("LicenseRef-oci-reporter-")
    extracted = {e["licenseId"]: e["extractedText"] for e in document["hasExtractedLicensingInfos"]}
    assert extracted[tzdata["licenseDeclared"]] == "public-domain"
    golden("report.spdx.json", data)


def test_per_platform_documents(report: Report) -> None:
    outputs = get_renderer("spdx-json").render_per_platform(report)
    namespaces = {json.loads(data)["documentNamespace"] for _, data in outputs}
    assert [k for k, _ in outputs] == ["linux/amd64", "linux/arm64/v8"]
    assert len(namespaces) == 2


def test_hostile_values_are_cleaned(hostile_report: Report) -> None:
    document = report_to_spdx(hostile_report)
    for package in document.packages:
        assert "\x1b" not in package.name
        assert "\n" not in (package.version or "")


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_lib4sbom_parses_it(report: Report, tmp_path: Path) -> None:
    from lib4sbom.parser import SBOMParser

    parser = SBOMParser()
    parser.parse_file(str(_write(tmp_path, report)))
    assert parser.get_type() == "spdx"
    # image packages + base images + catalogued packages
    # images, base images, operating systems, packages
    assert len(parser.get_packages()) == 2 + 2 + 2 + sum(len(i.packages) for i in report.images)


def _validated_inputs() -> list[Report]:
    from reporter.options import Options
    from reporter.pipeline import generate
    from tests.conftest import shared_path
    from tests.factory import make_report

    root = Path(__file__).resolve().parents[2]
    paths = [
        str(shared_path("fixtures", "real", name))
        for name in (
            "debian-app.oci-gzip",
            "docker-buildkit-app.docker-save.tar.gz",
            "tiny-multiarch.oci",
        )
    ]
    paths += [
        str(root / "samples" / name) for name in ("demo-multiarch.oci", "demo-docker-save.tar")
    ]
    reports = [generate(p, Options(source_date_epoch=1_700_000_000)) for p in paths]
    return [*reports, make_report(), make_report(hostile=True)]


def test_skipped_write_validation_finds_nothing_and_changes_nothing() -> None:
    """``serialize_spdx`` skips spdx-tools' validator by default (issue 16): on every input
    we have, the validator finds nothing and the bytes are the same with or without it."""
    from reporter.render.spdx import serialize_spdx

    for subject in _validated_inputs():
        document = report_to_spdx(subject)
        assert validate_full_spdx_document(document) == []
        assert serialize_spdx(document) == serialize_spdx(document, validate=True)


def test_validate_on_request_still_refuses_a_broken_document(report: Report) -> None:
    from reporter.errors import RenderError
    from reporter.render.spdx import serialize_spdx

    broken = report_to_spdx(report)  # a fresh model of our own: mutating it is harmless
    broken.relationships[0].related_spdx_element_id = "SPDXRef-nowhere"
    serialize_spdx(broken)  # not validated: written as it is
    with pytest.raises(RenderError, match="failed validation"):
        serialize_spdx(broken, validate=True)
