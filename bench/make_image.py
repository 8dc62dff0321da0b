"""A large multi-layer benchmark image made offline from this machine's own files.

    python bench/make_image.py [OUT_DIR]        # default bench/.images

``shared/tools/build-bench-image.sh`` builds the realistic image, but needs root, debootstrap
and network access to Debian, PyPI and npm. Where that is not possible, this script makes an
image of the same scale from the host: four layers (executables + the dpkg database and
os-release, shared libraries, a Python virtualenv's site-packages with real ``*.dist-info``,
``/usr/local``), each capped at ``--cap`` MiB uncompressed, written twice as OCI layouts:
``host-usr.oci-gzip`` (zlib level 6, like ``docker push``/buildah) and ``host-usr.oci-zstd``
(level 3, containerd's default). Contents vary by machine: compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import stat
import sys
import tarfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import zstandard

HERE = Path(__file__).resolve().parent
LAYERS: list[tuple[str, list[str]]] = [
    (
        "base",
        ["/etc/os-release", "/usr/lib/os-release", "/var/lib/dpkg/status", "/usr/bin", "/usr/sbin"],
    ),
    ("libs", ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/libexec"]),
    ("python", [str(Path(sys.prefix) / "lib"), "/usr/lib/python3"]),
    ("local", ["/usr/local", "/usr/share/doc"]),
]


def _walk(roots: list[str], cap: int) -> list[str]:
    files: list[str] = []
    total = 0
    for root in roots:
        if not os.path.lexists(root):
            continue
        stack = [root]
        while stack and total < cap:
            path = stack.pop()
            try:
                info = os.lstat(path)
            except OSError:
                continue
            files.append(path)
            if stat.S_ISDIR(info.st_mode):
                try:
                    names = sorted(os.listdir(path), reverse=True)
                except OSError:
                    continue
                stack.extend(os.path.join(path, n) for n in names)
            elif stat.S_ISREG(info.st_mode):
                total += info.st_size
    return files


def _tar(files: list[str]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in files:
            try:
                info = tar.gettarinfo(path, arcname=path.lstrip("/"))
            except OSError:
                continue
            info.mtime = 1700000000
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if info.isreg():
                try:
                    with open(path, "rb") as handle:
                        tar.addfile(info, handle)
                except OSError:
                    continue
            elif info.isdir() or info.issym() or info.islnk():
                tar.addfile(info)
    return out.getvalue()


def _layer(args: tuple[list[str], int]) -> tuple[bytes, bytes, bytes]:
    roots, cap = args
    raw = _tar(_walk(roots, cap))
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    gz = compressor.compress(raw) + compressor.flush()
    zst = zstandard.ZstdCompressor(level=3).compress(raw)
    return raw, gz, zst


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _write(out: Path, layers: list[tuple[bytes, bytes]], media: str) -> None:
    if out.exists():
        shutil.rmtree(out)
    blobs = out / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes) -> dict[str, object]:
        digest = _digest(data)
        (blobs / digest[7:]).write_bytes(data)
        return {"digest": digest, "size": len(data)}

    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2023-11-14T22:13:20Z",
        "config": {"Labels": {"org.opencontainers.image.title": "host-usr bench image"}},
        "rootfs": {"type": "layers", "diff_ids": [_digest(raw) for raw, _ in layers]},
        "history": [{"created_by": f"bench layer {i}"} for i in range(len(layers))],
    }
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {
            "mediaType": "application/vnd.oci.image.config.v1+json",
            **put(json.dumps(config).encode()),
        },
        "layers": [{"mediaType": media, **put(blob)} for _, blob in layers],
    }
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                **put(json.dumps(manifest).encode()),
                "annotations": {"org.opencontainers.image.ref.name": "1.0"},
            }
        ],
    }
    (out / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    (out / "index.json").write_text(json.dumps(index))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default=str(HERE / ".images"))
    parser.add_argument("--cap", type=int, default=400, help="MiB per layer, uncompressed")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(2) as pool:
        built = list(pool.map(_layer, [(roots, args.cap << 20) for _, roots in LAYERS]))
    _write(
        out / "host-usr.oci-gzip",
        [(raw, gz) for raw, gz, _ in built],
        "application/vnd.oci.image.layer.v1.tar+gzip",
    )
    _write(
        out / "host-usr.oci-zstd",
        [(raw, zst) for raw, _, zst in built],
        "application/vnd.oci.image.layer.v1.tar+zstd",
    )
    for (name, _), (raw, gz, zst) in zip(LAYERS, built, strict=True):
        print(
            f"{name}: {len(raw) >> 20} MiB tar, {len(gz) >> 20} MiB gzip, {len(zst) >> 20} MiB zstd"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
