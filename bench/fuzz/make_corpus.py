"""Seed corpora for the fuzz targets, from the project's own sample builder.

.venv/bin/python bench/fuzz/make_corpus.py        (writes bench/fuzz/corpus/{tarwalk,json})
"""

from __future__ import annotations

import json
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from samples.build import (  # noqa: E402
    TarFile,
    app_layer,
    base_layer,
    cleanup_layer,
    docker_save_bytes,
    tar_bytes,
    write_layout,
)


def main() -> None:
    tar_dir = HERE / "corpus" / "tarwalk"
    json_dir = HERE / "corpus" / "json"
    tar_dir.mkdir(parents=True, exist_ok=True)
    json_dir.mkdir(parents=True, exist_ok=True)
    layers = {
        "base": tar_bytes(base_layer("amd64")),
        "app": tar_bytes(app_layer()),
        "cleanup": tar_bytes(cleanup_layer()),
        "links": tar_bytes(
            [
                TarFile("a", kind="dir"),
                TarFile("a/f", b"x" * 700),
                TarFile("a/s", kind="symlink", link="../etc"),
                TarFile("a/.wh..wh..opq"),
            ]
        ),
    }
    for name, raw in layers.items():
        for mode in (0, 1, 2):  # plain, gzip-wrapped, zstd-wrapped by the harness
            (tar_dir / f"{name}-{mode}").write_bytes(bytes([mode]) + raw)
    (tar_dir / "gnu-longname").write_bytes(
        b"\x00" + tar_bytes([TarFile("x" * 120, b"data")], fmt=tarfile.GNU_FORMAT)
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "layout"
        images = write_layout(out, arches=("amd64",))
        index = (out / "index.json").read_bytes()
        blobs = sorted((out / "blobs" / "sha256").iterdir())
        (json_dir / "index-0").write_bytes(b"\x00" + index)
        (json_dir / "index-2").write_bytes(b"\x02" + index)
        (json_dir / "save-3").write_bytes(
            b"\x03"
            + json.dumps([{"Config": "config.json", "RepoTags": ["a:1"], "Layers": []}]).encode()
        )
        for blob in blobs:
            data = blob.read_bytes()
            if not data.startswith(b"{"):
                continue
            doc = json.loads(data)
            key = blob.name[:8]
            if "manifests" in doc:
                (json_dir / f"index-{key}").write_bytes(b"\x02" + data)
            elif "layers" in doc and "config" in doc:
                (json_dir / f"manifest-{key}").write_bytes(b"\x04" + data)
                doc["config"]["digest"] = "@CONFIG@"
                text = json.dumps(doc).replace(f'"size": {doc["config"]["size"]}', '"size": @SIZE@')
                config = next(i.config for i in images)
                (json_dir / f"walk-{key}").write_bytes(b"\x05" + text.encode() + b"\x00" + config)
            elif "rootfs" in doc:
                (json_dir / f"config-{key}").write_bytes(b"\x01" + data)
            else:
                (json_dir / f"doc-{key}").write_bytes(b"\x00" + data)
        (json_dir / "docker-save-3").write_bytes(b"\x03" + b"[]")
        (tar_dir / "docker-save-0").write_bytes(b"\x00" + docker_save_bytes(images[0]))
    print(f"wrote {len(list(tar_dir.iterdir()))} + {len(list(json_dir.iterdir()))} seeds")


if __name__ == "__main__":
    main()
