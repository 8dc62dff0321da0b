from __future__ import annotations

import dataclasses
from pathlib import Path

import orjson
import pytest

from reporter.errors import ProvenanceError
from reporter.model import Descriptor
from reporter.provenance.metadata_file import MetadataEntry, load_metadata_file, match_metadata
from tests.provenance._images import layout_images

BUILDX = "docker-buildx/docs-json/docs/reference"
BUILDINFO = "moby-buildkit/docs-json/docs/buildinfo@b646761e0fe9"


def test_buildx_build_metadata_file(public: Path) -> None:
    path = public / BUILDX / "buildx_build@461836ba0fcb/block01-metadata-file-build.json"
    (entry,) = load_metadata_file("meta.json", path.read_bytes())
    assert entry.target == ""
    assert entry.file == "meta.json"
    assert (
        entry.image_digest
        == "sha256:19ffeab6f8bc9293ac2c3fdf94ebe28396254c993aea0b5a542cfb02e0883fa3"
    )
    assert (
        entry.config_digest
        == "sha256:2937f66a9722f7f4a2df583de2f8cb97fc9196059a410e7f00072fc918930e66"
    )
    assert entry.descriptor is not None
    assert entry.descriptor.size == 506
    assert entry.build_ref == "mybuilder/mybuilder0/0fjb6ubs52xx3vygf6fgdl611"
    assert entry.provenance is None  # {} in the docs example
    assert entry.findings == ()


def test_bake_metadata_file_per_target(public: Path) -> None:
    path = public / BUILDX / "buildx_bake@461836ba0fcb/block01-metadata-file-bake.json"
    entries = load_metadata_file("bake.json", path.read_bytes())
    assert [e.target for e in entries] == ["db", "webapp-dev"]
    assert entries[1].where == "bake.json#webapp-dev"
    assert entries[1].image_digest.endswith(
        "6d9ac9237a84afe1516540f40a0fafdc86859b2141954b4d643af7066d598b74"
    )


def test_actions_toolkit_metadata_with_provenance(public: Path) -> None:
    path = public / "docker-actions-toolkit/__tests__/.fixtures/metadata-build.json"
    (entry,) = load_metadata_file("m.json", path.read_bytes())
    assert entry.provenance is not None
    assert entry.provenance["buildType"] == "https://mobyproject.org/buildkit@v1"
    assert entry.image_digest.startswith("sha256:b09b9482")
    # upstream's config digest is 63 hex digits: reported, not used
    assert entry.config_digest == ""
    assert [f.kind for f in entry.findings] == ["bad-metadata"]


def test_buildinfo_keys_and_exporter_response(public: Path) -> None:
    (decoded,) = load_metadata_file(
        "b.json", (public / BUILDINFO / "block05-metadata-file-with-buildinfo.json").read_bytes()
    )
    assert decoded.buildinfo[""]["frontend"] == "dockerfile.v0"
    assert decoded.image_digest == ""  # "sha256:..." placeholder
    assert decoded.findings[0].kind == "bad-metadata"
    (multi,) = load_metadata_file(
        "r.json", (public / BUILDINFO / "block04-exporter-response-multiplatform.json").read_bytes()
    )
    assert sorted(multi.buildinfo) == ["linux/amd64", "linux/arm64"]


@pytest.mark.parametrize("data", [b"", b"{", b"[]", b"3", b'{"foo": {"bar": 1}}'])
def test_unusable_metadata_file_raises_one_line(data: bytes) -> None:
    with pytest.raises(ProvenanceError) as info:
        load_metadata_file("some/meta.json", data)
    assert str(info.value).startswith("some/meta.json: ")
    assert "\n" not in str(info.value)


def test_match_by_manifest_index_or_config_digest(public: Path) -> None:
    images = [
        img for img, _ in layout_images(public / "docker-attest/test/testdata/unsigned-index")
    ]
    amd64 = next(i for i, img in enumerate(images) if img.platform.architecture == "amd64")
    index_digest = "sha256:db8f2a6e112ea6396f57d073269ecfac61e8dcdad3a4a643dcb577522492f898"
    by_index = MetadataEntry("a.json", image_digest=index_digest)
    by_manifest = MetadataEntry("b.json", image_digest=images[amd64].target.manifest.digest)
    by_config = MetadataEntry("c.json", config_digest=images[amd64].config.digest)
    by_descriptor = MetadataEntry(
        "d.json", descriptor=Descriptor("x", images[amd64].target.manifest.digest, 1)
    )
    nothing = MetadataEntry("e.json", target="t", image_digest="sha256:" + "9" * 64)
    no_digest = MetadataEntry("f.json")
    matched, findings = match_metadata(
        [by_index, by_manifest, by_config, by_descriptor, nothing, no_digest], images
    )
    assert len(images) == 2
    assert matched[amd64] == (by_index, by_manifest, by_config, by_descriptor)
    assert matched[1 - amd64] == (by_index,)
    assert [(f.kind, f.where, f.severity) for f in findings] == [
        ("metadata-unmatched", "e.json#t", "warning"),
        ("metadata-unmatched", "f.json", "warning"),
    ]


def test_match_real_file_against_unrelated_image(public: Path) -> None:
    path = public / BUILDX / "buildx_build@461836ba0fcb/block01-metadata-file-build.json"
    entries = load_metadata_file("meta.json", path.read_bytes())
    img = layout_images(public / "containers-olot/tests/data/ocilayout3")[0][0]
    matched, findings = match_metadata(entries, [img])
    assert matched == {}
    assert len(findings) == 1
    assert "sha256:19ffeab6" in (findings[0].expected or "")
    # the same entry matches once the image has that manifest digest
    target = dataclasses.replace(
        img.target,
        manifest=dataclasses.replace(img.target.manifest, digest=entries[0].image_digest),
    )
    matched, findings = match_metadata(entries, [dataclasses.replace(img, target=target)])
    assert matched == {0: entries}
    assert findings == ()
    assert orjson.loads(path.read_bytes())["containerimage.digest"] == entries[0].image_digest
