"""Second-pass digests of byte ranges of a layer's uncompressed stream."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import shutil
import subprocess
import tarfile

import pytest
import zstandard

from reporter.layers.rehash import range_digests

_ALGORITHMS = ("sha256", "sha512")


def _layer() -> tuple[bytes, dict[str, tuple[int, int]], dict[str, bytes]]:
    """A real tar (tarfile, PAX) with files straddling 1 MiB chunk boundaries; the data range
    of each member and its bytes."""
    contents = {
        "bin/small": b"\x7fELF" + os.urandom(100),
        "bin/big": os.urandom(3 * (1 << 20) + 12345),
        "usr/lib/empty.so": b"",
        "usr/lib/" + "long" * 40 + ".so": os.urandom(700_000),
        "opt/last": os.urandom(1 << 20),
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in contents.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755
            tar.addfile(info, io.BytesIO(data))
    raw = buf.getvalue()
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        ranges = {m.name: (m.offset_data, m.size) for m in tar.getmembers()}
    return raw, ranges, contents


def _expected(data: bytes) -> tuple[bytes, ...]:
    return tuple(hashlib.new(a, data).digest() for a in _ALGORITHMS)


def _compressed(raw: bytes, kind: str) -> bytes:
    if kind == "gzip":
        gzip_cli = shutil.which("gzip")
        if gzip_cli is None:
            return gzip.compress(raw)
        return subprocess.run([gzip_cli, "-c"], input=raw, capture_output=True, check=True).stdout
    if kind == "zstd":
        return zstandard.ZstdCompressor().compress(raw)
    return raw


@pytest.mark.parametrize("kind", ["none", "gzip", "zstd"])
def test_each_range_gets_the_digests_of_exactly_its_bytes(kind: str) -> None:
    raw, ranges, contents = _layer()
    blob = _compressed(raw, kind)
    found = range_digests(io.BytesIO(blob), kind, list(ranges.values()), _ALGORITHMS)
    assert found is not None
    for name, data in contents.items():
        assert found[ranges[name]] == _expected(data), name


def test_a_subset_and_duplicates_are_fine_and_reading_stops_after_the_last() -> None:
    raw, ranges, contents = _layer()

    class Counting(io.BytesIO):
        taken = 0

        def read(self, size: int | None = -1, /) -> bytes:
            data = super().read(size)
            Counting.taken += len(data)
            return data

    wanted = [ranges["bin/small"], ranges["bin/small"]]
    found = range_digests(Counting(raw), "none", wanted, _ALGORITHMS)
    assert found == {ranges["bin/small"]: _expected(contents["bin/small"])}
    assert Counting.taken < len(raw) // 2  # it did not read on to the end


def test_a_stream_that_ends_before_a_range_does_gives_no_digests() -> None:
    raw, ranges, _ = _layer()
    cut = _compressed(raw, "gzip")[: len(raw) // 3]
    assert range_digests(io.BytesIO(cut), "gzip", [ranges["opt/last"]], _ALGORITHMS) is None
    assert range_digests(io.BytesIO(raw[:1000]), "none", [ranges["opt/last"]], _ALGORITHMS) is None
    assert range_digests(io.BytesIO(b""), "none", [], _ALGORITHMS) == {}
