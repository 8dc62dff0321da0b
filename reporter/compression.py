"""Layer and archive compression: gzip (isal, else zlib), zstd (zstandard), plain; bomb limits.

Two consumers, one set of rules:

* the layer walk (``reporter.layers.tarwalk``) pulls raw chunks through a :class:`ChunkSource`
  and gets uncompressed chunks back from :func:`decoder`, each call's output bounded so a bomb
  never lands in memory all at once; problems are :class:`DecodeError` (turned into findings);
* the archive reader (``reporter.archive.detect``) wraps a compressed ``.tar.gz``/``.tar.zst``
  input as a file object for :mod:`tarfile` with :func:`open_stream`.

The compression is told from magic bytes (RFC 1952 2.3.1 for gzip, RFC 8878 3.1 for zstd);
a media type is only a hint (:func:`hinted`).
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any, Protocol, cast

import zstandard

from reporter.model import FindingKind
from reporter.options import Limits

__all__ = [
    "GZIP_MAGIC",
    "STREAM_ERRORS",
    "ZSTD_MAGIC",
    "ChunkSource",
    "DecodeError",
    "decoder",
    "detect",
    "expansion_problem",
    "hinted",
    "open_stream",
    "unsupported",
]

_CHUNK = 1 << 20
# Bounds the output of one decompression call, so a bomb never lands in memory all at once.
_OUT = 1 << 20
# zstd has no output limit per call and a block of 4 input bytes can expand to 128 KiB, so input
# is fed in slices small enough that one call yields at most ~128 MiB even for hostile input.
_ZSTD_SLICE = 4096
# Below this many uncompressed bytes the expansion ratio is not checked: small layers of
# zeros or repeated text compress far beyond any sane ratio without being bombs.
_RATIO_FLOOR = 64 * 1024 * 1024

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

# Not a tar stream at all: compressions we do not read. Reported instead of a checksum error.
_UNSUPPORTED = ((b"\xfd7zXZ\x00", "xz"), (b"BZh", "bzip2"), (b"\x04\x22\x4d\x18", "lz4"))


class DecodeError(Exception):
    """The compressed stream is corrupt, cut short or followed by foreign bytes."""

    def __init__(self, kind: FindingKind, message: str, *, integrity: bool = True) -> None:
        super().__init__(message)
        self.kind = kind
        self.integrity = integrity


class ChunkSource(Protocol):
    """Where the streaming decoders pull raw bytes from (the layer walk's hashing reader)."""

    def read(self) -> bytes:
        """The next raw chunk; ``b""`` at the end."""
        ...

    def read_at_least(self, data: bytes, n: int) -> bytes:
        """``data`` extended with further chunks until it is ``n`` bytes long or input ends."""
        ...


# ---------------------------------------------------------------------------------------------
# Telling compressions apart


def _is_zstd_frame(head: bytes) -> bool:
    # RFC 8878 3.1: a zstd frame, or a skippable frame (magic 0x184D2A5?, little-endian).
    return head[:4] == ZSTD_MAGIC or (
        len(head) >= 4 and head[1:4] == b"\x2a\x4d\x18" and head[0] & 0xF0 == 0x50
    )


def detect(head: bytes) -> str:
    """``gzip``, ``zstd`` or ``none`` from a stream's first bytes."""
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if _is_zstd_frame(head):
        return "zstd"
    return "none"


def hinted(media_type: str) -> str | None:
    """The compression a layer media type suggests; None when it suggests none in particular."""
    if not media_type:
        return None
    if media_type.endswith(("gzip", "+gz")):
        return "gzip"
    if media_type.endswith("zstd"):
        return "zstd"
    if media_type.endswith(("tar", ".tar", "+tar")):
        return "none"
    return None


def unsupported(head: bytes) -> str | None:
    """The name of a compression this tool does not read (xz, bzip2, lz4) that ``head`` starts."""
    for magic, label in _UNSUPPORTED:
        if head.startswith(magic):
            return label
    return None


def expansion_problem(uncompressed: int, compressed: int, limits: Limits) -> str | None:
    """Why decompression must stop here (a decompression bomb), or None to go on."""
    if uncompressed > limits.max_layer_bytes:
        return f"layer expands past {limits.max_layer_bytes} bytes; scan stopped"
    ratio = limits.max_expansion_ratio
    if uncompressed > _RATIO_FLOOR and uncompressed > ratio * compressed:
        return f"layer expands more than {ratio}x its compressed size; scan stopped"
    return None


# ---------------------------------------------------------------------------------------------
# Streaming decoders for the layer walk


class _Inflater(Protocol):
    @property
    def eof(self) -> bool: ...

    @property
    def needs_input(self) -> bool: ...

    @property
    def unused_data(self) -> bytes: ...

    def decompress(self, data: bytes, max_length: int) -> bytes: ...


class ZlibInflater:
    """The stdlib's zlib behind the bz2-style interface of isal's IgzipDecompressor."""

    __slots__ = ("_d", "_tail")

    def __init__(self) -> None:
        self._d = zlib.decompressobj(wbits=31)
        self._tail = b""

    @property
    def eof(self) -> bool:
        return self._d.eof

    @property
    def needs_input(self) -> bool:
        return not self._tail

    @property
    def unused_data(self) -> bytes:
        return self._d.unused_data

    def decompress(self, data: bytes, max_length: int) -> bytes:
        out = self._d.decompress(self._tail + data if self._tail else data, max_length)
        self._tail = self._d.unconsumed_tail
        return out


new_inflater: Callable[[], _Inflater]
_GZIP_ERRORS: tuple[type[Exception], ...]
try:
    from isal import igzip_lib as _igzip_lib

    def _isal_inflater() -> _Inflater:
        inflater: _Inflater = _igzip_lib.IgzipDecompressor(flag=_igzip_lib.DECOMP_GZIP)
        return inflater

    new_inflater = _isal_inflater
    _GZIP_ERRORS = (cast("type[Exception]", _igzip_lib.IsalError), zlib.error, ValueError, EOFError)
except ImportError:  # pragma: no cover - isal is a declared dependency; this keeps us working
    new_inflater = ZlibInflater
    _GZIP_ERRORS = (zlib.error, ValueError, EOFError)


# What reading an ``open_stream`` file may raise on corrupt data, besides OSError/EOFError:
# isal's IsalError is neither (a gzip header followed by garbage reached the CLI as a bug).
STREAM_ERRORS: tuple[type[Exception], ...] = (*_GZIP_ERRORS, zstandard.ZstdError)


def _gunzip(src: ChunkSource, data: bytes) -> Iterator[bytes]:
    """Every member of a (multi-member, RFC 1952 2.2) gzip stream, in bounded chunks."""
    inflater: _Inflater | None = None
    while True:
        if not data:
            data = src.read()
            if not data:
                break
        if inflater is None:
            data = src.read_at_least(data, 2)
            if data[:2] != GZIP_MAGIC:
                if data.count(0) == len(data):
                    data = b""  # zero padding after the last member, as some writers leave
                    continue
                raise DecodeError(
                    FindingKind.TRAILING_DATA,
                    "bytes after the gzip stream are not gzip",
                    integrity=False,
                )
            inflater = new_inflater()
        try:
            out = inflater.decompress(data, _OUT)
            data = b""
            if out:
                yield out
            while not inflater.eof and not inflater.needs_input:
                out = inflater.decompress(b"", _OUT)
                if out:
                    yield out
        except _GZIP_ERRORS as exc:
            raise DecodeError(FindingKind.CORRUPT_LAYER, f"gzip data is corrupt: {exc}") from None
        if inflater.eof:
            data = inflater.unused_data
            inflater = None
    if inflater is not None:
        raise DecodeError(
            FindingKind.TRUNCATED_LAYER, "gzip stream ends before its last member does"
        )


def _unzstd(src: ChunkSource, data: bytes) -> Iterator[bytes]:
    """Every frame of a zstd stream (frames without a content size too), in ~1 MiB chunks."""
    dctx = zstandard.ZstdDecompressor()
    obj: zstandard.ZstdDecompressionObj | None = None
    parts: list[bytes] = []
    pending = 0
    while True:
        if not data:
            data = src.read()
            if not data:
                break
        if obj is None:
            data = src.read_at_least(data, 4)
            if not _is_zstd_frame(data):
                if parts:
                    yield b"".join(parts)
                raise DecodeError(
                    FindingKind.TRAILING_DATA,
                    "bytes after the zstd stream are not zstd",
                    integrity=False,
                )
            obj = dctx.decompressobj()
        view = memoryview(data)
        pos = 0
        end = len(data)
        rest = b""
        frame_done = False
        try:
            while pos < end:
                out = obj.decompress(view[pos : pos + _ZSTD_SLICE])
                pos += _ZSTD_SLICE
                if out:
                    parts.append(out)
                    pending += len(out)
                    if pending >= _CHUNK:
                        yield b"".join(parts)
                        parts = []
                        pending = 0
                if obj.eof:
                    rest = obj.unused_data
                    frame_done = True
                    break
        except zstandard.ZstdError as exc:
            if parts:
                yield b"".join(parts)
            raise DecodeError(FindingKind.CORRUPT_LAYER, f"zstd data is corrupt: {exc}") from None
        data = b""
        if frame_done:
            obj = None
            data = rest + bytes(view[pos:]) if pos < end else rest
    if parts:
        yield b"".join(parts)
    if obj is not None:
        raise DecodeError(FindingKind.TRUNCATED_LAYER, "zstd stream ends inside a frame")


def _plain(src: ChunkSource, data: bytes) -> Iterator[bytes]:
    while data:
        yield data
        data = src.read()


def decoder(compression: str, src: ChunkSource, head: bytes) -> Iterator[bytes]:
    """The uncompressed stream, ``head`` (bytes already read) first; raises ``DecodeError``."""
    return {"gzip": _gunzip, "zstd": _unzstd, "none": _plain}[compression](src, head)


# ---------------------------------------------------------------------------------------------
# File objects for the archive reader


def open_stream(raw: IO[bytes], magic: bytes) -> tuple[IO[bytes], str]:
    """``raw`` as an uncompressed stream, and the archive kind: ``tar+gzip``, ``tar+zstd``, ``tar``.

    A stream cut short raises ``EOFError`` when read, corrupt data ``OSError`` or ``ValueError``.
    """
    if magic.startswith(GZIP_MAGIC):
        try:
            from isal import igzip

            gz = igzip.IGzipFile(fileobj=raw, mode="rb")  # type: ignore[no-untyped-call]
            return cast(IO[bytes], gz), "tar+gzip"
        except ImportError:  # pragma: no cover - isal is a dependency; stdlib is the fallback
            import gzip

            return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb")), "tar+gzip"
    if magic.startswith(ZSTD_MAGIC):
        return cast(IO[bytes], io.BufferedReader(_ZstdReader(raw), 1 << 20)), "tar+zstd"
    return raw, "tar"


class _ZstdReader(io.RawIOBase):
    """Every frame of a zstd stream; a stream cut inside a frame raises ``EOFError``.

    zstandard's ``stream_reader`` returns ``b""`` when its input stops mid-frame, so a cut
    ``.tar.zst`` read as a shorter tar: at a member boundary the rest of the archive vanished
    without a word (hostile-input suite, tests/hostile/test_truncation.py). gzip already
    raises ``EOFError`` there; this makes zstd say the same. Input is fed in ``_ZSTD_SLICE``
    slices, as in the layer decoder above, so one call never yields more than ~128 MiB.
    """

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._dctx = zstandard.ZstdDecompressor()
        self._frame: Any = None
        self._pending = b""
        self._out = b""
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._pos >= len(self._out):
            if not self._pending:
                self._pending = self._raw.read(1 << 16)
                if not self._pending:
                    if self._frame is not None:
                        raise EOFError("zstd stream ends inside a frame")
                    return 0
            if self._frame is None:
                self._frame = self._dctx.decompressobj()
            piece = self._pending[:_ZSTD_SLICE]
            self._pending = self._pending[_ZSTD_SLICE:]
            try:
                self._out = self._frame.decompress(piece)
            except zstandard.ZstdError as exc:
                raise ValueError(f"zstd data is corrupt: {exc}") from None
            self._pos = 0
            if self._frame.eof:
                self._pending = self._frame.unused_data + self._pending
                self._frame = None
        n = min(len(buffer), len(self._out) - self._pos)
        buffer[:n] = self._out[self._pos : self._pos + n]
        self._pos += n
        return n
