"""Property tests on every parser entry point: only ``ReporterError`` may escape.

Example counts come from the profile in conftest.py (``ci`` by default, ``deep`` by hand).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from reporter.archive.tar_archive import TarArchive
from reporter.catalog import ALL_CATALOGERS
from reporter.catalog.interface import Cataloger, Distro, ParseContext, WholeFile
from reporter.errors import ReporterError
from reporter.image import describe, parse_config
from reporter.jsonread import parse_descriptor, parse_json
from reporter.layers.capture import scan_whole
from reporter.layers.tarwalk import scan_layer
from reporter.model import Descriptor, ImageTarget
from reporter.options import Limits
from reporter.resolve import resolve
from samples.build import app_layer, base_layer, cleanup_layer, gzip_bytes, tar_bytes
from tests.hostile.fuzz_targets import (
    JSON_LIMITS,
    LAYER_LIMITS,
    MemoryArchive,
    json_one,
    tarwalk_one,
)

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def only_reporter_errors(call: Callable[[], Any]) -> None:
    try:
        call()
    except ReporterError as exc:
        message = str(exc)
    else:
        return
    assert "\n" not in message


# --------------------------------------------------------------------------- strategies

KEYS = ["digest", "size", "mediaType", "manifests", "config", "layers", "annotations", "platform"]
KEYS += ["subject", "rootfs", "diff_ids", "history", "Labels", "os", "Config", "Layers"]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["sha256:", "sha256:" + "a" * 64, "../x", "/etc", OCI_INDEX, OCI_MANIFEST]),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.one_of(
                st.text(max_size=8),
                st.sampled_from(KEYS),
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


def _sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@st.composite
def layouts(draw: st.DrawFn) -> MemoryArchive:
    """A layout whose blobs are random JSON documents, linked by real digests some of the time."""
    files: dict[str, bytes] = {"oci-layout": b'{"imageLayoutVersion":"1.0.0"}'}
    known: list[tuple[str, int]] = []
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        doc = draw(json_values)
        if isinstance(doc, dict) and known and draw(st.booleans()):
            digest, size = draw(st.sampled_from(known))
            kind = draw(st.sampled_from(["manifests", "layers", "config"]))
            ref = {
                "digest": digest,
                "size": size,
                "mediaType": draw(st.sampled_from([OCI_INDEX, OCI_MANIFEST, "x"])),
            }
            doc[kind] = ref if kind == "config" else [ref, ref]
        data = json.dumps(doc).encode()
        files[f"blobs/sha256/{_sha(data)[7:]}"] = data
        known.append((_sha(data), len(data)))
    entries = draw(
        st.lists(st.one_of(json_values, st.sampled_from(known or [("x", 1)])), max_size=6)
    )
    index = {
        "schemaVersion": 2,
        "manifests": [
            {"mediaType": OCI_INDEX if i % 2 else OCI_MANIFEST, "digest": e[0], "size": e[1]}
            if isinstance(e, tuple)
            else e
            for i, e in enumerate(entries)
        ],
    }
    files["index.json"] = json.dumps(index).encode()
    if draw(st.booleans()):
        files["manifest.json"] = json.dumps(draw(json_values)).encode()
    return MemoryArchive(files)


# --------------------------------------------------------------------------- JSON readers


@given(st.binary(max_size=2000))
def test_property_parse_json_bytes(data: bytes) -> None:
    only_reporter_errors(lambda: parse_json(data, "x"))


@given(json_values)
def test_property_parse_json_and_descriptor(value: Any) -> None:
    data = json.dumps(value).encode()
    only_reporter_errors(lambda: parse_descriptor(parse_json(data, "x"), "x"))
    parse_descriptor(value, "x")


@given(layouts())
def test_property_resolve_and_describe_random_layouts(archive: MemoryArchive) -> None:
    def run() -> None:
        resolution = resolve(archive, JSON_LIMITS)
        for target in resolution.targets:
            describe(archive, target, JSON_LIMITS)

    only_reporter_errors(run)


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "architecture",
                "os",
                "variant",
                "created",
                "author",
                "config",
                "rootfs",
                "history",
                "os.version",
            ]
        ),
        json_values,
        max_size=9,
    ),
    json_values,
)
def test_property_parse_config(doc: dict[str, Any], runtime: Any) -> None:
    doc.setdefault("config", runtime)
    data = json.dumps(doc).encode()
    only_reporter_errors(lambda: parse_config(data, Descriptor("", _sha(data), len(data)), "x"))


@given(st.binary(max_size=500))
def test_property_parse_config_bytes(data: bytes) -> None:
    only_reporter_errors(lambda: parse_config(data, Descriptor("", _sha(data), len(data)), "x"))


@given(
    json_values,
    st.dictionaries(
        st.sampled_from(["c.json", "l/layer.tar", "repositories"]), st.binary(max_size=50)
    ),
)
def test_property_docker_manifest_json(entries: Any, files: dict[str, bytes]) -> None:
    archive = MemoryArchive({**files, "manifest.json": json.dumps(entries).encode()})
    only_reporter_errors(lambda: resolve(archive, JSON_LIMITS))


@given(json_values)
def test_property_describe_random_manifest(doc: Any) -> None:
    data = json.dumps(doc).encode()
    archive = MemoryArchive({f"blobs/sha256/{_sha(data)[7:]}": data, "index.json": b"{}"})
    target = ImageTarget(manifest=Descriptor(OCI_MANIFEST, _sha(data), len(data)))
    only_reporter_errors(lambda: describe(archive, target, JSON_LIMITS))


@given(st.binary(max_size=3000))
def test_property_json_fuzz_target(data: bytes) -> None:
    json_one(data)


# --------------------------------------------------------------------------- tar walker


@given(st.binary(max_size=4000))
def test_property_scan_layer_random_bytes(data: bytes) -> None:
    tarwalk_one(data)


_LAYERS = [tar_bytes(base_layer("amd64")), tar_bytes(app_layer()), tar_bytes(cleanup_layer())]


@given(
    st.sampled_from(range(len(_LAYERS))),
    st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8
    ),
    st.integers(min_value=0),
    st.sampled_from(["plain", "gzip"]),
)
def test_property_scan_layer_mutated(
    which: int, flips: list[tuple[int, int]], cut: int, wrap: str
) -> None:
    raw = bytearray(_LAYERS[which])
    for position, value in flips:
        raw[position % len(raw)] = value
    data = bytes(raw[: len(raw) - cut % len(raw)])
    if wrap == "gzip":
        data = gzip_bytes(data)
    scan = scan_layer(io.BytesIO(data), ALL_CATALOGERS, limits=LAYER_LIMITS, where="x")
    assert scan.blob_size == len(data)
    if not flips and cut % len(raw) == 0:
        assert scan.complete


@given(st.binary(max_size=2000), st.integers(min_value=0, max_value=3))
def test_property_scan_layer_compressed_garbage(data: bytes, mode: int) -> None:
    scan = scan_layer(
        io.BytesIO([b"", b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"\x1f\x8b\x08\x00"][mode] + data),
        ALL_CATALOGERS,
        limits=Limits(max_layer_bytes=1 << 22),
        where="x",
    )
    assert scan.blob_size >= len(data)


# --------------------------------------------------------------------------- archives


@given(st.binary(max_size=3000), st.booleans())
def test_property_tar_archive_random_bytes(data: bytes, seekable: bool) -> None:
    def run() -> None:
        archive = TarArchive(
            io.BytesIO(data), "x", kind="tar", seekable=seekable, scan=None, max_small_bytes=1 << 20
        )
        archive.read("index.json", 1 << 20)
        archive.close()

    only_reporter_errors(run)


@given(st.integers(min_value=0), st.integers(min_value=0, max_value=255), st.booleans())
def test_property_tar_archive_mutated(position: int, value: int, seekable: bool) -> None:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, payload in (("index.json", b'{"manifests":[]}'), ("blobs/sha256/a", b"x" * 700)):
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    raw = bytearray(out.getvalue()[:2048])
    raw[position % len(raw)] = value

    def run() -> None:
        archive = TarArchive(
            io.BytesIO(bytes(raw)),
            "x",
            kind="tar",
            seekable=seekable,
            scan=None,
            max_small_bytes=1 << 20,
        )
        for path in ("index.json", "blobs/sha256/a"):
            handle = archive.open(path)
            if handle is not None:
                handle.read()
        archive.close()

    only_reporter_errors(run)


# --------------------------------------------------------------------------- catalogers

_PATHS = [
    "etc/os-release", "usr/lib/os-release", "etc/alpine-release", "etc/debian_version",
    "etc/redhat-release", "var/lib/dpkg/status", "var/lib/dpkg/status.d/x",
    "usr/share/doc/x/copyright", "lib/apk/db/installed", "var/lib/rpm/Packages",
    "var/lib/rpm/rpmdb.sqlite", "var/lib/rpm/Packages.db",
    "usr/lib/python3.11/site-packages/x-1.0.dist-info/METADATA",
    "usr/lib/python3.11/site-packages/x-1.0.egg-info/PKG-INFO",
    "usr/lib/python3.11/site-packages/x.egg-info", "app/node_modules/x/package.json",
    "app/package-lock.json", "usr/bin/app", "app/Cargo.lock", "usr/local/cargo/x.cargo-lock",
    "app/x.jar", "app/x.war", "usr/lib/ruby/gems/3.2.0/specifications/x-1.0.gemspec",
    "app/Gemfile.lock", "app/vendor/composer/installed.json", "app/composer.lock",
    "usr/bin/bash", "usr/local/go/bin/go", "usr/local/go/VERSION", "usr/lib/jvm/x/release",
    "var/lib/rpmmanifest/container-manifest-2", "var/lib/pacman/local/x-1.0-1/desc",
    "var/lib/pacman/local/x-1.0-1/files", "var/db/pkg/app-misc/x-1.0/CONTENTS",
    "var/db/pkg/app-misc/x-1.0/LICENSE",
]  # fmt: skip


_PATHS += [
    "usr/lib/R/site-library/x/DESCRIPTION", "var/www/wp-content/plugins/x/x.php",
    "usr/local/lib/php/.registry/.channel.pecl.php.net/x.reg", "app/x.dll", "app/x.exe",
    "app/x.deps.json", "opt/conda/conda-meta/x-1.0-0.json",
    "usr/local/lib/luarocks/rocks-5.1/x/1.0-1/x-1.0-1.rockspec",
    "nix/store/5wh3x9v9w96vbhdrj20in6cdfica2iwz-x-1.0-bin",
]  # fmt: skip


def _wanted(cataloger: Cataloger) -> list[tuple[str, int]]:
    found = []
    for path in _PATHS:
        for mode in (0o644, 0o755):
            want = cataloger.wants(path, mode, 1 << 20)
            lists = getattr(cataloger, "lists", None)  # read by name only: parsed with b""
            if want is not None or (lists is not None and lists(path)):
                found.append((path, mode))
    return found


@pytest.mark.parametrize("cataloger", ALL_CATALOGERS, ids=lambda c: c.name)
@given(data=st.data())
def test_property_every_cataloger_parse(cataloger: Cataloger, data: st.DataObject) -> None:
    wanted = _wanted(cataloger)
    assume(wanted)
    path, mode = data.draw(st.sampled_from(wanted))
    content = data.draw(st.binary(max_size=3000))
    distro = data.draw(st.sampled_from([None, Distro("debian", "12"), Distro("alpine", "3.19")]))
    extra = data.draw(st.dictionaries(st.sampled_from(_PATHS), st.binary(max_size=200), max_size=3))
    want = cataloger.wants(path, mode, 1 << 20)
    if want is not None and not isinstance(want, WholeFile):  # a Scanner: parse its result
        result = scan_whole(want, content)
        if result is None:
            return
        content = result
    context = ParseContext(distro, "amd64", extra.get)

    def run() -> None:
        list(cataloger.parse(path, content, context))

    only_reporter_errors(run)
