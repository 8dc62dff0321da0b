"""The direct CycloneDX JSON writer against cyclonedx-python-lib, byte for byte (issue 16).

``reporter.render.cyclonedx`` (the library's model and serialiser) is the oracle: every input
here goes through both, for every spec version and both BOM shapes, and the bytes must be
equal; the fast output must also pass the library's strict JSON validator.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from reporter.model import (
    BaseImage,
    Evidence,
    ImageReport,
    Location,
    Package,
    Platform,
    Provenance,
    Report,
    Source,
)
from reporter.options import Options
from reporter.pipeline import generate
from reporter.render.common import CYCLONEDX_SPEC_VERSIONS
from reporter.render.cyclonedx import CycloneDXRenderer
from reporter.render.cyclonedx_json import CycloneDXJSONRenderer, Duplicate, render_json
from reporter.render.dispatch import get_renderer
from tests.conftest import shared_path
from tests.factory import image, layer, make_report, pkg, report

ROOT = Path(__file__).resolve().parents[2]
EPOCH = 1_700_000_000
REAL = ("debian-app.oci-gzip", "docker-buildkit-app.docker-save.tar.gz", "tiny-multiarch.oci")
SAMPLES = ("demo-multiarch.oci", "demo-docker-save.tar")


def _same_bytes(subject: Report) -> int:
    """Render ``subject`` both ways for every version and shape; return documents compared."""
    compared = 0
    for version in CYCLONEDX_SPEC_VERSIONS:
        validator = JsonStrictValidator(SchemaVersion.from_version(version))
        for index_root in (False, True):
            oracle = CycloneDXRenderer(spec_version=version, index_root=index_root)
            expected = oracle.render_per_platform(subject)
            got = render_json(subject, spec_version=version, index_root=index_root)
            assert [k for k, _ in got] == [k for k, _ in expected]
            for (key, want), (_, data) in zip(expected, got, strict=True):
                assert data == want, f"{version} {key} index_root={index_root}: bytes differ"
                error = validator.validate_str(data.decode())
                assert error is None, f"{version} {key}: {error}"
                compared += 1
    return compared


@cache
def _scanned(path: str) -> Report:
    return generate(path, Options(source_date_epoch=EPOCH))


@pytest.mark.parametrize("fixture", REAL)
def test_real_fixtures_byte_identical(fixture: str) -> None:
    subject = _scanned(str(shared_path("fixtures", "real", fixture)))
    assert _same_bytes(subject) >= 8


@pytest.mark.parametrize("sample", SAMPLES)
def test_samples_byte_identical(sample: str) -> None:
    subject = _scanned(str(ROOT / "samples" / sample))
    assert subject.images
    assert any(i.packages for i in subject.images)
    assert _same_bytes(subject) >= 8


@pytest.mark.parametrize("hostile", [False, True])
def test_factory_reports_byte_identical(hostile: bool) -> None:
    subject = make_report(hostile=hostile)
    _same_bytes(subject)
    # the SBOM's own author and supplier (metadata.authors / metadata.supplier)
    _same_bytes(
        dataclasses.replace(
            subject,
            sbom_author="Jane Doe <jane@example.org>",
            sbom_supplier="ACME Inc <sbom@acme.example>",
        )
    )
    _same_bytes(dataclasses.replace(subject, sbom_author="not a mail <x>", sbom_supplier="ACME"))


def _odd_packages() -> tuple[Package, ...]:
    libc = pkg("deb", "libc6", "2.36-9", path="/var/lib/dpkg/status", layer_index=0)
    return (
        # one expression, an expression that is also an id, several ids and names with repeats
        dataclasses.replace(libc, licenses=("GPL-2.0-only OR MIT",)),
        pkg("deb", "bash", "5.2", licenses=("gpl-3.0-or-later",)),
        pkg("npm", "a", "1.0.0", licenses=("MIT", "Apache-2.0", "mit", "BSD License", "GPL", "")),
        pkg("npm", "b", "1.0.0", licenses=(" ", "\x1b[31m")),
        # hashes: repeats, mixed case, unknown algorithms and wrong lengths dropped
        dataclasses.replace(
            pkg("python", "c", "2.0"),
            hashes=(
                ("sha256", "A" * 64),
                ("sha256", "a" * 64),
                ("md5", "0" * 32),
                ("sha512", "f" * 128),
                ("sha1", "1" * 40),
                ("sha3-256", "2" * 64),
                ("blake2", "3" * 64),
                ("sha256", "short"),
            ),
            cpes=(
                "cpe:2.3:a:c:c:2.0:*:*:*:*:*:*:*",
                "cpe:2.3:a:python:c:2.0:*:*:*:*:*:*:*",
                "cpe:2.3:a:c:c:2.0:*:*:*:*:*:*:*",
            ),
            supplier="Python Packaging <pp@example.org>",
            authors=("Zed <z@example.org>", "Amy", "Amy", "<no@name.example>", "bad <x@y>"),
            metadata=(("arch", "all"), ("arch", "all"), ("origin", "")),
        ),
        # dependencies: on itself, on a missing package, on two that share a stem
        dataclasses.replace(
            pkg("npm", "d", "1.0.0"),
            depends_on=("pkg:npm/d@1.0.0", "pkg:npm/missing@9", "pkg:npm/e@1.0.0"),
        ),
        pkg("npm", "e", "1.0.0", path="/app/node_modules/e/package.json"),
        pkg("npm", "e", "1.0.0", path="/app/node_modules/x/node_modules/e/package.json"),
        # no version, no purl, an unparsable purl, eleven locations (location-10 < location-2)
        dataclasses.replace(pkg("binary", "f", ""), purl=""),
        dataclasses.replace(pkg("golang", "g", "v1"), purl="pkg:golang/%zz@v1"),
        dataclasses.replace(
            pkg("rpm", "h", "1-1"),
            locations=tuple(Location(f"/p/{n}", n % 3, f"sha256:{n}") for n in range(11)),
            layer_digest="sha256:" + "9" * 64,
            layer_diff_id="sha256:" + "8" * 64,
            base=False,
            cataloger="rpm-db",
        ),
    )


def _odd_image(platform: Platform, digest: str, parents: tuple[str, ...]) -> ImageReport:
    provenance = Provenance(
        vcs_source="https://github.com/example/app.git",
        vcs_revision="0" * 40,
        builder_id="https://github.com/actions/runner",
        reproducible=False,
        build_args={"B": "2", "A": "1"},
        sources=(
            Source(type="git", ref="https://github.com/example/app.git", pin="1" * 40),
            Source(type="http", ref="https://example.org/a b[1].tar.gz", pin=""),
            Source(type="http", ref="https://example.org/50%.tar.gz"),
            Source(type="http", ref="ftp://example.org/x.tar.gz"),
            Source(
                type="docker-image", ref="docker.io/library/debian:12", pin="sha256:" + "7" * 64
            ),
        ),
    )
    base = BaseImage(
        name="docker.io/library/debian:12",
        digest="sha256:" + "5" * 64,
        confidence="medium",
        layer_count=1,
        note="from a label",
        evidence=(Evidence(kind="label", detail="x", origin=""),),
    )
    subject = image(
        platform=platform,
        digest=digest,
        refs=("registry.example.com/team/app:1.2", "app:1.2", "app:1.2"),
        packages=_odd_packages(),
        layers=(layer(0, "a", base=True), layer(1, "b", base=False)),
        base=base,
        labels={"org.opencontainers.image.vendor": "Example Corp", "empty": ""},
        annotations={"org.opencontainers.image.created": "2024-03-04T10:00:00Z"},
        provenance=provenance,
    )
    target = dataclasses.replace(subject.description.target, parents=parents)
    return dataclasses.replace(
        subject, description=dataclasses.replace(subject.description, target=target)
    )


def test_odd_content_byte_identical() -> None:
    """Licences, hashes, CPEs, dependencies, refs and nested platforms the fixtures lack."""
    outer, inner = "sha256:" + "a" * 64, "sha256:" + "b" * 64
    amd64 = _odd_image(Platform("linux", "amd64"), "sha256:" + "1" * 64, (outer, inner))
    arm = _odd_image(Platform("linux", "arm64", "v8"), "sha256:" + "2" * 64, (outer,))
    bare = dataclasses.replace(
        image(platform=Platform("linux", "s390x"), digest="sha256:" + "3" * 64, distro=None),
        packages=(),
    )
    _same_bytes(report(amd64, arm))  # one index above both: index digest on the root
    _same_bytes(report(amd64, arm, bare))  # mixed parents: no index digest
    _same_bytes(report(bare))  # no packages, no distro: no components at all
    no_name = dataclasses.replace(
        amd64,
        description=dataclasses.replace(
            amd64.description, target=dataclasses.replace(amd64.description.target, refs=())
        ),
    )
    assert not no_name.refs
    _same_bytes(report(no_name, name="-"))


def test_clashing_bom_refs_use_the_library() -> None:
    """A purl whose subpath looks like an occurrence ref: the library renames clashing refs
    (``BomRefDiscriminator``); the fast writer refuses and the renderer falls back."""
    first = dataclasses.replace(pkg("npm", "a", "1.0.0"), purl="pkg:npm/a@1.0.0#location-0")
    second = pkg("npm", "a", "1.0.0", path="/app/node_modules/a/package.json")
    subject = report(image(packages=(first, second)))
    with pytest.raises(Duplicate):
        render_json(subject)
    fast = CycloneDXJSONRenderer().render_per_platform(subject)
    assert fast == CycloneDXRenderer().render_per_platform(subject)


def test_json_path_imports_no_cyclonedx_library() -> None:
    code = (
        "import sys\n"
        "from tests.factory import make_report\n"
        "from reporter.render.dispatch import get_renderer\n"
        "get_renderer('cyclonedx-json', index_root=True).render(make_report())\n"
        "print(sorted(m for m in sys.modules if m.startswith(('cyclonedx', 'py_serializable'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
    # and the registry really hands out the fast writer
    assert isinstance(get_renderer("cyclonedx-json"), CycloneDXJSONRenderer)


def test_licence_ids_are_the_librarys() -> None:
    """The fast writer's id list (vendored) is the one ``cyclonedx.spdx.fixup_id`` uses."""
    import json

    import cyclonedx.schema._res as resources

    from reporter.render.cyclonedx_json import licence_objects

    with open(resources.SPDX_JSON, encoding="utf-8") as handle:
        ids = json.load(handle)["enum"]
    for spdx_id in ids:
        assert licence_objects([spdx_id.upper()]) == [{"license": {"id": spdx_id}}]
