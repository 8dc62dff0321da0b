"""The direct SPDX JSON writer against spdx-tools, byte for byte (issue 16).

``reporter.render.spdx`` (spdx-tools' model and ``DocumentConverter``) is the oracle: every
input here goes through both, as one document and per platform, and the bytes must be equal;
the direct output must also pass the official SPDX 2.3 JSON schema (tests/render/schemas).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from reporter.model import Location, Report
from reporter.options import Options
from reporter.pipeline import generate
from reporter.render.dispatch import get_renderer
from reporter.render.spdx import SPDXJSONRenderer as ToolsRenderer
from reporter.render.spdx import report_to_spdx
from reporter.render.spdx_facts import DECLARED_NOTE
from reporter.render.spdx_json import SPDXJSONRenderer
from tests.conftest import shared_path
from tests.factory import image, make_report, pkg, report

ROOT = Path(__file__).resolve().parents[2]
EPOCH = 1_700_000_000
REAL = ("debian-app.oci-gzip", "docker-buildkit-app.docker-save.tar.gz", "tiny-multiarch.oci")
SAMPLES = ("demo-multiarch.oci", "demo-docker-save.tar")
SCHEMA = Path(__file__).parent / "schemas" / "spdx-2.3.schema.json"


@cache
def _validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text()))


def _same_bytes(subject: Report) -> list[dict[str, Any]]:
    """Render ``subject`` both ways, whole and per platform; return the documents compared."""
    oracle, fast = ToolsRenderer(), SPDXJSONRenderer()
    pairs = [("whole", oracle.render(subject), fast.render(subject))]
    expected, got = oracle.render_per_platform(subject), fast.render_per_platform(subject)
    assert [k for k, _ in got] == [k for k, _ in expected]
    pairs += [(k, want, data) for (k, want), (_, data) in zip(expected, got, strict=True)]
    documents = []
    for key, want, data in pairs:
        assert data == want, f"{key}: bytes differ"
        document = json.loads(data)
        errors = [e.message for e in _validator().iter_errors(document)]
        assert errors == [], f"{key}: {errors[:3]}"
        documents.append(document)
    return documents


@cache
def _scanned(path: str, lockfiles: bool = False) -> Report:
    return generate(path, Options(source_date_epoch=EPOCH, lockfiles=lockfiles))


@pytest.mark.parametrize("fixture", REAL)
def test_real_fixtures_byte_identical(fixture: str) -> None:
    subject = _scanned(str(shared_path("fixtures", "real", fixture)))
    documents = _same_bytes(subject)
    assert len(documents) == 1 + len(subject.images)
    assert sum(len(d["packages"]) for d in documents[1:]) == len(documents[0]["packages"])


@pytest.mark.parametrize("sample", SAMPLES)
def test_samples_byte_identical(sample: str) -> None:
    subject = _scanned(str(ROOT / "samples" / sample))
    assert any(i.packages for i in subject.images)
    _same_bytes(subject)


@pytest.mark.parametrize("hostile", [False, True])
def test_factory_reports_byte_identical(hostile: bool) -> None:
    subject = make_report(hostile=hostile)
    _same_bytes(subject)
    # the SBOM's own author and supplier (creationInfo.creators, the image supplier fallback)
    variants = [
        dataclasses.replace(
            subject,
            sbom_author="Jane Doe <jane@example.org>",
            sbom_supplier="ACME Inc <sbom@acme.example>",
        ),
        dataclasses.replace(subject, sbom_author="not a mail <x>", sbom_supplier="ACME"),
        dataclasses.replace(subject, sbom_author="Team Ops <ops@example.org>", sbom_supplier=""),
    ]
    for variant in variants:
        creators = _same_bytes(variant)[0]["creationInfo"]["creators"]
        assert len(creators) > 1


def test_odd_content_byte_identical() -> None:
    """Licences, hashes, suppliers, dependencies and names the fixtures lack."""
    libc = pkg("deb", "libc6", "2.36-9", path="/var/lib/dpkg/status", layer_index=0)
    packages = (
        dataclasses.replace(libc, licenses=("GPL-2.0-only OR MIT", "mit", "GPL", "GPL")),
        pkg("npm", "a", "1.0.0", licenses=("MIT", "Apache-2.0 AND (BSD-3-Clause OR MIT)", " ")),
        dataclasses.replace(
            pkg("python", "c", "2.0"),
            hashes=(("sha256", "A" * 64), ("md5", "0" * 32), ("sha3-256", "2" * 64)),
            cpes=("cpe:2.3:a:c:c:2.0:*:*:*:*:*:*:*",),
            supplier="",
            authors=("<no@name.example>", "Zed <z@example.org>"),
            metadata=(("publisher", "PyPA, Inc"),),
        ),
        dataclasses.replace(
            pkg("npm", "d", "1.0.0"), depends_on=("pkg:npm/d@1.0.0", "pkg:npm/e@1.0.0")
        ),
        pkg("npm", "e", "1.0.0", path="/app/node_modules/e/package.json"),
        dataclasses.replace(pkg("binary", "", ""), purl="pkg:golang/%zz@v1"),
        dataclasses.replace(
            pkg("rpm", "h", "1-1"),
            locations=tuple(Location(f"/p/{n}", n % 3, f"sha256:{n}") for n in range(4)),
            base=False,
        ),
    )
    _same_bytes(report(image(packages=packages)))
    _same_bytes(report(dataclasses.replace(image(distro=None), packages=())))


def test_lock_file_packages_say_they_are_declared() -> None:
    """A lock-file package must not look installed, in both SPDX paths."""
    from reporter.catalog.lockfiles._common import DECLARED, declared_metadata

    installed = pkg("npm", "left-pad", "1.3.0")
    declared = dataclasses.replace(
        pkg("npm", "right-pad", "1.0.0", path="/app/package-lock.json"),
        metadata=declared_metadata(lockfile="package-lock.json"),
    )
    assert dict(declared.metadata)["declared"] == DECLARED
    document = _same_bytes(report(image(packages=(installed, declared))))[0]
    comments = {p["name"]: p["comment"] for p in document["packages"]}
    assert comments["right-pad"].endswith(f"; {DECLARED_NOTE}")
    assert DECLARED_NOTE not in comments["left-pad"]
    model = report_to_spdx(report(image(packages=(declared,))))  # spdx-tools' own model
    tools = {p.name: p.comment or "" for p in model.packages}
    assert DECLARED_NOTE in tools["right-pad"]


def test_lock_files_through_the_pipeline(tmp_path: Path) -> None:
    """A layer holding a Cargo.lock (the format's documented example), scanned with
    ``lockfiles``: every package it declares says so, and the bytes still match spdx-tools'."""
    from tests.catalog.lockfiles.documented import DOCUMENTED
    from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

    files = [TarFile("srv/Cargo.lock", DOCUMENTED["edge/cargo-v1/Cargo.lock"])]
    layout = tmp_path / "image"
    custom_layout(layout, [tar_bytes(files)], media_type=TAR_LAYER, ref="lock")
    subject = generate(str(layout), Options(source_date_epoch=EPOCH, lockfiles=True))
    declared = [p for i in subject.images for p in i.packages if dict(p.metadata).get("declared")]
    assert len(declared) == 3
    documents = _same_bytes(subject)
    noted = [p for p in documents[0]["packages"] if DECLARED_NOTE in p.get("comment", "")]
    assert sorted(p["name"] for p in noted) == sorted(p.name for p in declared)


def test_json_path_imports_no_spdx_tools() -> None:
    code = (
        "import sys\n"
        "from tests.factory import make_report\n"
        "from reporter.render.dispatch import get_renderer\n"
        "get_renderer('spdx-json').render_per_platform(make_report(hostile=True))\n"
        "print(sorted(m for m in sys.modules if m.startswith(('spdx_tools', 'beartype'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    assert isinstance(get_renderer("spdx-json"), SPDXJSONRenderer)
