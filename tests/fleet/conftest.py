"""A fleet on disk for the audit tests: real images (copied into tmp), samples, a tampered copy,
a corrupt file, a symlink alias and a symlink loop."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, shared_path

REAL = ("debian-app.oci-gzip", "tiny-multiarch.oci", "docker-buildkit-app.docker-save.tar.gz")


def _copy(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    for root, dirs, files in os.walk(target):
        for name in dirs + files:
            os.chmod(os.path.join(root, name), 0o755 if name in dirs else 0o644)
    os.chmod(target, 0o755 if target.is_dir() else 0o644)


def tamper_layer(layout: Path) -> str:
    """Flip one byte of the largest layer blob of ``layout``; returns that blob's digest."""
    index = json.loads((layout / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"]
    manifest = json.loads((layout / "blobs" / "sha256" / manifest_digest[7:]).read_text())
    layer = max(manifest["layers"], key=lambda d: d["size"])
    blob = layout / "blobs" / "sha256" / layer["digest"][7:]
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))
    return str(layer["digest"])


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    return make_fleet(tmp_path)


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """(fleet, inventory, output dir) of one audit with per-image html and md reports."""
    from reporter.cli import main

    tmp = tmp_path_factory.mktemp("audited")
    root = make_fleet(tmp)
    db, out = tmp / "inv.sqlite", tmp / "reports"
    code = main(
        [
            "audit",
            str(root),
            "--db",
            str(db),
            "--output-dir",
            str(out),
            "-f",
            "html",
            "-f",
            "md",
            "-q",
        ]
    )
    assert code == 4
    return root, db, out


def make_fleet(tmp_path: Path) -> Path:
    real = shared_path("fixtures", "real")
    root = tmp_path / "fleet"
    (root / "real").mkdir(parents=True)
    for name in REAL:
        _copy(real / name, root / "real" / name)
    (root / "samples").mkdir()
    for name in ("demo-multiarch.oci", "demo-docker-save.tar"):
        _copy(REPO / "samples" / name, root / "samples" / name)
    (root / "bad").mkdir()
    _copy(real / "debian-app.oci-gzip", root / "bad" / "tampered.oci")
    tamper_layer(root / "bad" / "tampered.oci")
    (root / "bad" / "corrupt.tar.gz").write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 200)
    (root / "bad" / "notes.txt").write_text("not an image, not named like one\n")
    os.symlink("../real/debian-app.oci-gzip", root / "samples" / "alias-of-debian")
    os.symlink("..", root / "bad" / "loop")
    return root
