"""Decompression bombs: a small layer that expands without bound is stopped by
``--max-expansion-ratio`` (past 64 MiB) or ``--max-layer-bytes``, with a ``limit`` finding; the
layer's diff_id cannot then be checked, so the run ends in exit 4. Memory stays bounded."""

from __future__ import annotations

import io
import json
import tarfile
import tracemalloc
import zlib
from pathlib import Path

import pytest
import zstandard

from reporter.catalog import ALL_CATALOGERS
from reporter.layers.tarwalk import scan_layer
from reporter.options import Limits, Options
from reporter.pipeline import generate
from tests.hostile._build import ZSTD_LAYER, custom_layout
from tests.hostile._cli import all_findings, inspect_json

GiB = 1 << 30
MiB = 1 << 20
UNKNOWN_DIFF_ID = "sha256:" + "0" * 64


def _member_header(size: int) -> bytes:
    info = tarfile.TarInfo("usr/lib/bomb")
    info.size = size
    return info.tobuf(format=tarfile.PAX_FORMAT)


def zstd_bomb(size: int) -> bytes:
    """A tar with one file of ``size`` zero bytes, zstd-compressed (2 GiB → ~64 KiB)."""
    out = io.BytesIO()
    with zstandard.ZstdCompressor(level=3).stream_writer(out, closefd=False) as writer:
        writer.write(_member_header(size))
        zeros = bytes(16 * MiB)
        left = size
        while left:
            writer.write(zeros[: min(left, len(zeros))])
            left -= min(left, len(zeros))
        writer.write(bytes(1024))
    return out.getvalue()


def gzip_bomb(size: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(_member_header(size))]
    zeros = bytes(16 * MiB)
    left = size
    while left:
        parts.append(compressor.compress(zeros[: min(left, len(zeros))]))
        left -= min(left, len(zeros))
    parts += [compressor.compress(bytes(1024)), compressor.flush()]
    return b"".join(parts)


@pytest.fixture(scope="module")
def zstd_2g() -> bytes:
    return zstd_bomb(2 * GiB)


@pytest.fixture(scope="module")
def gzip_128m() -> bytes:
    return gzip_bomb(128 * MiB)


def _limit_findings(doc: dict[str, object]) -> list[dict[str, object]]:
    return [f for f in all_findings(doc) if f["kind"] == "limit"]


def test_zstd_bomb_stops_at_the_ratio_with_bounded_memory(zstd_2g: bytes) -> None:
    assert len(zstd_2g) < 256 * 1024
    tracemalloc.start()
    try:
        scan = scan_layer(io.BytesIO(zstd_2g), ALL_CATALOGERS, limits=Limits(), where="bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * MiB, peak
    assert any(f.kind == "limit" and "expands more than" in f.message for f in scan.findings)
    assert scan.uncompressed_size < 2 * GiB
    assert not scan.complete
    assert scan.diff_id == ""
    assert scan.blob_size == len(zstd_2g)  # the blob itself is still hashed whole


def test_zstd_bomb_stops_at_max_layer_bytes(zstd_2g: bytes) -> None:
    limits = Limits(max_layer_bytes=100 * MiB, max_expansion_ratio=10**9)
    tracemalloc.start()
    try:
        scan = scan_layer(io.BytesIO(zstd_2g), ALL_CATALOGERS, limits=limits, where="bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * MiB, peak
    assert any(f.kind == "limit" and "expands past" in f.message for f in scan.findings)
    assert scan.uncompressed_size <= 100 * MiB + 128 * MiB


@pytest.mark.parametrize(
    ("flags", "expect"),
    [
        ((), "expands more than 1000x"),
        (("--max-expansion-ratio", "100"), "expands more than 100x"),
        (("--max-expansion-ratio", "1000000", "--max-layer-bytes", "1000000"), "expands past"),
    ],
)
def test_zstd_bomb_through_the_cli(
    tmp_path: Path,
    zstd_2g: bytes,
    flags: tuple[str, ...],
    expect: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sample = custom_layout(
        tmp_path / "bomb", [zstd_2g], media_type=ZSTD_LAYER, diff_ids=[UNKNOWN_DIFF_ID]
    )
    code, doc = inspect_json(capsys, sample.root, *flags)
    assert code == 4
    assert any(expect in str(f["message"]) for f in _limit_findings(doc)), _limit_findings(doc)
    layer = doc["images"][0]["layers"][0]
    assert layer["verified"] is True  # the compressed blob matches its digest ...
    assert layer["diffIDVerified"] is False  # ... but its content could not be checked


def test_gzip_bomb_in_report_with_every_format(
    tmp_path: Path, gzip_128m: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.hostile._cli import cli

    sample = custom_layout(tmp_path / "bomb", [gzip_128m], diff_ids=[UNKNOWN_DIFF_ID])
    out = tmp_path / "out"
    run = cli(
        capsys,
        "report",
        str(sample.root),
        "--max-expansion-ratio",
        "100",
        *("-f", "json", "-f", "md", "-f", "html", "-f", "cyclonedx-json", "-f", "spdx-json"),
        "--output-dir",
        str(out),
    )
    assert run.code == 4, run.err
    report = json.loads((out / "report.json").read_bytes())
    assert report["summary"]["integrity_ok"] is False
    assert "limit" in (out / "report.md").read_text()


def test_gzip_bomb_in_a_compressed_archive(
    tmp_path: Path, gzip_128m: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stream mode (a .tar.gz read in one pass) applies the same limits."""
    from tests.hostile._build import gzip_bytes, layout_tar

    sample = custom_layout(tmp_path / "bomb", [gzip_128m], diff_ids=[UNKNOWN_DIFF_ID])
    archive = tmp_path / "bomb.tar.gz"
    archive.write_bytes(gzip_bytes(layout_tar(sample.root)))
    code, doc = inspect_json(capsys, archive, "--max-expansion-ratio", "100")
    assert code == 4
    assert _limit_findings(doc)


def test_pipeline_memory_on_a_bomb_image(tmp_path: Path, zstd_2g: bytes) -> None:
    sample = custom_layout(
        tmp_path / "bomb", [zstd_2g], media_type=ZSTD_LAYER, diff_ids=[UNKNOWN_DIFF_ID]
    )
    tracemalloc.start()
    try:
        report = generate(str(sample.root), Options(jobs=1))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * MiB, peak
    assert not report.integrity_ok
