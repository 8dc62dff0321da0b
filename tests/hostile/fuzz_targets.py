"""The fuzz targets' bodies, shared by the atheris harnesses (bench/fuzz/) and the replay of
their findings (tests/hostile/test_regressions.py). Only ``ReporterError`` may escape them.

``tarwalk_one``: the first byte picks how the rest is wrapped (0/3 as is, 1 gzip, 2 zstd); the
blob is scanned with every cataloger, then squashed and cataloged as the pipeline does.

``json_one``: the first byte picks the entry point, the rest is the document:

0 ``parse_json`` + ``parse_descriptor`` on the value and on each of its items;
1 ``parse_config``;
2 ``resolve`` with the document as ``index.json`` (and as a blob it may name);
3 ``resolve`` with the document as a docker ``manifest.json``;
4 ``describe`` with the document as an image manifest;
5 ``resolve`` + ``describe`` over a layout built around the document: it is split at the first
  NUL byte into a manifest and a config; ``@CONFIG@`` and ``@SIZE@`` in the manifest become
  the config blob's digest and size, and ``index.json`` points at the manifest.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
from typing import IO

import zstandard

from reporter.catalog import ALL_CATALOGERS
from reporter.catalog.run import catalog_image
from reporter.errors import InputError, ReporterError
from reporter.image import describe, parse_config
from reporter.jsonread import parse_descriptor, parse_json
from reporter.layers.scan import LayerScan
from reporter.layers.tarwalk import scan_layer
from reporter.model import Descriptor, Finding, ImageTarget, Layer
from reporter.options import Limits
from reporter.resolve import resolve

__all__ = ["JSON_LIMITS", "LAYER_LIMITS", "MemoryArchive", "json_one", "tarwalk_one"]

LAYER_LIMITS = Limits(
    max_layer_bytes=8 * 1024 * 1024, max_expansion_ratio=1000, max_capture_bytes=4 * 1024 * 1024
)
JSON_LIMITS = Limits(max_json_bytes=1 << 20, max_manifests=1000)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_LAYOUT = b'{"imageLayoutVersion":"1.0.0"}'


class MemoryArchive:
    """The ``Archive`` protocol over a dict of path → bytes (no links, no prescans)."""

    kind = "oci-layout"

    def __init__(self, files: dict[str, bytes], name: str = "<memory>") -> None:
        self._files = files
        self._name = name
        self._findings: list[Finding] = []

    @property
    def name(self) -> str:
        return self._name

    @property
    def findings(self) -> list[Finding]:
        return self._findings

    def exists(self, path: str) -> bool:
        return path in self._files

    def size(self, path: str) -> int | None:
        data = self._files.get(path)
        return None if data is None else len(data)

    def read(self, path: str, limit: int) -> bytes | None:
        data = self._files.get(path)
        if data is not None and len(data) > limit:
            raise InputError("larger than the limit", where=path)
        return data

    def open(self, path: str) -> IO[bytes] | None:
        data = self._files.get(path)
        return None if data is None else io.BytesIO(data)

    def prescanned(self, path: str) -> LayerScan | None:
        return None

    def locate(self, path: str) -> tuple[str, int, int | None] | None:
        return None

    def close(self) -> None:
        return None


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _blob(files: dict[str, bytes], data: bytes) -> str:
    digest = _digest(data)
    files[f"blobs/sha256/{digest[7:]}"] = data
    return digest


def wrap_layer(data: bytes) -> bytes:
    if not data:
        return data
    mode, body = data[0] % 4, data[1:]
    if mode == 1:
        return gzip.compress(body, compresslevel=1, mtime=0)
    if mode == 2:
        return zstandard.ZstdCompressor(level=1).compress(body)
    return body


def tarwalk_one(data: bytes) -> None:
    blob = wrap_layer(data)
    try:
        scan = scan_layer(io.BytesIO(blob), ALL_CATALOGERS, limits=LAYER_LIMITS, where="fuzz")
        layer = Layer(index=0, digest=scan.blob_digest, media_type="", size=scan.blob_size)
        catalog_image([(layer, scan)], ALL_CATALOGERS, "amd64")
    except ReporterError:
        pass


def json_one(data: bytes) -> None:
    if not data:
        return
    target, doc = data[0] % 6, data[1:]
    with contextlib.suppress(ReporterError):
        _json_target(target, doc)


def _json_target(target: int, doc: bytes) -> None:
    if target == 0:
        value = parse_json(doc, "fuzz")
        parse_descriptor(value, "fuzz")
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            for item in value:
                parse_descriptor(item, "fuzz")
    elif target == 1:
        parse_config(doc, Descriptor("", _digest(doc), len(doc)), "fuzz")
    elif target == 2:
        files = {"index.json": doc, "oci-layout": _LAYOUT}
        _blob(files, doc)
        resolve(MemoryArchive(files), JSON_LIMITS)
    elif target == 3:
        resolve(MemoryArchive({"manifest.json": doc, "config.json": b"{}"}), JSON_LIMITS)
    elif target == 4:
        files = {"index.json": b'{"manifests":[]}', "oci-layout": _LAYOUT}
        digest = _blob(files, doc)
        descriptor = Descriptor(OCI_MANIFEST, digest, len(doc))
        describe(MemoryArchive(files), ImageTarget(manifest=descriptor), JSON_LIMITS)
    else:
        manifest, _, config = doc.partition(b"\x00")
        files = {"oci-layout": _LAYOUT}
        manifest = manifest.replace(b"@CONFIG@", _blob(files, config).encode())
        manifest = manifest.replace(b"@SIZE@", str(len(config)).encode())
        digest = _blob(files, manifest)
        files["index.json"] = (
            b'{"schemaVersion":2,"manifests":[{"mediaType":"%s","digest":"%s","size":%d}]}'
            % (
                OCI_MANIFEST.encode(),
                digest.encode(),
                len(manifest),
            )
        )
        archive = MemoryArchive(files)
        for image in resolve(archive, JSON_LIMITS).targets:
            describe(archive, image, JSON_LIMITS)
