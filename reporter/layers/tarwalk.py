"""One streaming pass over a layer blob: digests, entries, whiteouts and the files catalogers want.

The blob is read once, in ~1 MiB chunks. Three things happen to every chunk:

* the raw bytes are hashed (the blob digest) and counted;
* they are decompressed by :mod:`reporter.compression` (gzip or zstd, told apart by magic
  bytes; the media type is only a hint);
* the uncompressed bytes are hashed (the diff_id) and walked as a tar stream by a small
  hand-written header parser, much cheaper per entry than :mod:`tarfile`.

Entry data nobody asked for is skipped inside the buffer without being copied. Problems in the
bytes are :class:`~reporter.model.Finding` objects, never exceptions: a scan always returns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

from reporter import compression
from reporter.layers.capture import (
    DIGEST_ALGORITHMS,
    DIGEST_TRAILER_SIZE,
    Capturer,
    CapturerIndex,
    Digested,
    Scanner,
    Want,
    WholeFile,
    likely_package,
    scan_whole,
    with_digests,
)
from reporter.layers.rehash import PlainSource, Readable, range_digests
from reporter.layers.scan import Captured, Entry, LayerScan
from reporter.layers.whiteout import classify
from reporter.model import Finding, FindingKind
from reporter.options import Limits

__all__ = ["Readable", "normalize_path", "safe_name", "scan_layer"]

_CHUNK = 1 << 20
# A PAX or GNU long-name record larger than this is hostile, not a path.
_META_MAX = 16 * 1024 * 1024
_BLOCK = 512
# How far into a file a scanner may take to call it a likely package (``_decide_early``):
# beyond the 64 KiB head a Go scanner reads its build ID from, by one chunk of a slow stream.
_EARLY_WINDOW = 128 * 1024
_ZERO_BLOCK = bytes(_BLOCK)

# Typeflags whose size field describes no data in the archive (same rule as Go's archive/tar
# isHeaderOnlyType and CPython's tarfile).
_HEADER_ONLY = frozenset((b"1", b"2", b"3", b"4", b"5", b"6"))
_FILE_TYPES = frozenset((b"0", b"\x00", b"7"))
_SPARSE_KEYS = ("GNU.sparse.major", "GNU.sparse.map", "GNU.sparse.size", "GNU.sparse.realsize")


# ---------------------------------------------------------------------------------------------
# Names


def safe_name(raw: bytes) -> str:
    """Tar names are bytes; undecodable ones are shown with ``\\xNN`` escapes.

    Same text as a surrogateescape decode rendered for display, but the result is always
    encodable, so no report writer can fail on it later.
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


def normalize_path(name: str) -> tuple[str, bool]:
    """``(path, escaped)``: ``.``/empty components dropped, ``..`` resolved and clamped at the root.

    ``escaped`` is true when a ``..`` tried to climb above the root (a name no extractor
    honours, so it is worth a finding).
    """
    if name.startswith("./"):
        name = name[2:]
    # Fast path: most names are already clean.
    if (
        "/." not in name
        and "//" not in name
        and not name.startswith((".", "/"))
        and not name.endswith("/")
    ):
        return name, False
    parts: list[str] = []
    escaped = False
    for part in name.split("/"):
        if not part or part == ".":
            continue
        if part == "..":
            if parts:
                parts.pop()
            else:
                escaped = True
            continue
        parts.append(part)
    return "/".join(parts), escaped


def _num(field: bytes) -> int:
    """A numeric header field: octal text, or GNU base-256 when the high bit is set."""
    if field and field[0] & 0x80:
        value = int.from_bytes(field[1:], "big")
        if field[0] == 0xFF:  # negative, two's complement over the remaining bytes
            value -= 256 ** (len(field) - 1)
        return value
    text = field.partition(b"\x00")[0].strip()
    return int(text, 8) if text else 0


def _cstr(field: bytes) -> bytes:
    return field.partition(b"\x00")[0]


def _header_name(h: bytes) -> bytes:
    """The name a header block itself holds (POSIX ustar: prefix + "/" + name)."""
    name = _cstr(h[0:100])
    if h[257:263] == b"ustar\x00":
        prefix = _cstr(h[345:500])
        if prefix:
            return prefix + b"/" + name
    return name


def _parse_pax(data: bytes) -> dict[str, bytes]:
    """PAX records ``"%d %s=%s\\n"`` (POSIX pax "Extended Header Format")."""
    records: dict[str, bytes] = {}
    pos = 0
    end = len(data)
    while pos < end:
        if data[pos] == 0:  # some writers pad the record block with NULs
            break
        space = data.find(b" ", pos, pos + 24)
        if space < 0:
            raise ValueError("PAX record without a length")
        length = int(data[pos:space])
        if length <= space - pos or pos + length > end or data[pos + length - 1] != 0x0A:
            raise ValueError("PAX record length out of range")
        key, eq, value = data[space + 1 : pos + length - 1].partition(b"=")
        if not eq:
            raise ValueError("PAX record without '='")
        records[key.decode("utf-8", "backslashreplace")] = value
        pos += length
    return records


# ---------------------------------------------------------------------------------------------
# Raw input


class _Hasher:
    """Hashes in a second thread, in submission order.

    hashlib drops the GIL for buffers over 2 KiB while isal's inflate keeps it, so hashing both
    streams beside the decompression instead of after it is most of the time saved per layer.
    """

    __slots__ = ("_queue", "_thread")

    def __init__(self) -> None:
        # Bounded: a slow hasher holds back the reader instead of buffering the whole layer.
        self._queue: queue.Queue[tuple[Any, bytes] | None] = queue.Queue(maxsize=16)
        self._thread = threading.Thread(target=self._run, name="layer-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        get = self._queue.get
        while (item := get()) is not None:
            item[0].update(item[1])

    def update(self, hasher: Any, data: bytes) -> None:
        self._queue.put((hasher, data))

    def close(self) -> None:
        """Wait until everything submitted is hashed (idempotent)."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()


class _Raw:
    """Reads the blob, hashing and counting every byte, whoever consumes it."""

    __slots__ = ("_hash", "_hasher", "_raw", "size")

    def __init__(self, raw: Readable, algorithm: str, hasher: _Hasher) -> None:
        self._raw = raw
        self._hash = hashlib.new(algorithm)
        self._hasher = hasher
        self.size = 0

    def read(self) -> bytes:
        chunk = self._raw.read(_CHUNK)
        if not chunk:
            return b""
        self._hasher.update(self._hash, chunk)
        self.size += len(chunk)
        return chunk

    def read_at_least(self, data: bytes, n: int) -> bytes:
        while len(data) < n:
            more = self.read()
            if not more:
                break
            data += more
        return data

    def drain(self) -> None:
        while self.read():
            pass

    def digest(self) -> str:
        return f"{self._hash.name}:{self._hash.hexdigest()}"


# ---------------------------------------------------------------------------------------------
# The tar walk


class _FileDigests:
    """One file's digests (``DIGEST_ALGORITHMS``), computed once for every ``Digested`` want of
    it: the walker submits each chunk to the layer's ``_Hasher``, so they are final only once
    that hasher is closed."""

    __slots__ = ("_hasher", "_hashes")

    def __init__(self, hasher: _Hasher) -> None:
        self._hasher = hasher
        self._hashes = tuple(hashlib.new(name) for name in DIGEST_ALGORITHMS)

    def submit(self, chunk: bytes) -> None:
        # one queue item for all the algorithms: half the hand-offs, twice the chunks queued
        self._hasher.update(self, chunk)

    def update(self, chunk: bytes) -> None:
        """In the hasher thread."""
        for digest in self._hashes:
            digest.update(chunk)

    def digests(self) -> tuple[bytes, ...]:
        return tuple(digest.digest() for digest in self._hashes)


class _LaterDigests:
    """One file's digests from the second read of the blob (``reporter.layers.rehash``): when
    the blob can be read again, nothing is hashed on the first pass, where nearly every
    executable turns out to be neither Go nor Rust. ``value`` stays None if the second read
    fails; the capture then carries no digests (and a finding says why)."""

    __slots__ = ("offset", "size", "value")

    def __init__(self, offset: int, size: int) -> None:
        self.offset = offset  # of the file's data in the uncompressed stream
        self.size = size
        self.value: tuple[bytes, ...] | None = None

    def submit(self, chunk: bytes) -> None:
        pass

    def digests(self) -> tuple[bytes, ...] | None:
        return self.value


@dataclasses.dataclass(frozen=True, slots=True)
class _Pending:
    """A ``Digested`` want's capture until the hasher is closed (or the second read is done):
    its place in ``captured`` (the order stays as the walk found it) and the bytes it will be."""

    path: str
    cataloger: str
    result: bytes
    digests: _FileDigests | _LaterDigests

    def resolve(self) -> Captured:
        digests = self.digests.digests()
        data = self.result if digests is None else with_digests(self.result, digests)
        return Captured(self.path, self.cataloger, data, whole=False)


def _resolved(captured: Sequence[Captured | _Pending]) -> tuple[Captured, ...]:
    """The captures with the digests filled in: call only after the hasher is closed."""
    return tuple(c if isinstance(c, Captured) else c.resolve() for c in captured)


class _Kept:
    """What the layer has shown of a regular file's content, for hard links to it."""

    __slots__ = ("full", "results")

    def __init__(self) -> None:
        self.full: bytes | None = None
        self.results: dict[str, bytes | _Pending | None] = {}


@dataclasses.dataclass(frozen=True, slots=True)
class _LinkMiss:
    """A hard link a cataloger wants whose target's content the first pass did not keep."""

    link: str
    target: str
    cataloger: Capturer
    mode: int
    size: int


@dataclasses.dataclass(frozen=True, slots=True)
class _LinkWant:
    """The second pass's capturer for one miss: wants the target as the cataloger wants the
    link (a fresh ``Scanner`` each time), under a name of its own so two links to one target
    stay apart."""

    name: str
    miss: _LinkMiss

    def wants(self, path: str, mode: int, size: int) -> Want | None:
        if path != self.miss.target:
            return None
        return self.miss.cataloger.wants(self.miss.link, mode, size)


class _Feed:
    """One scanner of a file. A ``Digested`` one whose scanner has kept ``kept`` is no longer
    fed but stays until the file ends: its capture needs the digests of the whole file, and
    it is made at the file's end, in scanner order, as a still-live scanner's is."""

    __slots__ = ("digested", "kept", "name", "scanner")

    def __init__(self, name: str, scanner: Scanner, digested: bool) -> None:
        self.name = name
        self.scanner = scanner
        self.digested = digested
        self.kept: bytes | None = None


class _Capture:
    """Consumers of one file's data: whole-file keepers, scanners, and the file's digests
    while a ``Digested`` scanner is live or has kept something (None once none is)."""

    __slots__ = ("digests", "early", "early_size", "entry", "parts", "scanners", "wholes")

    def __init__(
        self,
        entry: Entry,
        wholes: list[str],
        scanners: list[_Feed],
        digests: _FileDigests | _LaterDigests | None,
    ):
        self.entry = entry
        self.wholes = wholes
        self.scanners = scanners
        self.digests = digests
        self.parts: list[bytes] = []
        # Later digests while a scanner may still call the file a likely package
        # (``capture.likely_package``): the chunks so far, to hash if it does.
        self.early: list[bytes] | None = None
        self.early_size = 0


class _Meta:
    """Data of a PAX header or GNU long name/link record, kept until the next entry."""

    __slots__ = ("kind", "parts")

    def __init__(self, kind: bytes) -> None:
        self.kind = kind
        self.parts: list[bytes] = []


class _Walker:
    def __init__(
        self,
        catalogers: Sequence[Capturer],
        limits: Limits,
        where: str,
        hasher: _Hasher,
        *,
        digests_later: bool = False,
    ) -> None:
        self.catalogers = tuple(catalogers)
        self._index = CapturerIndex(self.catalogers)
        self.hasher = hasher  # the layer's; files' digests go through it too
        # the blob can be read again: files' digests come from a second read (_LaterDigests)
        self.digests_later = digests_later
        self.limits = limits
        self.where = where
        self.entries: list[Entry] = []
        self.whiteouts: list[str] = []
        self.opaque: list[str] = []
        self.captured: list[Captured | _Pending] = []  # ``_resolved`` once the hasher is closed
        self.findings: list[Finding] = []
        self.ended = False  # end-of-archive block seen
        self.failed = False  # stopped: unreadable header or a limit
        self.limited = False
        self._offset = 0  # uncompressed offset of the buffer being fed
        self._hdr = bytearray()
        self._take = 0  # data bytes still going to self._sink
        self._skip = 0  # bytes to pass over (unwanted data, padding)
        self._pad = 0  # padding after the data being taken
        self._data_end = 0  # uncompressed offset where the last entry's data (not padding) ends
        self._sink: _Capture | _Meta | None = None
        self._global: dict[str, bytes] = {}
        self._pax: dict[str, bytes] | None = None
        self._longname: bytes | None = None
        self._longlink: bytes | None = None
        self._sparse_ext: tuple[int, int] | None = None  # (data size, padding) after extensions
        self._files: dict[str, tuple[int, int]] = {}  # regular file -> (mode, size)
        self._kept: dict[str, _Kept] = {}
        self._capture_total = 0
        self.link_misses: list[_LinkMiss] = []

    # -- findings ------------------------------------------------------------------------------

    def _finding(
        self, kind: FindingKind, message: str, severity: str = "error", *, integrity: bool = False
    ) -> None:
        self.findings.append(
            Finding(kind, message, where=self.where, severity=severity, integrity=integrity)
        )

    def _corrupt(self, offset: int, message: str) -> None:
        self._finding(
            FindingKind.CORRUPT_LAYER, f"tar header at offset {offset}: {message}", integrity=True
        )
        self.failed = True

    # -- the byte loop -------------------------------------------------------------------------

    def feed(self, buf: bytes) -> None:
        if self.ended or self.failed:
            return
        n = len(buf)
        pos = 0
        view = memoryview(buf)
        base = self._offset
        self._offset += n
        while pos < n:
            if self._take:
                k = self._take if self._take < n - pos else n - pos
                sink = self._sink
                if sink is not None and not self._write(sink, view[pos : pos + k]):
                    # Nobody wants the rest of this file: skip it instead.
                    self._skip = self._take - k
                    self._take = k
                pos += k
                self._take -= k
                if not self._take:
                    self._skip += self._pad
                    self._pad = 0
                    self._sink = None
                    if sink is not None:
                        self._close(sink)
                        if self.failed:
                            return
                continue
            if self._skip:
                k = self._skip if self._skip < n - pos else n - pos
                pos += k
                self._skip -= k
                continue
            if self._hdr:
                need = _BLOCK - len(self._hdr)
                self._hdr += view[pos : pos + need]
                pos += need
                if len(self._hdr) < _BLOCK:
                    return
                header = bytes(self._hdr)
                self._hdr.clear()
            elif n - pos >= _BLOCK:
                header = buf[pos : pos + _BLOCK]
                pos += _BLOCK
            else:
                self._hdr += view[pos:]
                return
            self._header(header, base + pos - _BLOCK)
            if self.ended or self.failed:
                return

    def finish(self) -> bool:
        """At the end of the uncompressed stream: False (with a finding) if the tar was cut."""
        if self.ended or self.failed:
            return not self.failed
        where = None
        if self._hdr:
            where = f"inside a header ({len(self._hdr)} of 512 bytes)"
        elif (
            self._take
            or self._sparse_ext is not None
            or (self._skip and self._offset < self._data_end)  # not just the padding is missing
        ):
            where = "inside an entry's data"
        elif self._pax is not None or self._longname is not None or self._longlink is not None:
            where = "after an extended header, before its entry"
        if where is None:
            # No end-of-archive blocks (umoci and others omit them), possibly not even the last
            # entry's padding (`umoci insert`): every entry's data is whole, so nothing is lost.
            return True
        self._finding(
            FindingKind.TRUNCATED_LAYER,
            f"tar stream ends {where} at offset {self._offset}",
            integrity=True,
        )
        return False

    # -- sinks ---------------------------------------------------------------------------------

    def _write(self, sink: _Capture | _Meta, data: memoryview) -> bool:
        chunk = bytes(data)
        if isinstance(sink, _Meta):
            sink.parts.append(chunk)
            return True
        if sink.wholes:
            sink.parts.append(chunk)
        if sink.scanners:
            still: list[_Feed] = []
            for feed in sink.scanners:
                if feed.kept is None:
                    try:
                        more = feed.scanner.feed(chunk)
                        if not more and feed.digested:
                            feed.kept = feed.scanner.result()
                    except Exception as exc:
                        self._cataloger_failed(feed.name, sink.entry.path, exc)
                        continue
                    if not more and feed.kept is None:
                        self._scanner_done(sink, feed)
                        continue
                still.append(feed)
            sink.scanners = still
            if sink.early is not None:
                self._decide_early(sink, chunk)
            if sink.digests is not None:
                if any(feed.digested for feed in still):
                    sink.digests.submit(chunk)
                else:  # every Digested scanner is done and kept nothing: no digests needed
                    sink.digests = None
            if (
                not sink.wholes
                and isinstance(sink.digests, _LaterDigests)
                and all(feed.kept is not None for feed in sink.scanners)
            ):
                return False  # only the digests are still wanted, and the second read has them
        return bool(sink.wholes or sink.scanners)

    def _decide_early(self, sink: _Capture, chunk: bytes) -> None:
        """Hash the file on this pass after all if a scanner now calls it a likely package.

        The second read re-inflates a compressed blob up to the last file it hashes; a Go
        binary tells from its head (the build ID note) that it will be kept, so hashing it
        as it streams by costs the hash thread what the second read would, without the
        re-inflate. Decided within ``_EARLY_WINDOW`` bytes, else left to the second read.
        """
        early = sink.early
        assert early is not None
        sink.early_size += len(chunk)
        verdicts = [likely_package(feed.scanner) for feed in sink.scanners if feed.digested]
        if any(verdicts):
            digests = _FileDigests(self.hasher)
            for held in early:  # this chunk follows in ``_write``, as every later one does
                digests.submit(held)
            sink.digests = digests
            sink.early = None
        elif None not in verdicts or sink.early_size >= _EARLY_WINDOW:
            sink.early = None
        else:
            early.append(chunk)

    def _scanner_done(self, sink: _Capture, feed: _Feed) -> None:
        result = feed.kept
        if result is None:
            try:
                result = feed.scanner.result()
            except Exception as exc:
                self._cataloger_failed(feed.name, sink.entry.path, exc)
                return
        if result is not None and feed.digested and sink.digests is not None:
            pending = _Pending(sink.entry.path, feed.name, result, sink.digests)
            self._keep_result(sink.entry.path, feed.name, pending)
        else:
            self._keep_result(sink.entry.path, feed.name, result)

    def _keep_result(self, path: str, name: str, result: bytes | _Pending | None) -> None:
        self._kept.setdefault(path, _Kept()).results[name] = result
        if result is None:
            return
        if isinstance(result, _Pending):
            self._capture_total += len(result.result) + DIGEST_TRAILER_SIZE
            self.captured.append(result)
        else:
            self._capture_total += len(result)
            self.captured.append(Captured(path, name, result, whole=False))
        self._check_capture_limit()

    def _check_capture_limit(self) -> None:
        if self._capture_total > self.limits.max_capture_bytes and not self.limited:
            self._finding(
                FindingKind.LIMIT,
                f"file contents kept for catalogers exceed {self.limits.max_capture_bytes} bytes",
            )
            self.limited = True
            self.failed = True

    def _close(self, sink: _Capture | _Meta) -> None:
        if isinstance(sink, _Meta):
            self._meta_done(sink.kind, b"".join(sink.parts))
            return
        path = sink.entry.path
        for feed in sink.scanners:
            self._scanner_done(sink, feed)
        if sink.wholes:
            data = b"".join(sink.parts)
            self._kept.setdefault(path, _Kept()).full = data
            for name in sink.wholes:
                self.captured.append(Captured(path, name, data))

    def _cataloger_failed(self, name: str, path: str, exc: Exception) -> None:
        self._finding(
            FindingKind.CATALOG, f"cataloger {name} failed on {path}: {exc}", severity="warning"
        )

    # -- headers -------------------------------------------------------------------------------

    def _header(self, h: bytes, offset: int) -> None:
        if self._sparse_ext is not None:
            # Old GNU sparse extension block: 21 sparse entries, then the isextended flag.
            if not h[504]:
                size, pad = self._sparse_ext
                self._sparse_ext = None
                self._skip = size + pad
            return
        if h == _ZERO_BLOCK:
            self.ended = True
            return
        try:
            checksum = _num(h[148:156])
            size = _num(h[124:136])
        except ValueError:
            self._corrupt(offset, "unreadable numeric field")
            return
        total = sum(h) - sum(h[148:156]) + 256  # the checksum field counts as 8 spaces
        if checksum != total and checksum != total - 256 * sum(
            1 for b in h[:148] + h[156:] if b > 127
        ):  # some old tars summed signed chars
            self._corrupt(offset, "checksum mismatch (not a tar stream, or corrupt)")
            return
        if size < 0:
            self._corrupt(offset, "negative size")
            return
        kind = h[156:157]
        if kind in (b"x", b"g", b"L", b"K"):
            if size > _META_MAX:
                self._finding(
                    FindingKind.LIMIT, f"extended header of {size} bytes at offset {offset}"
                )
                self.limited = True
                self.failed = True
                return
            self._sink = _Meta(kind)
            self._take = size
            self._pad = -size & 511
            if not size:
                self._sink = None
                self._skip = self._pad
                self._pad = 0
                self._meta_done(kind, b"")
            return
        self._entry(h, kind, size, offset)

    def _meta_done(self, kind: bytes, data: bytes) -> None:
        if kind == b"L":
            self._longname = _cstr(data)
        elif kind == b"K":
            self._longlink = _cstr(data)
        else:
            try:
                records = _parse_pax(data)
            except ValueError as exc:
                self._corrupt(self._offset, f"bad PAX header: {exc}")
                return
            if kind == b"g":
                for key, value in records.items():
                    if value:
                        self._global[key] = value
                    else:  # POSIX: an empty value deletes the keyword
                        self._global.pop(key, None)
            elif self._pax is None:
                self._pax = records
            else:
                self._pax.update(records)

    def _entry(self, h: bytes, kind: bytes, size: int, offset: int) -> None:
        """One entry header (after any extended headers): name, size, then by type."""
        extended, longname, longlink = self._take_extended()
        name_b = extended.get("path") or longname
        if name_b is None:  # an empty GNU long name is still the name
            name_b = _header_name(h)
        sparse_real: int | None = None
        if extended:
            sizes = self._extended_size(extended, size, offset)
            if sizes is None:
                return
            size, sparse_real = sizes
            if sparse_real is not None:
                name_b = extended.get("GNU.sparse.name") or name_b

        data_size = 0 if kind in _HEADER_ONLY else size
        pad = -data_size & 511
        self._data_end = offset + _BLOCK + data_size
        path = self._entry_path(name_b)
        try:
            mode = _num(h[100:108]) & 0o7777
        except ValueError:
            mode = 0

        if kind == b"S":
            # Old GNU sparse: the real size is in the header; extension blocks may follow.
            try:
                sparse_real = _num(h[483:495])
            except ValueError:
                sparse_real = size
            if h[482]:
                self._sparse_ext = (data_size, pad)
                data_size = pad = 0

        if not path:  # the root directory itself ("./")
            self._skip = data_size + pad
            return
        if path.rpartition("/")[2].startswith(".wh."):
            self._whiteout(path)
            self._skip = data_size + pad
            return
        if kind in _FILE_TYPES:
            self._regular(path, name_b, kind, mode, size, sparse_real, data_size, pad)
            return
        if kind == b"S":
            self._sparse(path, mode, sparse_real if sparse_real is not None else size, 0, 0)
            if self._sparse_ext is None:
                self._skip = data_size + pad
            return
        link = extended.get("linkpath") or longlink or _cstr(h[157:257])
        self._other(path, kind, mode, size, link)
        self._skip = data_size + pad

    def _take_extended(self) -> tuple[dict[str, bytes], bytes | None, bytes | None]:
        """The PAX records (global ones merged in), GNU long name and long link pending for
        this entry; the pending ones are consumed."""
        pax = self._pax
        longname = self._longname
        longlink = self._longlink
        self._pax = self._longname = self._longlink = None
        if pax is None and not self._global:
            extended: dict[str, bytes] = {}
        elif pax is None:
            extended = self._global
        else:
            extended = dict(self._global)
            for key, value in pax.items():
                if value:
                    extended[key] = value
                else:  # POSIX: an empty value deletes the keyword, global ones included
                    extended.pop(key, None)
        return extended, longname, longlink

    def _extended_size(
        self, extended: dict[str, bytes], size: int, offset: int
    ) -> tuple[int, int | None] | None:
        """(stored size, sparse real size or None) as PAX records say; None if unreadable."""
        if "size" in extended:
            try:
                size = int(extended["size"])
            except ValueError:
                self._corrupt(offset, "bad PAX size")
                return None
        if not any(k in extended for k in _SPARSE_KEYS):
            return size, None
        # GNU PAX sparse formats 0.0, 0.1 and 1.0: the stored data is not the content.
        real = extended.get("GNU.sparse.realsize") or extended.get("GNU.sparse.size")
        try:
            return size, int(real) if real else size
        except ValueError:
            return size, size

    def _entry_path(self, name_b: bytes) -> str:
        """The normalised path, with a finding when the name climbs above the root."""
        raw_name = safe_name(name_b)
        path, escaped = normalize_path(raw_name)
        if escaped:
            self._finding(
                FindingKind.PATH_ESCAPE,
                f"entry {raw_name!r} climbs above the root; read as {path or '/'!r}",
                severity="warning",
            )
        return path

    def _whiteout(self, path: str) -> None:
        marker = classify(path)
        if marker is not None:
            if marker[0] == "whiteout":
                self.whiteouts.append(marker[1])
            elif marker[0] == "opaque":
                self.opaque.append(marker[1])

    def _regular(
        self,
        path: str,
        name_b: bytes,
        kind: bytes,
        mode: int,
        size: int,
        sparse_real: int | None,
        data_size: int,
        pad: int,
    ) -> None:
        if kind == b"\x00" and name_b.endswith(b"/"):  # pre-POSIX directory
            self.entries.append(Entry(path, "dir", mode, 0))
            self._skip = data_size + pad
            return
        if sparse_real is not None:
            self._sparse(path, mode, sparse_real, data_size, pad)
            return
        entry = Entry(path, "file", mode, size)
        self.entries.append(entry)
        self._files[path] = (mode, size)
        if self.catalogers:
            self._start_capture(entry, data_size, pad)
        else:
            self._skip = data_size + pad

    def _other(self, path: str, kind: bytes, mode: int, size: int, link: bytes) -> None:
        """Directories, links and the rest (devices, FIFOs): entries without captured data."""
        if kind == b"5":
            self.entries.append(Entry(path, "dir", mode, 0))
        elif kind == b"2":
            self.entries.append(Entry(path, "symlink", mode, 0, safe_name(link)))
        elif kind == b"1":
            self._hardlink(path, mode, normalize_path(safe_name(link))[0])
        elif kind != b"V":  # "V" is a GNU volume label, not a file
            self.entries.append(Entry(path, "other", mode, size))

    def _sparse(self, path: str, mode: int, real: int, data_size: int, pad: int) -> None:
        # Recorded as a file; its stored bytes are a sparse map plus fragments, not the content,
        # so no cataloger is offered it.
        self.entries.append(Entry(path, "file", mode, real))
        self._skip = data_size + pad

    def _start_capture(self, entry: Entry, data_size: int, pad: int) -> None:
        wholes: list[str] = []
        scanners: list[_Feed] = []
        path, mode, size = entry.path, entry.mode, entry.size
        for cataloger in self._index.candidates(path, mode):
            try:
                want = cataloger.wants(path, mode, size)
            except Exception as exc:
                self._cataloger_failed(cataloger.name, path, exc)
                continue
            if want is None:
                continue
            if isinstance(want, WholeFile):
                if size <= want.max_bytes:
                    wholes.append(cataloger.name)
                else:
                    self._finding(
                        FindingKind.CAPTURE_SKIPPED,
                        f"{path} ({size} bytes) is larger than cataloger {cataloger.name} "
                        f"reads ({want.max_bytes})",
                        severity="info",
                    )
            elif isinstance(want, Digested):
                scanners.append(_Feed(cataloger.name, want.scanner, True))
            else:
                scanners.append(_Feed(cataloger.name, want, False))
        if not wholes and not scanners:
            self._skip = data_size + pad
            return
        if wholes:
            self._capture_total += size
            self._check_capture_limit()
            if self.failed:
                return
        # One set of digests per file, however many Digested wants it has.
        digested = any(feed.digested for feed in scanners)
        digests: _FileDigests | _LaterDigests | None = None
        if digested and self.digests_later:
            digests = _LaterDigests(self._data_end - data_size, data_size)
        elif digested:
            digests = _FileDigests(self.hasher)
        sink = _Capture(entry, wholes, scanners, digests)
        if isinstance(digests, _LaterDigests) and any(
            feed.digested and hasattr(feed.scanner, "likely_package") for feed in scanners
        ):
            sink.early = []
        if data_size:
            self._sink = sink
            self._take = data_size
            self._pad = pad
        else:
            self._close(sink)

    def _hardlink(self, path: str, mode: int, target: str) -> None:
        info = self._files.get(target)
        size = info[1] if info is not None else 0
        self.entries.append(Entry(path, "hardlink", mode, size, target))
        if not self.catalogers:
            return
        if info is None:
            # A lower layer's file (image-spec layer.md allows it): its content is in another
            # blob. The entry records the target; ``reporter.catalog.run`` offers that layer's
            # kept content under this name, or says why there is none.
            return
        self._files[path] = info
        kept = self._kept.get(target)
        if kept is not None:
            self._kept[path] = kept
        for cataloger in self._index.candidates(path, info[0]):
            name = cataloger.name
            try:
                want = cataloger.wants(path, info[0], info[1])
            except Exception as exc:
                self._cataloger_failed(name, path, exc)
                continue
            if want is None:
                continue
            if isinstance(want, WholeFile):
                if info[1] > want.max_bytes:
                    continue
                if kept is not None and kept.full is not None:
                    self.captured.append(Captured(path, name, kept.full))
                    continue
            elif kept is not None and name in kept.results:
                result = kept.results[name]
                if isinstance(result, _Pending):
                    self.captured.append(dataclasses.replace(result, path=path))
                elif result is not None:
                    self.captured.append(Captured(path, name, result, whole=False))
                continue
            elif kept is not None and kept.full is not None:
                try:
                    result = scan_whole(want, kept.full)
                except Exception as exc:
                    self._cataloger_failed(name, path, exc)
                    continue
                if result is not None:
                    self.captured.append(Captured(path, name, result, whole=False))
                continue
            # The target went by unwanted under its own name (busybox's ``bin/[`` before
            # ``bin/busybox``): ``scan_layer`` reads it again in a second pass, if it can.
            self.link_misses.append(_LinkMiss(path, target, cataloger, info[0], info[1]))

    def unresolved_links(self, misses: Sequence[_LinkMiss]) -> None:
        for miss in misses:
            self._finding(
                FindingKind.CAPTURE_SKIPPED,
                f"{miss.link} is a hard link to {miss.target}, whose content was not kept "
                f"for cataloger {miss.cataloger.name}",
                severity="info",
            )


# ---------------------------------------------------------------------------------------------


def scan_layer(
    raw: Readable,
    catalogers: Sequence[Capturer],
    *,
    limits: Limits,
    digest_algorithm: str = "sha256",
    media_type: str = "",
    where: str = "",
    reopen: Callable[[], Readable | None] | None = None,
) -> LayerScan:
    """Read ``raw`` to its end once and describe the layer it holds.

    Never raises for bad bytes: corrupt or truncated compression, cut tar streams and exceeded
    limits are findings, and the raw stream is always read to the end so ``blob_digest`` covers
    every byte. The caller compares ``blob_digest``/``blob_size``/``diff_id`` with what the
    manifest and config claim.

    ``reopen`` gives the same bytes again (None when it cannot). It is called only for a hard
    link whose name a cataloger wants while its target's name was wanted by nobody: a tar
    holds a hard link's content once, under the name that came first (POSIX ustar typeflag
    '1'), and the walk cannot know a later name will want it. The second pass decompresses
    up to the target and keeps only that; without ``reopen`` (a streamed input) such a link is
    a ``capture-skipped`` finding.
    """
    if digest_algorithm not in ("sha256", "sha512"):
        raise ValueError(f"unsupported digest algorithm {digest_algorithm!r}")
    hasher = _Hasher()
    try:
        scan, walker = _scan(
            raw, catalogers, limits, digest_algorithm, media_type, where, hasher, reopen
        )
    finally:
        hasher.close()
    if not walker.link_misses:
        return scan
    captured, left = _recapture_links(walker, reopen, scan.compression)
    walker.unresolved_links(left)
    return dataclasses.replace(
        scan, captured=scan.captured + captured, findings=tuple(walker.findings)
    )


def _recapture_links(
    first: _Walker, reopen: Callable[[], Readable | None] | None, kind: str
) -> tuple[tuple[Captured, ...], list[_LinkMiss]]:
    """The second pass: (what it kept, under the links' names; the misses it could not fill)."""
    misses = first.link_misses
    raw = None if reopen is None or first.failed else reopen()
    if raw is None:
        return (), misses
    wants = [_LinkWant(str(i), miss) for i, miss in enumerate(misses)]
    hasher = _Hasher()
    walker = _Walker(wants, first.limits, first.where, hasher)
    kept: dict[int, Captured | _Pending] = {}
    try:
        src = PlainSource(raw)
        for chunk in compression.decoder(kind, src, src.read_at_least(b"", 6)):
            walker.feed(chunk)
            for item in walker.captured:
                miss = misses[int(item.cataloger)]
                kept.setdefault(
                    int(item.cataloger),
                    dataclasses.replace(item, path=miss.link, cataloger=miss.cataloger.name),
                )
            walker.captured.clear()
            if len(kept) == len(misses) or walker.ended or walker.failed:
                break
        walker.finish()
    except compression.DecodeError:
        pass  # the first pass has said what is wrong with the bytes
    finally:
        hasher.close()
        close = getattr(raw, "close", None)
        if close is not None:
            close()
    first.findings.extend(f for f in walker.findings if f.kind == FindingKind.CATALOG)
    left = [miss for i, miss in enumerate(misses) if i not in kept]
    return _resolved([kept[i] for i in sorted(kept)]), left


def _scan(
    raw: Readable,
    catalogers: Sequence[Capturer],
    limits: Limits,
    digest_algorithm: str,
    media_type: str,
    where: str,
    hasher: _Hasher,
    reopen: Callable[[], Readable | None] | None,
) -> tuple[LayerScan, _Walker]:
    src = _Raw(raw, digest_algorithm, hasher)
    head = src.read_at_least(b"", 6)
    kind = compression.detect(head)
    walker = _Walker(catalogers, limits, where, hasher, digests_later=reopen is not None)
    _check_compression(walker, head, kind, media_type)
    # For a plain tar, the diff_id is the blob digest: hashing the same bytes twice buys nothing.
    diff = None if kind == "none" and digest_algorithm == "sha256" else hashlib.sha256()
    usize, decoded = _decode_and_walk(src, head, kind, walker, diff, hasher)
    src.drain()
    walked = walker.finish() if decoded else False
    hasher.close()
    later = _later_digests(walker.captured)
    if later and not walker.failed:
        _digest_later(walker, later, reopen, kind)
    blob_digest = src.digest()
    if decoded and not walker.limited:
        diff_id = blob_digest if diff is None else f"sha256:{diff.hexdigest()}"
    else:
        diff_id = ""
    scan = LayerScan(
        blob_digest=blob_digest,
        blob_size=src.size,
        diff_id=diff_id,
        uncompressed_size=usize,
        compression=kind,
        entries=tuple(walker.entries),
        whiteouts=tuple(walker.whiteouts),
        opaque_dirs=tuple(walker.opaque),
        captured=_resolved(walker.captured),  # the hasher is closed: the digests are final
        findings=tuple(walker.findings),
        complete=decoded and walked and not walker.limited and not walker.failed,
    )
    return scan, walker


def _later_digests(captured: Sequence[Captured | _Pending]) -> list[_LaterDigests]:
    """The second read's work: the files a ``Digested`` want kept something of (hard links
    to one file share its digests), in stream order."""
    later = {
        id(item.digests): item.digests
        for item in captured
        if isinstance(item, _Pending) and isinstance(item.digests, _LaterDigests)
    }
    return sorted(later.values(), key=lambda d: d.offset)


def _digest_later(
    walker: _Walker,
    later: Sequence[_LaterDigests],
    reopen: Callable[[], Readable | None] | None,
    kind: str,
) -> None:
    """Fill the ``_LaterDigests`` of the files found to be packages, from a second read.

    The first pass verified the blob's digest; the second trusts that the bytes have not
    changed since (as the hard-link pass does): a blob replaced in between would give a
    digest of other bytes.
    """
    raw = None if reopen is None else reopen()
    found = None
    if raw is not None:
        try:
            spans = [(item.offset, item.size) for item in later]
            found = range_digests(raw, kind, spans, DIGEST_ALGORITHMS)
        finally:
            close = getattr(raw, "close", None)
            if close is not None:
                close()
    if found is None:
        walker._finding(
            FindingKind.CAPTURE_SKIPPED,
            f"the layer could not be read again: {len(later)} binaries found to be "
            "packages have no file digests",
            severity="info",
        )
        return
    for item in later:
        item.value = found[(item.offset, item.size)]


def _check_compression(walker: _Walker, head: bytes, kind: str, media_type: str) -> None:
    """Findings on the compression itself: not what the media type says, or one we do not read."""
    hint = compression.hinted(media_type)
    if hint is not None and hint != kind:
        walker.findings.append(
            Finding(
                FindingKind.COMPRESSION_MISMATCH,
                f"media type {media_type} suggests {hint}, the bytes are {kind}",
                where=walker.where,
                severity="info",
                expected=hint,
                actual=kind,
            )
        )
    label = compression.unsupported(head) if kind == "none" else None
    if label is not None:
        walker.findings.append(
            Finding(
                FindingKind.UNSUPPORTED_COMPRESSION,
                f"layer is {label}-compressed, which this tool does not read",
                where=walker.where,
            )
        )
        walker.failed = True


def _decode_and_walk(
    src: _Raw, head: bytes, kind: str, walker: _Walker, diff: Any, hasher: _Hasher
) -> tuple[int, bool]:
    """Decompress, hash and walk to the end or a limit: (bytes uncompressed, decoded whole)."""
    usize = 0
    try:
        for chunk in compression.decoder(kind, src, head):
            usize += len(chunk)
            problem = compression.expansion_problem(usize, src.size, walker.limits)
            if problem is not None:
                walker._finding(FindingKind.LIMIT, problem)
                walker.limited = True
                return usize, False
            if diff is not None:
                hasher.update(diff, chunk)
            walker.feed(chunk)
            if walker.limited:
                return usize, False
    except compression.DecodeError as exc:
        walker.findings.append(
            Finding(
                exc.kind,
                str(exc),
                where=walker.where,
                severity="error" if exc.integrity else "warning",
                integrity=exc.integrity,
            )
        )
        # Trailing garbage after a complete stream still leaves a whole uncompressed stream.
        return usize, not exc.integrity
    return usize, True
