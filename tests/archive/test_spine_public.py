"""The spine on public fixtures from real projects (../shared/fixtures/public, README there):
every image listed with its platform and digests; broken fixtures give findings or clean errors;
one flipped byte in any blob is always reported."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest

from reporter.errors import InputError, ReporterError
from reporter.options import Options
from reporter.pipeline import generate
from tests.conftest import shared_path

VERIFY = Options(catalog=False, verify_layers=True)
PUB = ("fixtures", "public")

# fixture → (format, sorted platforms of the images found)
READABLE = {
    "regclient-regclient/testdata/testrepo": ("oci-layout", None),
    "google-go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar": (
        "docker-archive",
        ["linux/arm64"],
    ),
    "google-go-containerregistry/pkg/v1/tarball/testdata/test_bundle.tar": ("docker-archive", None),
    "google-go-containerregistry/pkg/v1/tarball/testdata/test_link.tar": ("docker-archive", None),
    "wagoodman-dive/.data/test-docker-image.tar": ("docker-archive", ["linux/amd64"]),
    "wagoodman-dive/.data/test-oci-gzip-image.tar": ("oci-archive", ["linux/arm64"]),
    "wagoodman-dive/.data/test-oci-zstd-image.tar": ("oci-archive", ["linux/arm64"]),
    "google-osv-scalibr/artifact/image/layerscanning/image/testdata/basic.tar": (
        "docker-archive",
        ["linux/amd64"],
    ),
    "docker-attest/test/testdata/unsigned-index": ("oci-layout", ["linux/amd64", "linux/arm64"]),
    "docker-attest/test/testdata/containerd-subject-layout": ("oci-layout", ["linux/arm64"]),
    "anchore-stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir": (
        "oci-layout",
        ["linux/amd64", "linux/arm64"],
    ),
    "anchore-stereoscope/pkg/image/oci/testdata/valid-oci.tar": ("oci-archive", None),
    "containers-image/docker/archive/fixtures/almostempty.tar": ("docker-archive", None),
    "docker-actions-toolkit/__tests__/.fixtures/oci-archive/hello-oci-gzip.tar": (
        "oci-archive",
        ["linux/amd64"],
    ),
}


@pytest.mark.parametrize("fixture", sorted(READABLE))
def test_public_fixture_is_read(fixture: str) -> None:
    path = shared_path(*PUB, *fixture.split("/"))
    fmt, platforms = READABLE[fixture]
    report = generate(str(path), VERIFY)
    assert report.input_format == fmt
    assert report.images
    if platforms is not None:
        assert sorted(str(i.platform) for i in report.images) == platforms
    for image in report.images:
        assert image.description.target.manifest.digest.startswith("sha256:")
        assert image.description.config.digest.startswith("sha256:")
        for layer in image.layers:
            assert layer.verified, (fixture, layer)
            assert layer.diff_id_verified is not False, (fixture, layer)
    assert report.integrity_ok, [f for i in report.images for f in i.description.findings]


def test_containers_image_fake_layers_are_listed_and_flagged() -> None:
    # Upstream's deletion fixture has placeholder "layers" (a few bytes, neither gzip nor tar):
    # every image is listed, and none of them is called sound.
    path = shared_path(
        *PUB, "containers-image", "oci", "layout", "fixtures", "delete_image_multiple_images"
    )
    report = generate(str(path), VERIFY)
    refs = {r for i in report.images for r in i.refs}
    assert {"latest", "3.18.3", "3.17.5", "3.16.7"} <= refs
    assert sorted({str(i.platform) for i in report.images}) == ["linux/386", "linux/amd64"]
    assert not report.integrity_ok
    kinds = {f.kind for i in report.images for f in i.description.findings}
    assert "diffid-mismatch" in kinds


def test_regclient_testrepo_tags_platforms_and_referrers() -> None:
    report = generate(str(shared_path(*PUB, "regclient-regclient", "testdata", "testrepo")), VERIFY)
    by_tag: dict[str, set[str]] = {}
    for image in report.images:
        for ref in image.refs:
            by_tag.setdefault(ref, set()).add(str(image.platform))
    assert by_tag["b1"] == {"linux/amd64", "linux/arm64", "linux/arm/v6", "linux/arm/v7"}
    v1_arm = [i for i in report.images if "v1" in i.refs and i.platform.architecture == "arm64"]
    kinds = {a.kind for a in v1_arm[0].description.target.attestations}
    assert "referrer" in kinds  # OCI 1.1 artifacts with a subject are linked, not listed


def test_docker_attest_attestations_are_linked_not_images() -> None:
    path = shared_path(*PUB, "docker-attest", "test", "testdata", "unsigned-index")
    report = generate(str(path), VERIFY)
    assert len(report.images) == 2  # the two attestation manifests are not images
    for image in report.images:
        (attestation,) = image.description.target.attestations
        assert attestation.kind == "attestation-manifest"
        assert set(attestation.predicate_types) == {
            "https://slsa.dev/provenance/v0.2",
            "https://spdx.dev/Document",
        }


def test_bundle_tags_and_selection() -> None:
    path = shared_path(
        *PUB, "google-go-containerregistry", "pkg", "v1", "tarball", "testdata", "test_bundle.tar"
    )
    report = generate(str(path), VERIFY)
    assert sorted(r for i in report.images for r in i.refs) == ["test_image_1", "test_image_2"]
    one = generate(str(path), Options(catalog=False, tag="test_image_2"))
    assert [i.refs for i in one.images] == [("test_image_2",)]


def test_symlinked_layer_in_docker_save() -> None:
    path = shared_path(
        *PUB, "google-go-containerregistry", "pkg", "v1", "tarball", "testdata", "test_link.tar"
    )
    report = generate(str(path), VERIFY)
    image3 = next(i for i in report.images if "bazel/v1/tarball:test_image_3" in i.refs)
    assert len(image3.layers) == 2
    assert all(layer.verified for layer in image3.layers)


def test_null_manifest_is_a_clean_error() -> None:
    path = shared_path(
        *PUB, "google-go-containerregistry", "pkg", "v1", "tarball", "testdata", "null_manifest.tar"
    )
    with pytest.raises(InputError, match=r"manifest\.json"):
        generate(str(path), VERIFY)


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [
        (
            "google-go-containerregistry/pkg/v1/layout/testdata/test_gc_image_unknown_mediatype",
            "missing-blob",
        ),
        ("containers-image/oci/layout/fixtures/name_lookups", "missing-blob"),
    ],
)
def test_dangling_layouts_give_findings(fixture: str, kind: str) -> None:
    path = shared_path(*PUB, *fixture.split("/"))
    with pytest.raises(ReporterError) as caught:
        generate(str(path), VERIFY)
    # Nothing left to report because a manifest blob is missing: an integrity failure (exit 4,
    # naming the blob), not "the selector matched nothing" (exit 8) — hostile-input suite.
    assert caught.value.exit_code == 4
    assert "missing" in str(caught.value)


def test_buildpacks_size_mismatches_and_missing_layer_are_findings() -> None:
    root = shared_path(
        *PUB,
        "buildpacks-lifecycle",
        "acceptance",
        "testdata",
        "exporter",
        "container",
        "layers",
        "some-extended-dir",
        "run",
    )
    (layout,) = [p for p in root.iterdir() if p.is_dir()]
    try:
        report = generate(str(layout), VERIFY)
    except ReporterError as exc:
        pytest.fail(f"expected a partial report with findings, got {exc}")
    kinds = {f.kind for f in report.findings} | {
        f.kind for i in report.images for f in i.description.findings
    }
    assert "size-mismatch" in kinds
    assert not report.integrity_ok


def test_olot_layout_without_layer_blobs_reports_missing_blobs() -> None:
    path = shared_path(*PUB, "containers-olot", "tests", "data", "ocilayout3")
    report = generate(str(path), VERIFY)
    assert len(report.images) == 2
    assert not report.integrity_ok
    assert all(not layer.present for i in report.images for layer in i.layers)


# --- tampering: one flipped byte in any blob is reported, never accepted --------------------

LAYOUTS = [
    ("real", "debian-app.oci-gzip"),
    ("real", "tiny-multiarch.oci"),
    ("public", "docker-attest/test/testdata/unsigned-index"),
    ("public", "anchore-stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir"),
]


def _blobs(layout: Path) -> list[Path]:
    return sorted(p for p in (layout / "blobs" / "sha256").iterdir() if p.is_file())


@pytest.mark.parametrize(("kind", "name"), LAYOUTS)
def test_every_tampered_blob_in_a_layout_is_reported(tmp_path: Path, kind: str, name: str) -> None:
    source = shared_path("fixtures", kind, *name.split("/"))
    reachable: set[str] = set()
    for image in generate(str(source), VERIFY).images:
        desc = image.description
        reachable |= {desc.target.manifest.digest, desc.config.digest, *desc.target.parents}
        reachable |= {layer.digest for layer in desc.layers}
        for ref in desc.target.attestations:
            reachable |= {ref.manifest.digest, *(layer.digest for layer in ref.layers)}
    tampered = 0
    for blob in _blobs(source):
        if f"sha256:{blob.name}" not in reachable:
            continue  # leftover blobs nothing points at are never read
        copy = tmp_path / f"{blob.name[:12]}"
        shutil.copytree(source, copy)
        target = copy / "blobs" / "sha256" / blob.name
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
        try:
            report = generate(str(copy), VERIFY)
        except ReporterError:
            tampered += 1  # unreadable without that blob: a clean error is an answer too
        else:
            assert not report.integrity_ok, f"flipped byte in {blob.name} went unnoticed"
            tampered += 1
        shutil.rmtree(copy)
    assert tampered >= 3


def _member_offsets(path: Path) -> list[tuple[str, int, int]]:
    with tarfile.open(path) as tar:
        return [(m.name, m.offset_data, m.size) for m in tar.getmembers() if m.isreg() and m.size]


@pytest.mark.parametrize(
    "name",
    [
        "google-go-containerregistry/pkg/v1/tarball/testdata/test_image_1.tar",
        "wagoodman-dive/.data/test-oci-gzip-image.tar",
        "google-osv-scalibr/artifact/image/layerscanning/image/testdata/basic.tar",
    ],
)
def test_every_tampered_member_of_an_archive_is_reported(tmp_path: Path, name: str) -> None:
    source = shared_path(*PUB, *name.split("/"))
    for member, offset, size in _member_offsets(source):
        if member.endswith(("VERSION", "repositories", "/json", "oci-layout")) or member in (
            "manifest.json",
            "index.json",
        ):
            continue  # not content-addressed: checked for shape, not digest
        data = bytearray(source.read_bytes())
        data[offset + size // 2] ^= 0x01
        copy = tmp_path / "tampered.tar"
        copy.write_bytes(bytes(data))
        try:
            report = generate(str(copy), VERIFY)
        except ReporterError:
            continue
        assert not report.integrity_ok, f"flipped byte in {member} of {name} went unnoticed"
