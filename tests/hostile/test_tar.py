"""Odd tar streams inside layers, through the whole pipeline and every renderer.

Consistent images (every digest and diff_id matches) whose layer tars are strange: the report
is written; a layer the walker could not read to its end is an integrity finding (exit 4),
everything it could read is still listed.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from tests.hostile._build import TarFile, custom_layout, gzip_bytes, raw_tar, tar_bytes
from tests.hostile._cli import cli

OS_RELEASE = TarFile("etc/os-release", b"ID=alpine\nVERSION_ID=3.19.0\n")
APK = b"P:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\n\n"


def _report(
    tmp_path: Path, layers: list[bytes], capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict]:  # type: ignore[type-arg]
    sample = custom_layout(tmp_path / "img", [gzip_bytes(raw) for raw in layers])
    out = tmp_path / "out"
    run = cli(
        capsys,
        "report",
        str(sample.root),
        *("-f", "json", "-f", "md", "-f", "html", "-f", "cyclonedx-json", "-f", "spdx-json"),
        "--output-dir",
        str(out),
    )
    assert "Traceback" not in run.err
    assert run.err == "" or run.err.count("\n") == 1
    return run.code, json.loads((out / "report.json").read_bytes())


def _findings(report: dict) -> list[dict]:  # type: ignore[type-arg]
    found = list(report["findings"])
    for image in report["images"]:
        found += image["findings"] + image["description"]["findings"]
    return found


def _info(name: bytes | str, size: int = 0, kind: bytes = tarfile.REGTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(
        name if isinstance(name, str) else name.decode("utf-8", "surrogateescape")
    )
    info.size = size
    info.type = kind
    return info


def test_non_utf8_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = raw_tar(
        [
            (_info(b"etc/caf\xe9", 3), b"abc"),
            (_info(b"lib/apk/db/installed\xff", len(APK)), APK),
            (_info(b"\xff\xfe/\x1b[31mred", 1), b"x"),
        ],
        fmt=tarfile.GNU_FORMAT,
    )
    code, _ = _report(tmp_path, [raw], capsys)
    assert code == 0


def _pax_with(record: bytes) -> bytes:
    """A PAX extended header whose record block is ``record`` verbatim, then one file."""
    good = raw_tar([(_info("a", 1), b"a")], fmt=tarfile.PAX_FORMAT)
    header = bytearray(tarfile.TarInfo("././@PaxHeader").tobuf(format=tarfile.USTAR_FORMAT))
    pax = tarfile.TarInfo("././@PaxHeader")
    pax.type = tarfile.XHDTYPE
    pax.size = len(record)
    header = bytearray(pax.tobuf(format=tarfile.USTAR_FORMAT))
    body = record + b"\0" * (-len(record) % 512)
    return bytes(header) + body + good


@pytest.mark.parametrize(
    "record",
    [
        b"99 path=x\n",  # length past the block
        b"3 path=x\n",  # length shorter than its own prefix
        b"abc path=x\n",  # not a number
        b"12 pathx\n",  # no '='
        b"-5 path=x\n",
        b"18446744073709551616 path=x\n",
        b"9 size=zz\n",
    ],
)
def test_pax_records_with_bad_lengths(
    tmp_path: Path, record: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = _report(tmp_path, [_pax_with(record)], capsys)
    assert code == 4  # the layer could not be walked to its end
    assert any(f["kind"] == "corrupt-layer" for f in _findings(report))


def test_gnu_sparse_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sparse = tarfile.TarInfo("var/sparse")
    sparse.type = tarfile.GNUTYPE_SPARSE
    sparse.size = 0
    block = bytearray(sparse.tobuf(format=tarfile.GNU_FORMAT))
    block[483:495] = b"%011o\0" % (1 << 32)  # realsize 4 GiB, stored: nothing
    # recompute the checksum
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\0 " % sum(block)
    tail = tar_bytes([OS_RELEASE])
    code, report = _report(tmp_path, [bytes(block) + tail], capsys)
    assert code == 0
    entries = report["images"][0]["description"]["layers"]
    assert entries


def test_pax_sparse_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    info = _info("var/lib/sparse", 4)
    info.pax_headers = {
        "GNU.sparse.major": "1",
        "GNU.sparse.minor": "0",
        "GNU.sparse.realsize": "99999999999",
    }
    raw = raw_tar([(info, b"\0\0\0\0"), (_info("etc/os-release", 10), b"ID=alpine\n")])
    code, _ = _report(tmp_path, [raw], capsys)
    assert code == 0


def test_hard_links_to_missing_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    link = _info("lib/apk/db/installed", kind=tarfile.LNKTYPE)
    link.linkname = "nowhere/installed"
    loop = _info("a", kind=tarfile.LNKTYPE)
    loop.linkname = "a"
    code, _ = _report(tmp_path, [raw_tar([(link, b""), (loop, b"")])], capsys)
    assert code == 0


def test_duplicate_entries_last_wins(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = raw_tar(
        [
            (_info("lib/apk/db/installed", len(APK)), APK),
            (
                _info("lib/apk/db/installed", len(APK.replace(b"musl", b"evil"))),
                APK.replace(b"musl", b"evil"),
            ),
            (_info("etc/os-release", 10), b"ID=alpine\n"),
        ]
    )
    code, report = _report(tmp_path, [raw], capsys)
    assert code == 0
    names = {p["name"] for p in report["images"][0]["packages"]}
    assert "evil" in names
    assert "musl" not in names


def test_layer_without_end_marker(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = tar_bytes([OS_RELEASE])
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        last = tar.getmembers()[-1]
    end = last.offset_data + last.size + (-last.size % 512)
    code, report = _report(tmp_path, [raw[:end]], capsys)
    assert code == 0
    assert report["summary"]["integrity_ok"] is True


@pytest.mark.parametrize("cut", [100, 300, 511])
def test_layer_cut_mid_header(tmp_path: Path, cut: int, capsys: pytest.CaptureFixture[str]) -> None:
    raw = raw_tar([(_info("etc/os-release", 10), b"ID=alpine\n"), (_info("b", 1), b"b")])
    second = 1024  # header of "b"
    code, report = _report(tmp_path, [raw[: second + cut]], capsys)
    assert code == 4
    assert any(f["kind"] == "truncated-layer" for f in _findings(report))


def test_layer_cut_mid_entry(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = raw_tar([(_info("big", 5000), b"x" * 5000)])
    code, report = _report(tmp_path, [raw[:2000]], capsys)
    assert code == 4
    assert any(f["kind"] == "truncated-layer" for f in _findings(report))


def test_layer_that_is_not_a_tar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = _report(tmp_path, [b"hello, this is not a tar" * 100], capsys)
    assert code == 4
    assert any(f["kind"] == "corrupt-layer" for f in _findings(report))


def test_devices_fifos_and_huge_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dev = _info("dev/sda", kind=tarfile.BLKTYPE)
    fifo = _info("run/fifo", kind=tarfile.FIFOTYPE)
    huge = _info("etc/huge", 0)
    huge.mode = 0o7777
    raw = raw_tar([(dev, b""), (fifo, b""), (huge, b"")], fmt=tarfile.GNU_FORMAT)
    code, _ = _report(tmp_path, [raw], capsys)
    assert code == 0


def test_empty_and_zero_layers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = _report(tmp_path, [b"", bytes(1024)], capsys)
    assert code in (0, 4)


def test_gnu_longname_pointing_nowhere(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = raw_tar([(_info("x" * 300, 1), b"x")], fmt=tarfile.GNU_FORMAT)
    # cut after the long-name record, before the entry it names
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        member = tar.getmembers()[0]
    code, _ = _report(tmp_path, [raw[: member.offset + 512 + 512]], capsys)
    assert code == 4
