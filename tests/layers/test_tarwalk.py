"""scan_layer over real tar streams written by tarfile (and a few hand-made headers)."""

from __future__ import annotations

import functools
import gzip
import hashlib
import io
import itertools
import json
import tarfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter import compression
from reporter.catalog.interface import FoundPackage, ParseContext
from reporter.layers.capture import Digested, Scanner, Want, WholeFile
from reporter.layers.scan import Captured, Entry, LayerScan
from reporter.layers.tarwalk import normalize_path, safe_name, scan_layer
from reporter.options import Limits
from tests.conftest import shared_path

Member = tuple[tarfile.TarInfo, bytes]


# ---------------------------------------------------------------------------------------------
# Building tar streams


def info(name: str, kind: bytes = tarfile.REGTYPE, size: int = 0, **attrs: Any) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.size = size
    ti.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    ti.mtime = 1700000000
    for key, value in attrs.items():
        setattr(ti, key, value)
    return ti


def file(name: str, data: bytes, **attrs: Any) -> Member:
    return info(name, size=len(data), **attrs), data


def make_tar(
    members: Iterable[Member],
    fmt: int = tarfile.PAX_FORMAT,
    *,
    end_marker: bool = True,
    **open_kwargs: object,
) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt, **open_kwargs) as tar:  # type: ignore[call-overload]
        for ti, data in members:
            tar.addfile(ti, io.BytesIO(data) if ti.isreg() else None)
    raw = buf.getvalue()
    if not end_marker:
        raw = raw.rstrip(b"\0")
        raw += bytes(-len(raw) % 512)
    return raw


def header(
    name: bytes,
    kind: bytes = b"0",
    size_field: bytes | None = None,
    size: int = 0,
    linkname: bytes = b"",
    extra: dict[int, bytes] | None = None,
    magic: bytes = b"ustar\x0000",
) -> bytes:
    """A hand-made 512-byte header, for what tarfile will not write (sparse, base-256 sizes)."""
    block = bytearray(512)
    block[0 : len(name)] = name
    block[100:108] = b"0000644\x00"
    block[108:116] = b"0000000\x00"
    block[116:124] = b"0000000\x00"
    block[124:136] = size_field if size_field is not None else b"%011o\x00" % size
    block[136:148] = b"14540000000\x00"
    block[156:157] = kind
    block[157 : 157 + len(linkname)] = linkname
    block[257:265] = magic
    for offset, value in (extra or {}).items():
        block[offset : offset + len(value)] = value
    block[148:156] = b" " * 8
    block[148:156] = b"%06o\x00 " % sum(block)
    return bytes(block)


def padded(data: bytes) -> bytes:
    return data + bytes(-len(data) % 512)


def pax_record(key: str, value: bytes) -> bytes:
    body = f" {key}=".encode() + value + b"\n"
    length = len(body) + 1
    while len(str(length)) + len(body) != length:
        length += 1
    return str(length).encode() + body


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def zst(data: bytes) -> bytes:
    return zstandard.ZstdCompressor(write_checksum=True).compress(data)


# ---------------------------------------------------------------------------------------------
# Catalogers written for these tests


class HeadScanner:
    """Keeps the first ``n`` bytes it is fed, then asks for no more."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.kept = b""
        self.fed = 0

    def feed(self, chunk: bytes) -> bool:
        self.fed += len(chunk)
        self.kept += chunk[: self.n - len(self.kept)]
        return len(self.kept) < self.n

    def result(self) -> bytes | None:
        return self.kept


Rules = dict[str, WholeFile | Callable[[], Scanner | Digested]]


class Keeper:
    """Wants the files named in ``rules``: a WholeFile, or a factory of scanners."""

    def __init__(self, name: str, rules: Rules) -> None:
        self._name = name
        self.rules = rules
        self.asked: list[tuple[str, int, int]] = []

    @property
    def name(self) -> str:
        return self._name

    def wants(self, path: str, mode: int, size: int) -> Want | None:
        self.asked.append((path, mode, size))
        rule = self.rules.get(path)
        if rule is None or isinstance(rule, WholeFile):
            return rule
        return rule()

    def parse(self, path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
        return ()


class Reopener:
    """A ``reopen`` for ``scan_layer`` that gives ``blob`` again and counts its calls."""

    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        self.calls = 0

    def __call__(self) -> io.BytesIO:
        self.calls += 1
        return io.BytesIO(self.blob)


class Trickle(io.RawIOBase):
    """A real stream that hands out at most ``step`` bytes per read, like a slow pipe."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = memoryview(data)
        self._pos = 0
        self._step = step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = self._step if size < 0 else min(size, self._step)
        out = bytes(self._data[self._pos : self._pos + n])
        self._pos += len(out)
        return out


def scan(
    blob: bytes,
    catalogers: Sequence[Keeper] = (),
    limits: Limits | None = None,
    media_type: str = "",
    digest_algorithm: str = "sha256",
) -> LayerScan:
    return scan_layer(
        io.BytesIO(blob),
        catalogers,
        limits=limits or Limits(),
        media_type=media_type,
        digest_algorithm=digest_algorithm,
    )


def kinds(result: LayerScan) -> list[str]:
    return [f.kind for f in result.findings]


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


SAMPLE = [
    (info("etc", tarfile.DIRTYPE), b""),
    file("etc/os-release", b"ID=test\n"),
    file("usr/bin/tool", b"\x7fELF" + bytes(3000)),
    (info("usr/bin/alias", tarfile.SYMTYPE, linkname="tool"), b""),
    (info("usr/bin/hard", tarfile.LNKTYPE, linkname="usr/bin/tool"), b""),
    (info("dev/null", tarfile.CHRTYPE, devmajor=1, devminor=3), b""),
    (info("run/fifo", tarfile.FIFOTYPE), b""),
]


# ---------------------------------------------------------------------------------------------
# Digests and compression


@pytest.mark.parametrize(("compress", "label"), [(bytes, "none"), (gz, "gzip"), (zst, "zstd")])
def test_digests_equal_hashlib_over_the_same_bytes(
    compress: Callable[[bytes], bytes], label: str
) -> None:
    tar = make_tar(SAMPLE)
    blob = compress(tar)
    result = scan(blob)
    assert result.compression == label
    assert result.blob_digest == sha(blob)
    assert result.blob_size == len(blob)
    assert result.diff_id == sha(tar)
    assert result.uncompressed_size == len(tar)
    assert result.complete
    assert result.findings == ()


def test_sha512_blob_digest_keeps_sha256_diff_id() -> None:
    tar = make_tar(SAMPLE)
    blob = gz(tar)
    result = scan(blob, digest_algorithm="sha512")
    assert result.blob_digest == "sha512:" + hashlib.sha512(blob).hexdigest()
    assert result.diff_id == sha(tar)


def test_unknown_digest_algorithm_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="md5"):
        scan(b"", digest_algorithm="md5")


def test_multi_member_gzip_and_trailing_zero_padding() -> None:
    tar = make_tar(SAMPLE)
    cuts = [0, 700, 1500, len(tar)]
    blob = b"".join(gz(tar[a:b]) for a, b in itertools.pairwise(cuts)) + bytes(100)
    result = scan(blob)
    assert result.diff_id == sha(tar)
    assert result.blob_digest == sha(blob)
    assert [e.path for e in result.entries] == [e.path for e in scan(tar).entries]
    assert result.findings == ()
    assert result.complete


def test_garbage_after_gzip_is_a_warning_but_the_layer_is_read() -> None:
    tar = make_tar(SAMPLE)
    blob = gz(tar) + b"not gzip at all"
    result = scan(blob)
    assert kinds(result) == ["trailing-data"]
    assert not result.findings[0].integrity
    assert result.diff_id == sha(tar)
    assert result.blob_digest == sha(blob)


def test_corrupt_gzip_is_an_integrity_finding_and_the_blob_is_still_hashed() -> None:
    tar = make_tar([file(f"f{i}", bytes(range(256)) * 40) for i in range(30)])
    blob = bytearray(gz(tar))
    blob[len(blob) // 2 : len(blob) // 2 + 16] = b"\xff" * 16
    result = scan(bytes(blob))
    assert "corrupt-layer" in kinds(result)
    assert all(f.integrity for f in result.findings if f.kind == "corrupt-layer")
    assert result.blob_digest == sha(bytes(blob))
    assert result.blob_size == len(blob)
    assert result.diff_id == ""
    assert not result.complete


def test_truncated_gzip_is_a_truncated_layer() -> None:
    tar = make_tar(SAMPLE)
    blob = gz(tar)[:-20]
    result = scan(blob)
    assert kinds(result) == ["truncated-layer"]
    assert result.findings[0].integrity
    assert result.blob_digest == sha(blob)
    assert not result.complete


def test_zstd_multiple_frames_without_content_size() -> None:
    tar = make_tar(SAMPLE)
    cctx = zstandard.ZstdCompressor()
    frames = []
    for part in (tar[:1000], tar[1000:]):
        obj = cctx.compressobj()  # streaming: no content size in the frame header
        frames.append(obj.compress(part) + obj.flush())
    assert zstandard.frame_content_size(frames[0]) == -1
    skippable = b"\x50\x2a\x4d\x18" + (3).to_bytes(4, "little") + b"abc"
    blob = frames[0] + skippable + frames[1]
    result = scan(blob)
    assert result.compression == "zstd"
    assert result.diff_id == sha(tar)
    assert result.findings == ()


def test_truncated_and_corrupt_zstd() -> None:
    tar = make_tar([file(f"f{i}", bytes(range(256)) * 40) for i in range(30)])
    blob = zst(tar)
    cut = scan(blob[: len(blob) // 2])
    assert kinds(cut) == ["truncated-layer"]
    bad = bytearray(blob)
    bad[-4:] = b"\0\0\0\0"  # the frame checksum
    broken = scan(bytes(bad))
    assert kinds(broken) == ["corrupt-layer"]
    assert broken.findings[0].integrity
    assert broken.blob_digest == sha(bytes(bad))


def test_media_type_is_only_a_hint() -> None:
    tar = make_tar(SAMPLE)
    result = scan(gz(tar), media_type="application/vnd.oci.image.layer.v1.tar+zstd")
    assert result.compression == "gzip"
    assert result.diff_id == sha(tar)
    (finding,) = result.findings
    assert (finding.kind, finding.severity, finding.expected, finding.actual) == (
        "compression-mismatch",
        "info",
        "zstd",
        "gzip",
    )
    plain = scan(tar, media_type="application/vnd.docker.image.rootfs.diff.tar.gzip")
    assert kinds(plain) == ["compression-mismatch"]
    assert scan(tar, media_type="application/vnd.oci.image.layer.v1.tar").findings == ()


def test_unsupported_compression_and_non_tar_bytes() -> None:
    xz = b"\xfd7zXZ\x00" + bytes(600)
    assert kinds(scan(xz)) == ["unsupported-compression"]
    junk = bytes(range(256)) * 4
    result = scan(junk)
    assert kinds(result) == ["corrupt-layer"]
    assert result.entries == ()
    assert result.blob_digest == sha(junk)


# ---------------------------------------------------------------------------------------------
# Tar formats and entry types


@pytest.mark.parametrize("fmt", [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_entry_types(fmt: int) -> None:
    result = scan(make_tar(SAMPLE, fmt))
    assert result.entries == (
        Entry("etc", "dir", 0o755, 0),
        Entry("etc/os-release", "file", 0o644, 8),
        Entry("usr/bin/tool", "file", 0o644, 3004),
        Entry("usr/bin/alias", "symlink", 0o644, 0, "tool"),
        Entry("usr/bin/hard", "hardlink", 0o644, 3004, "usr/bin/tool"),
        Entry("dev/null", "other", 0o644, 0),
        Entry("run/fifo", "other", 0o644, 0),
    )
    assert result.complete


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
def test_long_names_and_links(fmt: int) -> None:
    deep = "/".join(["d" * 60] * 6) + "/file.txt"  # 370 characters: beyond ustar's 255
    target = "/".join(["t" * 50] * 4)
    result = scan(
        make_tar([file(deep, b"x"), (info("link", tarfile.SYMTYPE, linkname=target), b"")], fmt)
    )
    assert [(e.path, e.linkname) for e in result.entries] == [(deep, ""), ("link", target)]


def test_ustar_prefix_field() -> None:
    name = "p" * 120 + "/" + "n" * 90  # fits ustar only through the prefix field
    result = scan(make_tar([file(name, b"ok")], tarfile.USTAR_FORMAT))
    assert [e.path for e in result.entries] == [name]


def test_pax_global_header_and_size_override() -> None:
    data = b"hello"
    pax = pax_record("size", b"5") + pax_record("path", b"from/pax/name")
    glob = pax_record("comment", b"made by hand")
    stream = (
        header(b"pax_global_header", b"g", size=len(glob))
        + padded(glob)
        + header(b"PaxHeaders/x", b"x", size=len(pax))
        + padded(pax)
        + header(b"short-name", b"0", size=0)  # the PAX size (5) is what follows
        + padded(data)
        + header(b"after", b"0", size=2)
        + padded(b"ok")
    )
    keeper = Keeper("k", {"from/pax/name": WholeFile(), "after": WholeFile()})
    result = scan(stream, [keeper])
    assert [(e.path, e.size) for e in result.entries] == [("from/pax/name", 5), ("after", 2)]
    assert [(c.path, c.data) for c in result.captured] == [
        ("from/pax/name", b"hello"),
        ("after", b"ok"),
    ]
    assert result.findings == ()


def test_pax_global_path_applies_until_overridden() -> None:
    glob = pax_record("linkpath", b"global-target")
    local = pax_record("linkpath", b"")  # an empty value deletes the keyword
    stream = (
        header(b"g", b"g", size=len(glob))
        + padded(glob)
        + header(b"a", b"2", linkname=b"ignored")
        + header(b"x", b"x", size=len(local))
        + padded(local)
        + header(b"b", b"2", linkname=b"own")
    )
    result = scan(stream)
    assert [(e.path, e.linkname) for e in result.entries] == [
        ("a", "global-target"),
        ("b", "own"),
    ]


def test_base256_numbers() -> None:
    big_uid = make_tar([file("f", b"abc", uid=10**10)], tarfile.GNU_FORMAT)
    assert b"\x80" in big_uid[108:116]  # tarfile really wrote base-256
    assert scan(big_uid).entries == (Entry("f", "file", 0o644, 3),)
    size_field = b"\x80" + (7).to_bytes(11, "big")
    stream = header(b"b256", size_field=size_field) + padded(b"1234567")
    keeper = Keeper("k", {"b256": WholeFile()})
    result = scan(stream, [keeper])
    assert result.entries == (Entry("b256", "file", 0o644, 7),)
    assert result.captured == (Captured("b256", "k", b"1234567"),)


def test_old_gnu_sparse_with_extension_block() -> None:
    realsize = b"%011o\x00" % (1 << 20)
    sparse = header(
        b"sparse.img",
        b"S",
        size=512,
        magic=b"ustar  \x00",
        extra={386: b"00000000000\x00" + b"00000001000\x00", 482: b"\x01", 483: realsize},
    )
    extension = bytearray(512)
    extension[0:24] = b"00000100000\x00" + b"00000000000\x00"
    stream = sparse + bytes(extension) + bytes(512) + header(b"next", size=4) + padded(b"next")
    keeper = Keeper("k", {"sparse.img": WholeFile(), "next": WholeFile()})
    result = scan(stream, [keeper])
    assert result.entries == (
        Entry("sparse.img", "file", 0o644, 1 << 20),
        Entry("next", "file", 0o644, 4),
    )
    # The stored bytes of a sparse file are not its content: nobody is offered them.
    assert [c.path for c in result.captured] == ["next"]
    assert ("sparse.img", 0o644, 1 << 20) not in keeper.asked
    assert result.complete


def test_pax_sparse_1_0() -> None:
    stored = b"1\n0\n4\n" + bytes(506) + b"data"
    pax = (
        pax_record("GNU.sparse.major", b"1")
        + pax_record("GNU.sparse.minor", b"0")
        + pax_record("GNU.sparse.name", b"var/big.db")
        + pax_record("GNU.sparse.realsize", b"999999")
    )
    stream = (
        header(b"x", b"x", size=len(pax))
        + padded(pax)
        + header(b"GNUSparseFile.0/big.db", size=len(stored))
        + padded(stored)
        + header(b"tail", size=1)
        + padded(b"t")
    )
    result = scan(stream)
    assert result.entries == (
        Entry("var/big.db", "file", 0o644, 999999),
        Entry("tail", "file", 0o644, 1),
    )


def test_names_are_normalised_and_cannot_escape() -> None:
    members = [
        file("./a/./b//c", b""),
        file("/abs/file", b""),
        file("x/../../../etc/passwd", b""),
        (info("./", tarfile.DIRTYPE), b""),  # the root itself is not an entry
        (info("dir/", tarfile.DIRTYPE), b""),
    ]
    result = scan(make_tar(members, tarfile.GNU_FORMAT))
    assert [e.path for e in result.entries] == ["a/b/c", "abs/file", "etc/passwd", "dir"]
    assert kinds(result) == ["path-escape"]
    assert result.findings[0].severity == "warning"


def test_non_utf8_names_are_shown_safely() -> None:
    name = b"caf\xe9/\xff.txt".decode("utf-8", "surrogateescape")
    tar = make_tar(
        [file(name, b"")], tarfile.GNU_FORMAT, encoding="utf-8", errors="surrogateescape"
    )
    (entry,) = scan(tar).entries
    assert entry.path == "caf\\xe9/\\xff.txt"
    entry.path.encode("utf-8")  # always encodable, whatever the tar held


def test_normalize_and_safe_name_helpers() -> None:
    assert normalize_path("a/b") == ("a/b", False)
    assert normalize_path(".hidden/x") == (".hidden/x", False)
    assert normalize_path("a/../..") == ("", True)
    assert normalize_path("/") == ("", False)
    assert safe_name("ü".encode()) == "ü"
    assert safe_name(b"\xc3") == "\\xc3"


def test_pre_posix_directory_and_volume_label() -> None:
    stream = header(b"olddir/", b"\x00", magic=b"\x00" * 8) + header(b"label", b"V")
    result = scan(stream)
    assert result.entries == (Entry("olddir", "dir", 0o644, 0),)


def test_bad_checksum_is_corrupt() -> None:
    tar = bytearray(make_tar(SAMPLE))
    tar[512 * 1 + 10] ^= 0x01  # inside the second header's name
    result = scan(bytes(tar))
    assert kinds(result) == ["corrupt-layer"]
    assert result.findings[0].integrity
    assert [e.path for e in result.entries] == ["etc"]
    assert result.diff_id == sha(bytes(tar))  # the bytes were still read whole
    assert not result.complete


# ---------------------------------------------------------------------------------------------
# Truncation and end of archive


def test_no_end_of_archive_marker_is_fine() -> None:
    tar = make_tar(SAMPLE, end_marker=False)
    assert not tar.endswith(bytes(1024))
    result = scan(gz(tar))
    assert result.findings == ()
    assert result.complete
    assert len(result.entries) == len(SAMPLE)


def test_cut_mid_header_and_mid_data() -> None:
    tar = make_tar([file("first", b"a" * 2000), file("second", b"b" * 100)])
    second_header = 512 + 2048
    mid_header = scan(gz(tar[: second_header + 100]))
    mid_data = scan(gz(tar[:1000]))
    for result in (mid_header, mid_data):
        assert kinds(result) == ["truncated-layer"]
        assert result.findings[0].integrity
        assert not result.complete
        assert result.diff_id != ""  # the compressed stream itself was whole
    assert "inside a header" in mid_header.findings[0].message
    assert "inside an entry's data" in mid_data.findings[0].message


def test_cut_inside_the_last_entrys_padding_is_whole() -> None:
    """``umoci insert`` ends a layer right after the last file's data (issue 12, item 2)."""
    tar = make_tar([file("first", b"a" * 2000)])
    for end in (512 + 2000, 512 + 2047):
        result = scan(tar[:end])
        assert kinds(result) == []
        assert result.complete
    one_short = scan(tar[: 512 + 1999])  # the last data byte is missing: that is a cut
    assert kinds(one_short) == ["truncated-layer"]


def test_extended_header_without_its_entry_is_truncated() -> None:
    pax = pax_record("path", b"somewhere")
    result = scan(header(b"x", b"x", size=len(pax)) + padded(pax))
    assert kinds(result) == ["truncated-layer"]


def test_bytes_after_the_end_marker_are_hashed_not_walked() -> None:
    tar = make_tar(SAMPLE) + make_tar([file("hidden", b"x")])
    result = scan(gz(tar))
    assert "hidden" not in [e.path for e in result.entries]
    assert result.diff_id == sha(tar)


# ---------------------------------------------------------------------------------------------
# Whiteouts


def test_whiteout_markers_are_recorded_not_listed() -> None:
    members = [
        (info("a", tarfile.DIRTYPE), b""),
        file("a/.wh..wh..opq", b""),
        file("a/.wh.gone", b""),
        file(".wh.rootfile", b""),
        file("a/.wh..wh.plnk", b""),
        file("a/kept", b"k"),
    ]
    result = scan(make_tar(members))
    assert [e.path for e in result.entries] == ["a", "a/kept"]
    assert result.whiteouts == ("a/gone", "rootfile")
    assert result.opaque_dirs == ("a",)


# ---------------------------------------------------------------------------------------------
# Captures


def test_whole_file_capture_respects_max_bytes() -> None:
    big = bytes(range(256)) * 5000  # 1.28 MB: spans decompressed chunks
    members = [file("big", big), file("small", b"tiny"), file("empty", b"")]
    keeper = Keeper("k", {"big": WholeFile(len(big)), "small": WholeFile(3), "empty": WholeFile()})
    other = Keeper("o", {"big": WholeFile(10)})
    result = scan(gz(make_tar(members)), [keeper, other])
    assert result.captured == (Captured("big", "k", big), Captured("empty", "k", b""))
    skipped = [f for f in result.findings if f.kind == "capture-skipped"]
    assert len(skipped) == 2
    assert all(f.severity == "info" for f in skipped)
    assert ("small", 0o644, 4) in keeper.asked


def test_scanner_is_fed_until_it_stops() -> None:
    payload = bytes(range(256)) * 8000  # ~2 MB
    scanners: list[HeadScanner] = []

    def make() -> HeadScanner:
        scanners.append(HeadScanner(100))
        return scanners[-1]

    keeper = Keeper("k", {"bin": make})
    tar = make_tar([file("bin", payload), file("after", b"z")])
    result = scan_layer(Trickle(tar, 300_000), [keeper], limits=Limits())
    assert result.captured == (Captured("bin", "k", payload[:100], whole=False),)
    assert scanners[0].fed < len(payload)  # stopped early, not fed the whole file
    assert [e.path for e in result.entries] == ["bin", "after"]


def test_hard_link_to_a_kept_file_is_captured_under_its_own_name() -> None:
    members = [
        file("usr/lib/pkg/METADATA", b"Name: x\n"),
        (info("usr/lib/other/METADATA", tarfile.LNKTYPE, linkname="usr/lib/pkg/METADATA"), b""),
        file("bin/tool", b"abcdef"),
        (info("bin/tool2", tarfile.LNKTYPE, linkname="bin/tool"), b""),
    ]
    keeper = Keeper(
        "k",
        {
            "usr/lib/pkg/METADATA": WholeFile(),
            "usr/lib/other/METADATA": WholeFile(),
            "bin/tool2": WholeFile(),  # its target was kept by nobody
        },
    )
    scanner = Keeper("s", {"bin/tool": lambda: HeadScanner(3), "bin/tool2": lambda: HeadScanner(3)})
    result = scan(make_tar(members), [keeper, scanner])
    assert result.captured == (
        Captured("usr/lib/pkg/METADATA", "k", b"Name: x\n"),
        Captured("usr/lib/other/METADATA", "k", b"Name: x\n"),
        Captured("bin/tool", "s", b"abc", whole=False),
        Captured("bin/tool2", "s", b"abc", whole=False),
    )
    assert kinds(result) == ["capture-skipped"]
    assert "bin/tool2" in result.findings[0].message


def test_small_chunks_give_the_same_result() -> None:
    members = [*SAMPLE, file("data/blob", bytes(range(256)) * 30)]
    tar = make_tar(members)
    keeper = Keeper("k", {"data/blob": WholeFile(), "etc/os-release": WholeFile()})
    whole = scan(tar, [keeper])
    trickled = scan_layer(Trickle(tar, 37), [keeper], limits=Limits())
    assert trickled == whole


class Exploding:
    name = "boom"

    def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
        raise RuntimeError("wants is broken")

    def parse(self, path: str, data: bytes, ctx: ParseContext) -> Iterable[FoundPackage]:
        return ()


def test_a_failing_cataloger_is_a_finding_not_a_crash() -> None:
    result = scan_layer(io.BytesIO(make_tar(SAMPLE)), [Exploding()], limits=Limits())
    assert set(kinds(result)) == {"catalog"}
    assert len(result.entries) == len(SAMPLE)


# ---------------------------------------------------------------------------------------------
# Limits


def test_layer_size_limit_stops_the_walk_but_not_the_hash() -> None:
    tar = make_tar([file(f"f{i}", bytes(4096)) for i in range(600)])  # ~2.7 MB
    blob = gz(tar)
    result = scan(blob, limits=Limits(max_layer_bytes=1 << 20))
    assert kinds(result) == ["limit"]
    assert result.blob_digest == sha(blob)
    assert result.blob_size == len(blob)
    assert result.diff_id == ""
    assert not result.complete
    assert 0 < len(result.entries) < 600


def test_expansion_ratio_limit_applies_past_64_mib() -> None:
    tar = make_tar([file("zeros", bytes(70 << 20))])
    blob = zst(tar)
    assert len(tar) / len(blob) > 1000
    stopped = scan(blob, limits=Limits(max_expansion_ratio=1000))
    assert kinds(stopped) == ["limit"]
    assert stopped.blob_digest == sha(blob)
    small = make_tar([file("zeros", bytes(1 << 20))])
    assert scan(zst(small), limits=Limits(max_expansion_ratio=2)).complete


def test_capture_limit() -> None:
    members = [file(f"f{i}", bytes(1000)) for i in range(10)]
    keeper = Keeper("k", {f"f{i}": WholeFile() for i in range(10)})
    result = scan(make_tar(members), [keeper], limits=Limits(max_capture_bytes=4500))
    assert kinds(result) == ["limit"]
    assert len(result.captured) == 4
    assert not result.complete


# ---------------------------------------------------------------------------------------------
# Property: any member list reads back the same through any compression and chunking


names = st.text(alphabet="abcdefghij/._-", min_size=1, max_size=150).filter(
    lambda n: normalize_path(n)[0] != "" and not normalize_path(n)[1]
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(names, st.binary(max_size=1500)), min_size=1, max_size=8),
    st.sampled_from([tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT]),
    st.integers(min_value=1, max_value=2000),
)
def test_roundtrip_property(files: list[tuple[str, bytes]], fmt: int, step: int) -> None:
    members = [
        file(name, data) for name, data in files if len(name) <= 100 or fmt != tarfile.USTAR_FORMAT
    ]
    tar = make_tar(members, fmt)
    keeper = Keeper("k", {normalize_path(n)[0]: WholeFile() for n, _ in files})
    expected = scan(tar, [keeper])
    assert [
        (e.path, e.size)
        for e in expected.entries
        if not e.path.rpartition("/")[2].startswith(".wh.")
    ] == [
        (normalize_path(ti.name)[0], len(data))
        for ti, data in members
        if not normalize_path(ti.name)[0].rpartition("/")[2].startswith(".wh.")
    ]
    for blob in (gz(tar), zst(tar)):
        result = scan_layer(Trickle(blob, step), [keeper], limits=Limits())
        assert result.entries == expected.entries
        assert result.captured == expected.captured
        assert result.diff_id == sha(tar)


# ---------------------------------------------------------------------------------------------
# The real debian-app layers (made by buildah, copied by skopeo)


def test_real_debian_app_layers() -> None:
    layout = shared_path("fixtures", "real", "debian-app.oci-gzip")
    blobs = layout / "blobs" / "sha256"
    manifest = json.loads(
        (blobs / "d2bb348eb5354007515d21890f14ba6ead882469021903d9191286f895149bf3").read_bytes()
    )
    config = json.loads((blobs / manifest["config"]["digest"][7:]).read_bytes())
    diff_ids = config["rootfs"]["diff_ids"]
    assert len(manifest["layers"]) == len(diff_ids) == 5
    for descriptor, diff_id in zip(manifest["layers"], diff_ids, strict=True):
        path: Path = blobs / descriptor["digest"][7:]
        with path.open("rb") as raw:
            result = scan_layer(
                raw, [], limits=Limits(), media_type=descriptor["mediaType"], where=str(path)
            )
        assert result.blob_digest == f"sha256:{path.name}"
        assert result.blob_size == descriptor["size"] == path.stat().st_size
        assert result.diff_id == diff_id
        assert result.compression == "gzip"
        assert result.findings == ()
        assert result.complete
    last = result
    assert len(last.whiteouts) == 23  # README ground truth
    assert last.opaque_dirs == ("opt/legacy/site-packages",)
    assert "usr/local/lib/python3.11/site-packages/idna" in last.whiteouts


def test_stdlib_zlib_fallback_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # The path taken when isal cannot be imported: real zlib over real gzip bytes.
    monkeypatch.setattr(compression, "new_inflater", compression.ZlibInflater)
    tar = make_tar([*SAMPLE, file("big", bytes(range(256)) * 9000)])
    blob = gz(tar[:3000]) + gz(tar[3000:])
    result = scan(blob)
    assert result.diff_id == sha(tar)
    assert result.findings == ()
    assert kinds(scan(blob[:-30])) == ["truncated-layer"]
    bad = bytearray(blob)
    bad[len(bad) // 2 : len(bad) // 2 + 8] = b"\xff" * 8
    broken = scan(bytes(bad))
    # Flipped bytes may still parse as deflate that wants more input: either way, integrity.
    assert broken.findings
    assert set(kinds(broken)) <= {"corrupt-layer", "truncated-layer"}
    assert all(f.integrity for f in broken.findings)
    assert broken.diff_id == ""


class FailingScanner:
    def feed(self, chunk: bytes) -> bool:
        raise RuntimeError("scanner broke")

    def result(self) -> bytes | None:
        return b"never"


def test_a_failing_scanner_is_a_finding_and_the_walk_goes_on() -> None:
    keeper = Keeper("k", {"a": FailingScanner, "b": WholeFile()})
    result = scan(make_tar([file("a", b"123"), file("b", b"456")]), [keeper])
    assert result.captured == (Captured("b", "k", b"456"),)
    assert kinds(result) == ["catalog"]
    assert "scanner broke" in result.findings[0].message


@pytest.mark.parametrize("compress", [lambda b: b, gz, zst], ids=["plain", "gzip", "zstd"])
def test_hard_link_to_a_file_nobody_wanted_is_read_again(
    compress: Callable[[bytes], bytes],
) -> None:
    # busybox's layout: the content goes under the first name ("bin/[" sorts before
    # "bin/busybox"), the wanted name is a link to it
    payload = bytes(range(256)) * 8000
    members = [
        file("bin/[", payload),
        file("bin/other", b"not wanted"),
        (info("bin/busybox", tarfile.LNKTYPE, linkname="bin/["), b""),
        (info("bin/sh", tarfile.LNKTYPE, linkname="bin/["), b""),
    ]
    blob = compress(make_tar(members))
    keeper = Keeper("k", {"bin/busybox": WholeFile(), "bin/sh": WholeFile(10)})  # too small
    scanner = Keeper("s", {"bin/busybox": lambda: HeadScanner(4), "bin/sh": lambda: HeadScanner(2)})
    reopen = Reopener(blob)

    result = scan_layer(io.BytesIO(blob), [keeper, scanner], limits=Limits(), reopen=reopen)
    assert result.captured == (
        Captured("bin/busybox", "k", payload),
        Captured("bin/busybox", "s", payload[:4], whole=False),
        Captured("bin/sh", "s", payload[:2], whole=False),
    )
    assert result.findings == ()
    assert reopen.calls == 1
    # the first pass alone (a streamed input) says what it could not keep
    streamed = scan_layer(io.BytesIO(blob), [keeper, scanner], limits=Limits())
    assert streamed.captured == ()
    assert kinds(streamed) == ["capture-skipped"] * 3
    assert {f.message.partition(" ")[0] for f in streamed.findings} == {"bin/busybox", "bin/sh"}
    # everything but what was captured is the same scan
    assert result.entries == streamed.entries
    assert result.diff_id == streamed.diff_id


def test_no_second_pass_when_the_target_was_kept_or_nobody_wants_the_link() -> None:
    members = [file("a", b"abc"), (info("b", tarfile.LNKTYPE, linkname="a"), b"")]

    def reopen() -> io.BytesIO:
        raise AssertionError("read again for nothing")

    wanted = scan_layer(
        io.BytesIO(make_tar(members)),
        [Keeper("k", {"a": WholeFile(), "b": WholeFile()})],
        limits=Limits(),
        reopen=reopen,
    )
    assert [(c.path, c.data) for c in wanted.captured] == [("a", b"abc"), ("b", b"abc")]
    nobody = scan_layer(
        io.BytesIO(make_tar(members)), [Keeper("k", {})], limits=Limits(), reopen=reopen
    )
    assert nobody.captured == ()
    assert nobody.findings == ()


def test_second_pass_that_cannot_reopen_leaves_the_finding() -> None:
    members = [file("a", b"abc"), (info("b", tarfile.LNKTYPE, linkname="a"), b"")]
    result = scan_layer(
        io.BytesIO(make_tar(members)),
        [Keeper("k", {"b": WholeFile()})],
        limits=Limits(),
        reopen=lambda: None,
    )
    assert result.captured == ()
    assert kinds(result) == ["capture-skipped"]


def test_hard_link_to_a_lower_layer_file_is_an_entry_for_the_catalog() -> None:
    # layer.md: a hard link may name a file of a lower layer; its bytes are not in this blob,
    # so the walk records the target and leaves the content to the squashed view
    members = [(info("bin/busybox", tarfile.LNKTYPE, linkname="bin/["), b"")]
    tar = make_tar([*members, (info("bin/sh", tarfile.LNKTYPE, linkname="bin/["), b"")])
    result = scan(tar, [Keeper("k", {"bin/busybox": WholeFile()})])
    assert result.entries[0] == Entry("bin/busybox", "hardlink", 0o644, 0, "bin/[")
    assert result.captured == ()
    assert kinds(result) == []


# ---------------------------------------------------------------------------------------------
# Digested wants: one digest per file, hashed beside the walk

# The bytes a Digested want keeps, as the Go and Rust parsers read them (and as the catalogers'
# own hashing scanner wrote them before the walker did it): the format is pinned here.
TRAILER = b"\x00oci-reporter:file-hashes\x00"


def digested(result: bytes, content: bytes) -> bytes:
    return result + TRAILER + hashlib.sha256(content).digest() + hashlib.sha512(content).digest()


class Refuser:
    """Reads ``after`` bytes (at least one chunk), then stops having kept nothing."""

    def __init__(self, after: int = 0) -> None:
        self.after = after
        self.fed = 0

    def feed(self, chunk: bytes) -> bool:
        self.fed += len(chunk)
        return self.fed < self.after

    def result(self) -> bytes | None:
        return None


class Counting:
    """A hashlib object that counts what it is fed (in the walker's hash thread)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name: str = inner.name
        self.fed = 0

    def update(self, data: bytes) -> None:
        self.fed += len(data)
        self.inner.update(data)

    def digest(self) -> bytes:
        return bytes(self.inner.digest())

    def hexdigest(self) -> str:
        return str(self.inner.hexdigest())


def hashes_made(monkeypatch: pytest.MonkeyPatch) -> list[Counting]:
    """Every hashlib.new object made from here on, counting what it is fed."""
    made: list[Counting] = []
    real = hashlib.new

    def new(name: str, *args: Any, **kwargs: Any) -> Any:
        made.append(Counting(real(name, *args, **kwargs)))
        return made[-1]

    monkeypatch.setattr(hashlib, "new", new)
    return made


def fed_sha512(made: list[Counting]) -> list[int]:
    # the layer digest is SHA-256: every SHA-512 is a file's
    return [h.fed for h in made if h.name == "sha512"]


EXE = b"\x7fELF" + bytes(range(256)) * 8000  # ~2 MB, read in several chunks


def test_one_digest_per_file_for_every_digested_want(monkeypatch: pytest.MonkeyPatch) -> None:
    made = hashes_made(monkeypatch)
    catalogers = [
        Keeper("go", {"bin/app": lambda: Digested(HeadScanner(4))}),
        Keeper("rust", {"bin/app": lambda: Digested(HeadScanner(8))}),
        Keeper("none", {"bin/app": lambda: Digested(Refuser())}),
        Keeper("plain", {"bin/app": lambda: HeadScanner(2)}),
    ]
    tar = make_tar([file("bin/app", EXE, mode=0o755), file("after", b"z")])
    result = scan_layer(Trickle(tar, 300_000), catalogers, limits=Limits())
    # the Digested captures come when the file ends (the digests cover all of it), in
    # cataloger order; a plain scanner's as soon as it is done, as before
    assert result.captured == (
        Captured("bin/app", "plain", EXE[:2], whole=False),
        Captured("bin/app", "go", digested(EXE[:4], EXE), whole=False),
        Captured("bin/app", "rust", digested(EXE[:8], EXE), whole=False),
    )
    assert fed_sha512(made) == [len(EXE)]  # hashed once, for both
    assert result.findings == ()


def test_hashing_stops_once_no_digested_want_can_keep_anything(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made = hashes_made(monkeypatch)
    refusers: list[Refuser] = []

    def refuser(after: int) -> Callable[[], Digested]:
        def make() -> Digested:
            refusers.append(Refuser(after))
            return Digested(refusers[-1])

        return make

    not_elf = b"#!/bin/sh\n" + bytes(len(EXE))
    tar = make_tar([file("bin/script", not_elf, mode=0o755), file("after", b"z")])
    first = [Keeper("go", {"bin/script": refuser(0)}), Keeper("rust", {"bin/script": refuser(0)})]
    result = scan_layer(Trickle(tar, 300_000), first, limits=Limits())
    assert result.captured == ()
    assert [e.path for e in result.entries] == ["bin/script", "after"]
    assert fed_sha512(made) == [0]  # both gave up on the first chunk: not hashed at all
    assert all(r.fed < 300_000 for r in refusers)
    # one gives up at once, the other after ~700 kB: hashed while that one still looks, not
    # the chunk it gives up on nor anything after
    made.clear()
    later = [
        Keeper("go", {"bin/script": refuser(0)}),
        Keeper("rust", {"bin/script": refuser(700_000)}),
    ]
    result = scan_layer(Trickle(tar, 300_000), later, limits=Limits())
    assert result.captured == ()
    (fed,) = fed_sha512(made)
    assert 700_000 - 300_000 <= fed < 700_000


def test_hard_links_in_the_layer_get_the_same_digested_bytes() -> None:
    members = [
        file("bin/app", EXE, mode=0o755),
        (info("bin/app2", tarfile.LNKTYPE, linkname="bin/app", mode=0o755), b""),
    ]
    both: Rules = {
        "bin/app": lambda: Digested(HeadScanner(4)),
        "bin/app2": lambda: Digested(HeadScanner(4)),
    }
    catalogers = [
        Keeper("go", both),
        Keeper("whole", {"bin/app": WholeFile()}),
        # wants only the link: its target was kept whole by another, so it is scanned from that
        Keeper("link", {"bin/app2": lambda: Digested(HeadScanner(6))}),
    ]
    result = scan_layer(Trickle(make_tar(members), 300_000), catalogers, limits=Limits())
    assert result.captured == (
        Captured("bin/app", "go", digested(EXE[:4], EXE), whole=False),
        Captured("bin/app", "whole", EXE),
        Captured("bin/app2", "go", digested(EXE[:4], EXE), whole=False),
        Captured("bin/app2", "link", digested(EXE[:6], EXE), whole=False),
    )
    assert result.findings == ()


@pytest.mark.parametrize("compress", [lambda b: b, gz], ids=["plain", "gzip"])
def test_second_pass_for_a_link_gives_the_digested_bytes(
    compress: Callable[[bytes], bytes],
) -> None:
    members = [
        file("bin/[", EXE, mode=0o755),
        file("bin/other", b"not wanted"),
        (info("bin/busybox", tarfile.LNKTYPE, linkname="bin/[", mode=0o755), b""),
    ]
    blob = compress(make_tar(members))
    catalogers = [
        Keeper("go", {"bin/busybox": lambda: Digested(HeadScanner(4))}),
        Keeper("none", {"bin/busybox": lambda: Digested(Refuser())}),
        Keeper("rust", {"bin/busybox": lambda: Digested(HeadScanner(8))}),
    ]
    result = scan_layer(
        io.BytesIO(blob), catalogers, limits=Limits(), reopen=lambda: io.BytesIO(blob)
    )
    assert result.captured == (
        Captured("bin/busybox", "go", digested(EXE[:4], EXE), whole=False),
        Captured("bin/busybox", "rust", digested(EXE[:8], EXE), whole=False),
    )
    # the refuser's miss stays one: the link's target holds nothing for it
    assert kinds(result) == ["capture-skipped"]
    assert "cataloger none" in result.findings[0].message


def test_capture_limit_counts_the_digests_a_digested_want_keeps() -> None:
    members = [file("a", EXE[:1000]), file("b", EXE[:1000])]
    heads: Rules = {"a": lambda: HeadScanner(4), "b": lambda: HeadScanner(4)}
    plain = scan(make_tar(members), [Keeper("k", heads)], limits=Limits(max_capture_bytes=200))
    assert kinds(plain) == []
    # 4 bytes and the trailer with 96 bytes of digests each: the second is over 200
    wrapped: Rules = {"a": lambda: Digested(HeadScanner(4)), "b": lambda: Digested(HeadScanner(4))}
    limits = Limits(max_capture_bytes=200)
    result = scan(make_tar(members), [Keeper("k", wrapped)], limits=limits)
    assert kinds(result) == ["limit"]
    assert [c.data for c in result.captured] == [digested(EXE[:4], EXE[:1000])] * 2


# -- digests from a second read (reporter.layers.rehash) ---------------------------------------


def _zst(data: bytes) -> bytes:
    import zstandard

    return zstandard.ZstdCompressor().compress(data)


@pytest.mark.parametrize("compress", [lambda b: b, gz, _zst], ids=["plain", "gzip", "zstd"])
def test_a_reopenable_layer_hashes_only_the_files_found_to_be_packages_on_a_second_read(
    compress: Callable[[bytes], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    other = b"\x7fELF" + bytes(reversed(range(256))) * 6000  # an executable nobody keeps
    members = [
        file("bin/other", other, mode=0o755),
        file("bin/app", EXE, mode=0o755),
        (info("bin/app-link", tarfile.LNKTYPE, linkname="bin/app", mode=0o755), b""),
        file("after", b"z"),
    ]
    blob = compress(make_tar(members))
    rules: Rules = {
        "bin/app": lambda: Digested(HeadScanner(4)),
        "bin/app-link": lambda: Digested(HeadScanner(4)),
        "bin/other": lambda: Digested(Refuser(500_000)),
    }
    catalogers = [
        Keeper("go", rules),
        Keeper("rust", {"bin/app": lambda: Digested(HeadScanner(8))}),
    ]
    streamed = scan_layer(Trickle(blob, 300_000), catalogers, limits=Limits())
    made = hashes_made(monkeypatch)
    reopen = Reopener(blob)

    again = scan_layer(Trickle(blob, 300_000), catalogers, limits=Limits(), reopen=reopen)
    assert again == streamed  # the same bytes, digests included
    assert again.captured[0] == Captured("bin/app", "go", digested(EXE[:4], EXE), whole=False)
    assert len(again.captured) == 3  # app (go, rust) and the link (go)
    # one SHA-512 per file found to be a package, fed its bytes once; bin/other never hashed
    assert fed_sha512(made) == [len(EXE)]
    assert reopen.calls == 1


def test_a_layer_that_cannot_be_read_again_keeps_the_captures_without_digests() -> None:
    tar = make_tar([file("bin/app", EXE, mode=0o755)])
    catalogers = [Keeper("go", {"bin/app": lambda: Digested(HeadScanner(4))})]
    result = scan_layer(io.BytesIO(tar), catalogers, limits=Limits(), reopen=lambda: None)
    assert result.captured == (Captured("bin/app", "go", EXE[:4], whole=False),)
    assert kinds(result) == ["capture-skipped"]
    assert "could not be read again" in result.findings[0].message
    # a second read that ends early gives no digests rather than wrong ones
    cut = scan_layer(
        io.BytesIO(tar), catalogers, limits=Limits(), reopen=lambda: io.BytesIO(tar[:100_000])
    )
    assert cut.captured == result.captured
    assert kinds(cut) == ["capture-skipped"]


class Predictor(HeadScanner):
    """A HeadScanner that says, once it has seen ``decide_after`` bytes, whether the file will
    be a package (``capture.likely_package``): ``verdict``, or None until then."""

    def __init__(self, n: int, decide_after: int, verdict: bool) -> None:
        super().__init__(n)
        self.decide_after = decide_after
        self.verdict = verdict

    def feed(self, chunk: bytes) -> bool:
        keeps_reading = super().feed(chunk)
        return keeps_reading or self.likely_package() is None  # fed until it has decided

    def likely_package(self) -> bool | None:
        return self.verdict if self.fed >= self.decide_after else None


@pytest.mark.parametrize(
    ("compress", "decide_after"),
    [(gz, 1), (lambda b: b, 100_000)],
    ids=["gzip-first-chunk", "plain-fourth-chunk"],
)
def test_a_file_its_scanner_calls_a_likely_package_is_hashed_on_the_first_pass(
    compress: Callable[[bytes], bytes], decide_after: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Go binaries carry their build ID in the head: hashing them as they stream by saves
    # re-reading (re-inflating) the blob up to them. The bytes held while undecided (three
    # 30 kB chunks of the plain tar) are hashed first: the digests are the whole file's.
    blob = compress(make_tar([file("bin/app", EXE, mode=0o755), file("after", b"z")]))
    catalogers = [
        Keeper("go", {"bin/app": lambda: Digested(Predictor(4, decide_after, verdict=True))})
    ]
    made = hashes_made(monkeypatch)
    reopen = Reopener(blob)

    result = scan_layer(Trickle(blob, 30_000), catalogers, limits=Limits(), reopen=reopen)
    assert result.captured == (Captured("bin/app", "go", digested(EXE[:4], EXE), whole=False),)
    assert fed_sha512(made) == [len(EXE)]
    assert reopen.calls == 0  # no second read: nothing was left for it
    assert result.findings == ()


def test_a_scanner_undecided_past_the_early_window_leaves_the_digests_to_the_second_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    blob = gz(make_tar([file("bin/app", EXE, mode=0o755)]))

    for verdict, decide_after in ((False, 1), (True, len(EXE))):
        rule = functools.partial(lambda v, d: Digested(Predictor(4, d, v)), verdict, decide_after)
        catalogers = [Keeper("go", {"bin/app": rule})]
        reopen = Reopener(blob)
        made = hashes_made(monkeypatch)
        result = scan_layer(Trickle(blob, 30_000), catalogers, limits=Limits(), reopen=reopen)
        assert result.captured == (Captured("bin/app", "go", digested(EXE[:4], EXE), whole=False),)
        assert reopen.calls == 1
        assert fed_sha512(made) == [len(EXE)]  # once, on the second read
