"""``.dockerbuild`` build records: the real file docker/actions-toolkit tests with."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from pathlib import Path

import orjson
import pytest

from reporter.cli import main
from reporter.errors import ProvenanceError
from reporter.options import Options
from reporter.pipeline import generate
from reporter.provenance.buildrecord import load_dockerbuild
from samples.build import Blobs, TarFile, canonical, gzip_bytes, tar_bytes
from tests.conftest import shared_path

RECORD = "docker~test-docker-action~COIO50.dockerbuild"


def _record_file() -> Path:
    path = (
        shared_path(
            "fixtures", "public", "docker-actions-toolkit", "__tests__", ".fixtures", "oci-archive"
        )
        / RECORD
    )
    if not path.exists():
        pytest.skip("shared fixture missing")
    return path


def test_reads_the_real_record() -> None:
    (entry,) = load_dockerbuild(str(_record_file()), 1 << 26)
    record = entry.record
    assert record.ref == "coio50kfpeoc2th3hx7huh3h0"
    assert (record.frontend, record.status) == ("dockerfile.v0", "completed")
    assert (record.created_at, record.completed_at) == (
        "2024-05-15T08:46:10.204105616Z",
        "2024-05-15T08:46:12.008102149Z",
    )
    assert (record.total_steps, record.completed_steps) == (6, 6)
    assert record.args["filename"] == "summary.Dockerfile"
    assert [(m.ref, m.pin) for m in record.materials] == [
        (
            "docker.io/library/busybox:latest",
            "sha256:5eef5ed34e1e1ff0a4ae850395cbf665c4de6b4b83a32a0bc7bcb998e24e7bbb",
        )
    ]
    assert entry.metadata.origin == "build-record"
    assert entry.metadata.provenance is not None  # the record's SLSA predicate


def _image_from_record(out: Path) -> str:
    """An OCI layout whose config is the exact bytes the record says it exported."""
    with tarfile.open(_record_file()) as tar:
        blobs = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
    record = next(orjson.loads(v) for v in blobs.values() if v.startswith(b'{\n  "Ref"'))
    config = record["ExporterResponse"]["containerimage.config"].encode()
    store = Blobs()
    layer = tar_bytes([TarFile("hello.txt", b"hello foo\n")])
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **store.add(config)},
        "layers": [
            {
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                **store.add(gzip_bytes(layer)),
            }
        ],
    }
    desc = {
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        **store.add(canonical(manifest)),
    }
    (out / "blobs" / "sha256").mkdir(parents=True)
    for digest, data in store.by_digest.items():
        (out / "blobs" / "sha256" / digest[7:]).write_bytes(data)
    (out / "oci-layout").write_bytes(b'{"imageLayoutVersion":"1.0.0"}')
    (out / "index.json").write_bytes(canonical({"schemaVersion": 2, "manifests": [desc]}))
    return "sha256:" + hashlib.sha256(config).hexdigest()


def test_matched_to_the_image_it_built(tmp_path: Path) -> None:
    config_digest = _image_from_record(tmp_path / "img")
    options = Options(
        cache_dir=None, catalog=False, verify_layers=False, build_records=(str(_record_file()),)
    )
    (image,) = generate(str(tmp_path / "img"), options).images
    assert image.description.config.digest == config_digest
    (record,) = image.provenance.build_records
    assert record.ref == "coio50kfpeoc2th3hx7huh3h0"
    facts = {(f.key, f.value) for f in image.provenance.facts if f.origin == "build-record"}
    assert ("frontend", "dockerfile.v0") in facts
    assert image.provenance.invocation_id == "szbk6x8ef6kr71wrq3sx8bfs7"
    # an image the record did not build: the record is reported as unmatched
    from tests.provenance._attached import image_only

    image_only(tmp_path / "other")
    report = generate(str(tmp_path / "other"), options)
    assert not report.images[0].provenance.build_records
    assert any(f.kind == "metadata-unmatched" for f in report.findings)


def test_bad_build_record_files_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_tar = tmp_path / "x.dockerbuild"
    not_tar.write_bytes(b"hello")
    with pytest.raises(ProvenanceError) as info:
        load_dockerbuild(str(not_tar), 1 << 20)
    assert str(not_tar) in str(info.value)
    empty = tmp_path / "empty.dockerbuild"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        data = b'{"schemaVersion":2,"manifests":[]}'
        member = tarfile.TarInfo("index.json")
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
    empty.write_bytes(gzip.compress(buf.getvalue()))
    with pytest.raises(ProvenanceError, match="no build records"):
        load_dockerbuild(str(empty), 1 << 20)
    _image_from_record(tmp_path / "img")
    assert (
        main(
            [
                "report",
                str(tmp_path / "img"),
                "-q",
                "--no-cache",
                "--build-record",
                str(not_tar),
                "-o",
                str(tmp_path / "o.json"),
            ]
        )
        == 5
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(not_tar) in err
    assert "Traceback" not in err
