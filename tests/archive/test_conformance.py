"""One contract, every ``Archive``: the same sample image through each way of opening it.

As go-containerregistry's ``validate.Image`` runs over every image source, this runs one set of
checks over every form ``open_input`` reads: an image-layout directory, seekable plain tars
(OCI archive, docker save), gzip and zstd tars (streamed) and standard input (a real pipe).
All come from the same bytes (``samples/build.py``), so they must agree on what they hold:
every file present with its size and bytes, every blob hashing to its digest, the same images
resolved, nothing where nothing is, and no findings on a clean input.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
import tarfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import zstandard

from reporter.archive import tar_archive
from reporter.archive.detect import open_input
from reporter.archive.interface import Archive, blob_path
from reporter.errors import InputError
from reporter.layers.scan import LayerScan  # the one line to change if LayerScan moves
from reporter.layers.schedule import stream_scanner
from reporter.model import ImageTarget
from reporter.options import Limits, Options
from reporter.resolve import resolve
from samples.build import (
    BuiltImage,
    TarFile,
    docker_save_bytes,
    gzip_bytes,
    tar_bytes,
    write_layout,
)

OCI, DOCKER = "oci", "docker"


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    family: str  # which tree it holds: the OCI layout or the docker save of the same image
    file: str  # built file (or directory) to open; for stdin, the bytes piped in
    kind: str  # Archive.kind
    stream: bool  # one pass, no seeking back
    format: str  # Resolution.format
    stdin: bool = False


CASES = (
    Case("oci-layout-dir", OCI, "layout", "oci-layout", False, "oci-layout"),
    Case("oci-tar", OCI, "oci.tar", "tar", False, "oci-archive"),
    Case("oci-tar-gzip", OCI, "oci.tar.gz", "tar+gzip", True, "oci-archive"),
    Case("oci-tar-zstd", OCI, "oci.tar.zst", "tar+zstd", True, "oci-archive"),
    Case("oci-tar-stdin", OCI, "oci.tar", "tar", True, "oci-archive", stdin=True),
    Case("docker-save-tar", DOCKER, "docker.tar", "tar", False, "docker-archive"),
    Case("docker-save-gzip", DOCKER, "docker.tar.gz", "tar+gzip", True, "docker-archive"),
    Case("docker-save-zstd", DOCKER, "docker.tar.zst", "tar+zstd", True, "docker-archive"),
    Case("docker-gzip-stdin", DOCKER, "docker.tar.gz", "tar+gzip", True, "docker-archive", True),
)


@dataclass(frozen=True, slots=True)
class Sample:
    root: Path
    images: tuple[BuiltImage, ...]
    trees: dict[str, dict[str, bytes]]  # family → {path: bytes}, read back independently


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    root = tmp_path_factory.mktemp("conformance")
    layout = root / "layout"
    images = tuple(write_layout(layout))
    oci_tree = {
        p.relative_to(layout).as_posix(): p.read_bytes()
        for p in sorted(layout.rglob("*"))
        if p.is_file()
    }
    # what ``buildx -o type=oci`` writes: the layout's files, directories first
    members = [TarFile("blobs", kind="dir"), TarFile("blobs/sha256", kind="dir")]
    oci_tar = tar_bytes(members + [TarFile(path, data) for path, data in oci_tree.items()])
    docker_tar = docker_save_bytes(images[0])
    with tarfile.open(fileobj=io.BytesIO(docker_tar)) as tar:
        docker_tree = {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isreg()
        }
    zstd = zstandard.ZstdCompressor(level=3)
    for name, data in (("oci.tar", oci_tar), ("docker.tar", docker_tar)):
        (root / name).write_bytes(data)
        (root / f"{name}.gz").write_bytes(gzip_bytes(data))
        (root / f"{name}.zst").write_bytes(zstd.compress(data))
    return Sample(root, images, {OCI: oci_tree, DOCKER: docker_tree})


def _metadata_limit(tree: dict[str, bytes]) -> int:
    """The largest JSON member: in stream mode every larger member is scanned as a layer.

    The samples' layers are small, so the default 4 MiB threshold would keep them all in
    memory and ``prescanned`` would never be used; lowering it to the metadata's size keeps
    every manifest readable while the docker-save layer tars (10 KiB and more) are scanned.
    """
    return max(len(data) for data in tree.values() if _is_json(data))


def _pipe_as_stdin(data: bytes, monkeypatch: pytest.MonkeyPatch) -> threading.Thread:
    read_fd, write_fd = os.pipe()

    def feed() -> None:
        # BrokenPipeError: the reader gave up, and its failure is the one to see
        with open(write_fd, "wb") as pipe, contextlib.suppress(BrokenPipeError):
            pipe.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(open(read_fd, "rb")))  # noqa: SIM115
    return writer


@contextmanager
def opened(
    case: Case, sample: Sample, scanning: bool, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Archive]:
    monkeypatch.setattr(
        tar_archive, "SMALL_MEMBER_BYTES", _metadata_limit(sample.trees[case.family])
    )
    scan = stream_scanner((), Options()) if scanning else None
    path = sample.root / case.file
    writer = _pipe_as_stdin(path.read_bytes(), monkeypatch) if case.stdin else None
    archive = open_input(
        "-" if case.stdin else str(path),
        scan=scan,
        max_small_bytes=Limits().max_small_blob_bytes,
    )
    try:
        yield archive
    finally:
        archive.close()
        if writer is not None:
            writer.join(timeout=10)
            sys.stdin.close()


def _targets(archive: Archive) -> tuple[ImageTarget, ...]:
    resolution = resolve(archive, Limits())
    assert resolution.findings == ()
    assert resolution.artifacts == ()
    return resolution.targets


@pytest.mark.parametrize("scanning", [False, True], ids=["no-scan", "scan"])
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_archive_contract(
    case: Case, scanning: bool, sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree = sample.trees[case.family]
    limit = _metadata_limit(tree)
    with opened(case, sample, scanning, monkeypatch) as archive:
        assert archive.name == ("<stdin>" if case.stdin else str(sample.root / case.file))
        assert archive.kind == case.kind
        assert archive.findings == []

        prescanned = set()
        for path, data in tree.items():
            assert archive.exists(path), path
            assert archive.size(path) == len(data), path
            scan = archive.prescanned(path)
            handle = archive.open(path)
            if case.stream and scanning and len(data) > limit:
                # stream mode: a large member was scanned on the way past and is gone
                assert handle is None, path
                assert isinstance(scan, LayerScan), path
                assert scan.blob_digest == _sha256(data)
                assert scan.blob_size == len(data)
                assert scan.complete, scan.findings
                assert archive.locate(path) is None
                prescanned.add(path)
                continue
            assert scan is None, path
            assert handle is not None, path
            with handle:
                assert handle.read() == data, path
            got = archive.read(path, len(data))
            assert got == data, path
            if path.startswith("blobs/sha256/"):
                assert _sha256(got) == "sha256:" + path.rsplit("/", 1)[1]
            with pytest.raises(InputError):
                archive.read(path, len(data) - 1)
            where = archive.locate(path)
            if case.stream:
                assert where is None, path
            else:
                assert where is not None, path
                os_path, offset, length = where
                with open(os_path, "rb") as raw:
                    raw.seek(offset)
                    assert raw.read(-1 if length is None else length) == data, path

        if case.family == DOCKER and case.stream and scanning:
            assert prescanned == {p for p in tree if p.endswith("/layer.tar")}
        else:
            assert prescanned == set()

        for missing in (blob_path("sha256:" + "0" * 64), "nope/layer.tar"):
            assert missing is not None
            assert not archive.exists(missing)
            assert archive.size(missing) is None
            assert archive.read(missing, 1 << 20) is None
            assert archive.open(missing) is None
            assert archive.prescanned(missing) is None
            assert archive.locate(missing) is None

        resolution = resolve(archive, Limits())
        assert resolution.format == case.format
        assert resolution.findings == ()
        _check_targets(case, sample, resolution.targets)
        assert archive.findings == []


def _check_targets(case: Case, sample: Sample, targets: tuple[ImageTarget, ...]) -> None:
    """The images the sample was built with, whatever form it was read in."""
    if case.family == OCI:
        built = {str(i.manifest["digest"]): i for i in sample.images}
        assert sorted(t.manifest.digest for t in targets) == sorted(built)
        for target in targets:
            image = built[target.manifest.digest]
            assert target.manifest.size == image.manifest["size"]
            assert target.platform is not None
            assert target.platform.architecture == image.arch
            assert target.refs == ("1.0",)
        amd64 = next(t for t in targets if t.manifest.digest == sample.images[0].manifest["digest"])
        assert [a.kind for a in amd64.attestations] == ["attestation-manifest"]
        return
    (entry,) = json.loads(sample.trees[DOCKER]["manifest.json"])
    (target,) = targets
    assert target.refs == ("demo/app:1.0",)
    assert target.docker_layer_paths == (entry["Config"], *entry["Layers"])


@pytest.mark.parametrize("family", [OCI, DOCKER])
def test_every_form_resolves_the_same_targets(
    family: str, sample: Sample, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, tuple[ImageTarget, ...]] = {}
    for case in (c for c in CASES if c.family == family):
        with monkeypatch.context() as patch, opened(case, sample, True, patch) as archive:
            seen[case.id] = _targets(archive)
    first = next(iter(seen.values()))
    assert all(targets == first for targets in seen.values()), seen


def test_the_two_families_hold_the_same_image(sample: Sample) -> None:
    # docker save of the amd64 image: its config is the OCI config blob, its layer tars are the
    # uncompressed OCI layers (their sha256 the config's diff_ids)
    oci, docker = sample.trees[OCI], sample.trees[DOCKER]
    (entry,) = json.loads(docker["manifest.json"])
    config = docker[entry["Config"]]
    manifest = json.loads(oci[f"blobs/sha256/{str(sample.images[0].manifest['digest'])[7:]}"])
    assert _sha256(config) == manifest["config"]["digest"]
    diff_ids = json.loads(config)["rootfs"]["diff_ids"]
    assert [_sha256(docker[p]) for p in entry["Layers"]] == diff_ids
