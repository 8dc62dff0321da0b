"""Tampered content is never reported as sound: bit flips, wrong sizes, missing blobs,
duplicate members. Each case is a finding naming the blob, ``integrity`` failed and exit 4
(or a one-line exit 4 when no image is left to report)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from samples.build import canonical
from tests.hostile._build import (
    Sample,
    TarFile,
    custom_layout,
    docker_save_bytes,
    gzip_bytes,
    layout_tar,
    sha256,
    tar_bytes,
)
from tests.hostile._cli import all_findings, assert_clean_error, cli, inspect_json

BLOB_KINDS = ("image-index", "manifest", "config", "layer", "attestation")


def _blob_file(sample: Sample, kind: str) -> Path:
    if kind == "attestation":
        index = json.loads(sample.blob(sample.index_digest).read_bytes())
        attestation = next(
            m for m in index["manifests"] if "vnd.docker.reference.type" in m.get("annotations", {})
        )
        manifest = json.loads(sample.blob(attestation["digest"]).read_bytes())
        return sample.blob(manifest["layers"][0]["digest"])
    return sample.path_of(kind)


def flip(path: Path, position: int | None = None, bit: int = 0) -> None:
    data = bytearray(path.read_bytes())
    at = len(data) // 2 if position is None else position
    data[at] ^= 1 << bit
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("bit", [0, 7])
@pytest.mark.parametrize("kind", BLOB_KINDS)
def test_bit_flip(sample: Sample, kind: str, bit: int, capsys: pytest.CaptureFixture[str]) -> None:
    path = _blob_file(sample, kind)
    flip(path, bit=bit)
    if kind == "image-index":
        assert_clean_error(cli(capsys, "inspect", str(sample.root)), 4, path.name)
        return
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    assert doc["integrity"] == "failed"
    hits = [f for f in all_findings(doc) if f["integrity"] and path.name in f["where"]]
    assert any(f["kind"] in ("digest-mismatch", "corrupt-layer") for f in hits), hits


def test_bit_flip_in_layer_is_never_cataloged_as_sound(
    sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flip(sample.path_of("layer"), position=40)
    out = tmp_path / "report.json"
    run = cli(capsys, "report", str(sample.root), "-f", "json", "-o", str(out))
    assert run.code == 4, run.err
    report = json.loads(out.read_bytes())
    assert report["summary"]["integrity_ok"] is False
    layer = report["images"][0]["description"]["layers"][0]
    assert layer["verified"] is False


def _rewrite_single(sample: Sample, change: Any) -> None:
    """Edit the manifest of a ``custom_layout`` image, re-add it, repoint index.json."""
    manifest = sample.manifest
    change(manifest)
    data = canonical(manifest)
    sample.blob(sha256(data)).write_bytes(data)
    index = json.loads(sample.index_json.read_bytes())
    index["manifests"][0].update(digest=sha256(data), size=len(data))
    sample.index_json.write_bytes(canonical(index))


def _one_layer(tmp_path: Path) -> Sample:
    raw = tar_bytes([TarFile("etc", kind="dir"), TarFile("etc/os-release", b"ID=alpine\n")])
    return custom_layout(tmp_path / "one", [gzip_bytes(raw)])


@pytest.mark.parametrize("delta", [-1, 1, 10**6])
@pytest.mark.parametrize("what", ["layer", "config"])
def test_wrong_size(
    tmp_path: Path, what: str, delta: int, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = _one_layer(tmp_path)

    def change(manifest: dict[str, Any]) -> None:
        target = manifest["layers"][0] if what == "layer" else manifest["config"]
        target["size"] += delta

    _rewrite_single(sample, change)
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    assert any(f["kind"] == "size-mismatch" for f in all_findings(doc))


def test_wrong_manifest_size_in_index_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = _one_layer(tmp_path)
    index = json.loads(sample.index_json.read_bytes())
    index["manifests"][0]["size"] += 1
    sample.index_json.write_bytes(canonical(index))
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4  # the digest matches, so the image is still described, flagged
    assert any(f["kind"] == "size-mismatch" and f["integrity"] for f in all_findings(doc))


@pytest.mark.parametrize("kind", ["manifest", "config", "layer", "attestation"])
def test_descriptor_to_missing_blob(
    sample: Sample, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _blob_file(sample, kind)
    path.unlink()
    code, doc = inspect_json(capsys, sample.root)
    assert code == 4
    assert any(f["kind"] == "missing-blob" and f["integrity"] for f in all_findings(doc))
    assert len(doc["images"]) >= 1  # the rest is still reported


def test_missing_layer_in_docker_save(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample_root = tmp_path / "s"
    from tests.hostile._build import sample_layout

    image = sample_layout(sample_root, arches=("amd64",)).images[0]
    with tarfile.open(fileobj=io.BytesIO(docker_save_bytes(image))) as tar:
        files = [
            TarFile(m.name, kind="dir") if m.isdir() else TarFile(m.name, tar.extractfile(m).read())  # type: ignore[union-attr]
            for m in tar.getmembers()
            if not m.name.endswith("layer.tar") or "layer-gone" in m.name
        ]
    target = tmp_path / "save.tar"
    target.write_bytes(tar_bytes(files))
    code, doc = inspect_json(capsys, target)
    assert code == 4
    assert sum(f["kind"] == "missing-blob" for f in all_findings(doc)) == 3


def _members(data: bytes) -> list[TarFile]:
    out = []
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for m in tar.getmembers():
            if m.isdir():
                out.append(TarFile(m.name, kind="dir"))
            else:
                handle = tar.extractfile(m)
                assert handle is not None
                out.append(TarFile(m.name, handle.read()))
    return out


@pytest.mark.parametrize("tampered_last", [True, False])
@pytest.mark.parametrize("compress", [False, True])
def test_duplicate_blob_with_other_content_in_tar(
    sample: Sample,
    tmp_path: Path,
    tampered_last: bool,
    compress: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two members named blobs/sha256/<config>: extraction keeps the last. Whichever copy is
    the real one, the duplicate is an integrity finding: another tool may read the other."""
    name = f"blobs/sha256/{sample.config_digest.split(':')[1]}"
    real = sample.blob(sample.config_digest).read_bytes()
    fake = real.replace(b'"amd64"', b'"s390x"')
    copies = [TarFile(name, real), TarFile(name, fake)]
    if not tampered_last:
        copies.reverse()
    data = tar_bytes(_members(layout_tar(sample.root)) + copies)
    target = tmp_path / ("dup.tar.gz" if compress else "dup.tar")
    target.write_bytes(gzip_bytes(data) if compress else data)
    code, doc = inspect_json(capsys, target)
    assert code == 4
    kinds = {f["kind"] for f in all_findings(doc) if f["integrity"]}
    assert "duplicate-entry" in kinds
    if tampered_last:
        assert "digest-mismatch" in kinds
    assert all(image["platform"] != "linux/s390x" for image in doc["images"])


def test_duplicate_layer_in_docker_save(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.hostile._build import sample_layout

    image = sample_layout(tmp_path / "s", arches=("amd64",)).images[0]
    members = _members(docker_save_bytes(image))
    layer = next(m for m in members if m.path.endswith("layer.tar"))
    evil = tar_bytes([TarFile("etc", kind="dir"), TarFile("etc/passwd", b"evil\n")])
    target = tmp_path / "save.tar"
    target.write_bytes(tar_bytes([*members, TarFile(layer.path, evil)]))
    code, doc = inspect_json(capsys, target)
    assert code == 4
    kinds = {f["kind"] for f in all_findings(doc) if f["integrity"]}
    assert {"duplicate-entry", "diffid-mismatch"} <= kinds
