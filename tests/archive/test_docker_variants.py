"""docker save variants built from the project's own sample images: kaniko / go-containerregistry
``tarball.Write`` archives (gzip layers named by digest) and pre-1.10 ``repositories``-only ones."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from reporter.options import Options
from reporter.pipeline import generate
from samples.build import (
    Blobs,
    TarFile,
    build_image,
    canonical,
    gzip_bytes,
    sha256,
    tar_bytes,
)


def _image() -> tuple[bytes, tuple[bytes, ...]]:
    built = build_image(Blobs(), "amd64", {"org.opencontainers.image.title": "t"}, {})
    return built.config, built.layers_raw


def test_kaniko_style_tarball(tmp_path: Path) -> None:
    config, layers = _image()
    files = [TarFile(f"sha256:{hashlib.sha256(config).hexdigest()}", config)]
    names = []
    for raw in layers:
        blob = gzip_bytes(raw)
        name = f"{hashlib.sha256(blob).hexdigest()}.tar.gz"
        files.append(TarFile(name, blob))
        names.append(name)
    manifest = [
        {"Config": files[0].path, "RepoTags": ["registry.example/kaniko:1"], "Layers": names}
    ]
    files.append(TarFile("manifest.json", canonical(manifest)))
    path = tmp_path / "kaniko.tar"
    path.write_bytes(tar_bytes(files))
    report = generate(str(path), Options())
    (image,) = report.images
    assert image.refs == ("registry.example/kaniko:1",)
    assert report.integrity_ok
    assert [layer.digest for layer in image.layers] == [f"sha256:{n[:64]}" for n in names]
    assert all(layer.diff_id_verified for layer in image.layers)
    assert {p.name for p in image.packages} >= {"libc6", "left-pad", "sample-requests"}


def test_repositories_only_archive(tmp_path: Path) -> None:
    config_bytes, layers = _image()
    config = json.loads(config_bytes)
    files: list[TarFile] = []
    parent = ""
    for position, raw in enumerate(layers):
        layer_id = hashlib.sha256(f"{parent}{sha256(raw)}".encode()).hexdigest()
        v1: dict[str, object] = {"id": layer_id}
        if parent:
            v1["parent"] = parent
        if position == len(layers) - 1:  # the top layer's JSON carries the image config
            v1.update({k: config[k] for k in ("architecture", "os", "created", "config")})
        files += [
            TarFile(f"{layer_id}/VERSION", b"1.0"),
            TarFile(f"{layer_id}/json", canonical(v1)),
            TarFile(f"{layer_id}/layer.tar", raw),
        ]
        parent = layer_id
    files.append(TarFile("repositories", canonical({"old/app": {"v1": parent}})))
    path = tmp_path / "legacy.tar"
    path.write_bytes(tar_bytes(files))
    report = generate(str(path), Options())
    (image,) = report.images
    assert image.refs == ("old/app:v1",)
    assert str(image.platform) == "linux/amd64"
    assert len(image.layers) == 3
    assert report.integrity_ok
    assert [layer.diff_id for layer in image.layers] == config["rootfs"]["diff_ids"]
    assert {p.name for p in image.packages} >= {"libc6", "left-pad"}
