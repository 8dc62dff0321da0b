"""Go modules compiled into executables (ELF, Mach-O, PE), read from the embedded build info.

The Go linker writes a 32-byte header ``"\\xff Go buildinf:" ptrsize flags`` at a 16-byte
aligned place at the start of the data segment (ELF ``.go.buildinfo``, Mach-O
``__go_buildinfo``, PE the start of ``.data``; ``debug/buildinfo``). Two layouts follow it:

* Go 1.18+ (``flags & 2``, "inline"): two varint-length-prefixed strings, the Go version and
  the module info;
* Go 1.13-1.17 (pointer format): two pointers (``ptrsize`` bytes, big-endian when
  ``flags & 1``) to the Go string headers (data pointer, length) of ``runtime.buildVersion``
  and ``runtime.modinfo``; following them means mapping virtual addresses to file offsets
  through the segments the headers describe (``reporter.catalog._exe``).

The module info is wrapped in two 16-byte sentinels and holds tab-separated lines
(``cmd/go/internal/modload``, ``runtime/debug.ParseBuildInfo``)::

    path	example.com/cmd/app
    mod	example.com	(devel)	h1:...
    dep	golang.org/x/sys	v0.1.0	h1:...
    =>	../sys	v0.0.0	h1:...        (replaces the line above)
    build	GOARCH=amd64
    build	-ldflags="-X main.version=1.2.3"

The ``Scanner`` is fed the file chunk by chunk and gives up after the first 4 bytes unless they
are an ELF, Mach-O or PE magic. It looks for the header at 16-byte aligned offsets (across
chunk boundaries) and checks it is a real one (zero padding, a version starting with ``go`` or
``devel``: programs importing ``debug/buildinfo`` carry the magic as a string constant too),
in an ELF file only within its writable ``PT_LOAD`` segments, where the linker puts it.
Files whose first 64 KiB show a Go build ID (the ELF note named "Go", or the
``"\\xff Go build ID:"`` string at the start of the text) also get the two dearer searches
below; other executables pay for the aligned magic search only:

* for the pointer format, the strings are behind the header by the time it is read, so the
  bytes after each place a version string or the module info could start are kept, and the
  string headers ahead are picked as they stream past (``_Keeper``);
* syft's guess of the main module's version from the contents (``_FirstSemver``), run until
  the build info shows it is not needed.

What is kept is a small record (format, machine, Go version, module info, problem, contents
version), never the file.

Packages, as syft 1.18.1's ``go-module-binary-cataloger`` emits them:

* each ``dep`` (its replacement when there is one) as ``go-module`` ``pkg:golang/<path>@<ver>``;
* the main module; a ``(devel)`` version becomes, in syft's order: the version of an ``-X``
  of the main package's or main module's ``…version=`` / ``….Tag=`` in ``-ldflags``
  (``-X main.version=1.2.3`` → ``v1.2.3``); else the first ``\\x00v?N.N.N…\\x00`` string in the
  file; else a pseudo-version from ``vcs.revision`` and ``vcs.time``
  (``v0.0.0-20240101000000-abcdef123456``); else ``(devel)``. All build settings (``vcs.*``
  among them) are kept in the metadata as ``build:<key>``;
* ``stdlib`` at the Go version (``pkg:golang/stdlib@1.23.4``, BSD-3-Clause), once per binary.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from reporter.catalog._exe import HEAD_MAX, Layout, detect, read_layout
from reporter.catalog._langutil import sorted_metadata
from reporter.catalog.interface import (
    Declared,
    Digested,
    FoundPackage,
    Hint,
    ParseContext,
)
from reporter.catalog.purl import purl
from reporter.errors import CatalogError
from reporter.layers.capture import split_digests

__all__ = ["CATALOGER", "BuildInfo", "GoBuildInfoScanner", "parse", "parse_modinfo", "wants"]

MAGIC = b"\xff Go buildinf:"
# cmd/go/internal/modload infoStart / infoEnd: the module info string's 16-byte sentinels
START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
END = bytes.fromhex("f932433186182072008242104116d8f2")
_HEADER = 32
_GO_BUILD_ID = b'\xff Go build ID: "'
_ELF_GO_NOTES = (b"\x04\x00\x00\x00Go\x00\x00", b"\x00\x00\x00\x04Go\x00\x00")
_RESULT = b"\0oci-reporter:go-buildinfo\0"
_FIELDS = 6  # format, machine, Go version, module info, problem, version in contents
_MAX_VERSIONS = 4096  # candidate version strings kept per file (128 bytes each)
_KEEP_MAX = 2 * 1024 * 1024
_MIN_SIZE = 64 * 1024
_VERSION_MAX = 1024
_DEVEL = "(devel)"
_EXEC_BITS = 0o111

# syft's knownBuildFlagPatterns (parse_go_binary.go), tried in order on -ldflags, each after
# "(main|<main module path, "/" escaped, the rest left as regex>\/[^\s]*)": only an -X of the
# main package's or the main module's own variables counts (ASCII classes, as Go's RE2)
_LDFLAG_VERSION = (
    r"\.([gG]it)?([bB]uild)?[vV]er(sion)?=(\S+/)*(?P<version>v?\d+.\d+.\d+[-\w]*)",
    r"\.([tT]ag)=(\S+/)*(?P<version>v?\d+.\d+.\d+[-\w]*)",
)
_GO_VERSION = re.compile(r"^go\d+(\.\d+)*")
_KEPT_STRINGS = ((b"go1.", 128), (b"devel", 128), (START, _KEEP_MAX))
# syft's semverPattern (parse_go_binary.go), "." spelled out as Go reads it: one UTF-8
# character or one byte that is not one, never "\n"
_SEMVER = re.compile(
    rb"\x00(?:(?:[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
    rb"|[^\n])L)?(?P<version>v?\d+\.\d+\.\d+[-\w]*[+\w]*)\x00"
)
_SEMVER_DOT = re.compile(rb"\.(?=\d+\.\d)")


def _uvarint(data: bytes | bytearray, pos: int) -> tuple[int, int] | None:
    """encoding/binary.Uvarint: (value, next position), or None when data ends first."""
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            return None
    return None


def _extent(buf: bytearray) -> int | None:
    """Bytes of build info at ``buf[0:]`` (which starts with MAGIC): -1 not real, None more."""
    if len(buf) < _HEADER:
        return None
    if buf[14] not in (4, 8) or buf[15] > 3:
        return -1
    if not buf[15] & 2:
        # pointer format: two pointers then padding; keep the header only
        return _HEADER if any(buf[16:_HEADER]) else -1
    if any(buf[16:_HEADER]):
        return -1
    first = _uvarint(buf, _HEADER)
    if first is None:
        return None if len(buf) < _HEADER + 10 else -1
    length, pos = first
    if length == 0 or length > _VERSION_MAX:
        return -1
    if len(buf) < pos + min(length, 5):
        return None
    if not buf[pos : pos + 5].startswith((b"go", b"devel")):
        return -1
    second = _uvarint(buf, pos + length)
    if second is None:
        return None if len(buf) < pos + length + 10 else -1
    mod_len, mod_pos = second
    total = mod_pos + mod_len
    if total > _KEEP_MAX:
        return -1
    return total if len(buf) >= total else None


class _Keeper:
    """Keeps, as bytes stream past, what a Go < 1.18 build info header may point back to.

    The pointer format's header (at the start of the data segment) points at two string
    headers further on, and they point back at the string bytes in the read-only data,
    already streamed past by then. So, for files that look like Go binaries, this keeps the
    bytes after every place a version string (``go1.``, ``devel``) or the module info (the
    16-byte start sentinel, up to the end sentinel) could begin, keyed by file offset.
    """

    _TAIL = len(START) - 1

    def __init__(self) -> None:
        self.regions: dict[int, bytearray] = {}
        self._open: dict[int, int] = {}  # offset → length cap, while still filling
        self._tail = b""
        self._versions = 0

    def _settle(self, at: int) -> None:
        region, cap = self.regions[at], self._open[at]
        if region.startswith(START):
            stop = region.find(END, len(START))
            if stop >= 0:
                del region[stop + len(END) :]
                del self._open[at]
                return
        if len(region) >= cap:
            del region[cap:]
            del self._open[at]
            if region.startswith(START):  # no end sentinel within the cap: useless
                del self.regions[at]

    def feed(self, chunk: bytes, base: int) -> None:
        for at in list(self._open):
            self.regions[at] += chunk[: self._open[at] - len(self.regions[at])]
            self._settle(at)
        window = self._tail + chunk
        wbase = base - len(self._tail)
        for marker, cap in _KEPT_STRINGS:
            idx = window.find(marker)
            while idx >= 0:
                at = wbase + idx
                if at not in self.regions:
                    if marker != START:
                        if self._versions >= _MAX_VERSIONS:
                            break
                        self._versions += 1
                    self.regions[at] = bytearray(window[idx : idx + cap])
                    self._open[at] = cap
                    self._settle(at)
                idx = window.find(marker, idx + 1)
        self._tail = window[-self._TAIL :]

    def get(self, offset: int, size: int) -> bytes | None:
        for at, region in self.regions.items():
            if at <= offset and offset + size <= at + len(region):
                return bytes(region[offset - at : offset - at + size])
        return None


class _FirstSemver:
    """syft's ``FromContents`` guess, streamed: the first match of its ``semverPattern``,
    ``\\x00(.L)?(?P<version>v?\\d+\\.\\d+\\.\\d+[-\\w]*[+\\w]*)\\x00``, in the whole file.

    A regular expression over every byte costs ~50 ms/MiB in Python, so candidates are found
    with a literal-led search (a ``.`` followed by ``digits.digit``: every match has one, at
    the dot after its major version) and only those places are tried against the full pattern.
    Candidates are taken in file order and the first whose match exists wins: a match starting
    earlier would contain the candidate's dot in its prefix or major digits, where no dot can
    be. Go's ``.`` consumes a whole UTF-8 character (or one invalid byte), hence the
    alternation in the prefix. A match reaching more than ``_BEFORE`` bytes before its dot or
    ``_AFTER`` bytes after it, across a chunk boundary, is not found.
    """

    _BEFORE = 256  # bytes a match may start before its candidate dot
    _AFTER = 256  # bytes a match may end after it

    def __init__(self) -> None:
        self._win = b""
        self._next = 0  # first index of _win whose candidates are not yet tried
        self.found: bytes | None = None

    def feed(self, chunk: bytes) -> None:
        if self.found is None:
            self._scan(self._win + chunk, final=False)

    def finish(self) -> None:
        if self.found is None:
            self._scan(self._win, final=True)
        self._win = b""

    def _scan(self, win: bytes, *, final: bool) -> None:
        limit = len(win) if final else len(win) - self._AFTER
        for cand in _SEMVER_DOT.finditer(win, self._next):
            dot = cand.start()
            if dot >= limit:
                break
            found = _semver_at(win, dot)
            if found is not None:
                self.found, self._win = found, b""
                return
        keep = max(0, min(limit, len(win)) - self._BEFORE)
        self._next = max(0, limit) - keep
        self._win = win[keep:]


def _semver_at(win: bytes, dot: int) -> bytes | None:
    start = dot
    while start > 0 and 0x30 <= win[start - 1] <= 0x39:
        start -= 1
    if start == dot:
        return None
    heads = [start]
    if start > 0 and win[start - 1] == 0x76:  # "v"
        heads.append(start - 1)
    origins = set()
    for head in heads:
        if head > 0 and win[head - 1] == 0:
            origins.add(head - 1)
        if head > 1 and win[head - 1] == 0x4C:  # "L" after one character
            origins.update(o for o in range(head - 6, head - 2) if o >= 0 and win[o] == 0)
    for origin in sorted(origins):
        match = _SEMVER.match(win, origin)
        if match is not None:
            return match.group("version")
    return None


def _looks_like_go(head: bytes | bytearray) -> bool:
    """The Go linker's build ID: an ELF note named "Go" of type 4, or the text's first string."""
    return _GO_BUILD_ID in head or any(note in head for note in _ELF_GO_NOTES)


def _pack(*fields: bytes) -> bytes:
    return _RESULT + b"".join(len(f).to_bytes(4, "little") + f for f in fields)


def _unpack(data: bytes, where: str) -> list[bytes]:
    if not data.startswith(_RESULT):
        raise CatalogError("no Go build info kept for this file", where=where)
    fields, pos = [], len(_RESULT)
    while pos < len(data):
        size = int.from_bytes(data[pos : pos + 4], "little")
        if pos + 4 + size > len(data):
            raise CatalogError("truncated Go build info record", where=where)
        fields.append(data[pos + 4 : pos + 4 + size])
        pos += 4 + size
    if len(fields) != _FIELDS:
        raise CatalogError("malformed Go build info record", where=where)
    return fields


class GoBuildInfoScanner:
    """Streams an executable (ELF, Mach-O, PE); keeps its Go version and module info, or nothing.

    What it keeps is a small record (format, machine, Go version, module info, and a problem
    when the build info could not be read), not the file.
    """

    def __init__(self) -> None:
        self._pos = 0  # file bytes fed so far
        self._head = bytearray()
        self._format: str | None = None
        self._keeper: _Keeper | None = None
        self._gated = False
        self._buf = bytearray()  # search window, or the candidate build info
        self._buf_off = 0  # file offset of _buf[0]
        self._collecting = False
        # pointer format: what to read (name → file offset, size) and what was read
        self._ptr: tuple[int, str] | None = None  # pointer size, struct byte order
        self._wants: dict[str, tuple[int, int]] = {}
        self._got: dict[str, bytearray] = {}
        self._layout: Layout | None = None
        self._semver: _FirstSemver | None = None  # syft's version guess from the contents
        self._fields: tuple[bytes, ...] | None = None  # the record, once build info is read
        self._dead = False
        # ELF: where build info can be (``_writable_ranges``), once the head shows it
        self._ranges_read = False
        self._ranges: tuple[tuple[int, int], ...] | None = None

    def feed(self, chunk: bytes) -> bool:
        if self._dead:
            return False
        if self._fields is not None:  # build info read: only the contents guess goes on
            if self._semver is None or self._semver.found is not None:
                return False
            self._semver.feed(chunk)
            return self._semver.found is None
        base = self._pos
        self._pos += len(chunk)
        if len(self._head) < HEAD_MAX:
            self._head += chunk[: HEAD_MAX - len(self._head)]
        if self._format is None:
            if len(self._head) < 4:
                self._buf += chunk
                return True
            self._format = detect(self._head)
            if self._format is None:
                self._dead = True
                return False
        self._keep(chunk, base)
        if self._ptr is not None:
            self._fill(chunk, base)
            return self._resolve()
        if self._format == "elf" and not self._collecting:
            return self._search_writable(chunk, base)
        self._buf += chunk
        return self._advance()

    def _search_writable(self, chunk: bytes, base: int) -> bool:
        """ELF: look for the magic in the writable ``PT_LOAD`` segments only.

        debug/buildinfo finds the build info through the ``.go.buildinfo`` section, else at the
        start of the first writable segment, and the Go linker (and the external linker after
        it) always puts that section in the writable data segment. Searching those bytes alone
        skips text and read-only data, most of every executable, and a program holding the
        magic as a constant is not taken for a Go binary. An ELF without ``PT_LOAD`` headers,
        or whose headers lie past the head, is searched whole.
        """
        ranges = self._writable_ranges()
        if ranges is None:
            self._buf += chunk
            return self._advance()
        end = base + len(chunk)
        start = next((lo for lo, hi in ranges if lo < end and hi > base), None)
        if start is None:
            if all(hi <= base for _, hi in ranges):
                self._dead = True  # past every writable segment: no build info in this file
                return False
            return True  # between segments
        start = max(start, base)
        if start != self._buf_off + len(self._buf):  # a gap since the last searched byte
            self._buf = bytearray()
            self._buf_off = start
        self._buf += chunk[start - base :]  # to the chunk's end: a header may run past it
        return self._advance()

    def _writable_ranges(self) -> tuple[tuple[int, int], ...] | None:
        """File ranges of the writable PT_LOAD segments; None: search the whole file."""
        if not self._ranges_read:
            try:
                segments = read_layout(bytes(self._head), "").segments
            except CatalogError:
                if len(self._head) < HEAD_MAX:
                    return None  # the program headers may be in the next chunk
                segments = ()
            self._ranges_read = True
            writable = [(s.offset, s.offset + s.size) for s in segments if s.writable]
            self._ranges = tuple(sorted(writable)) if segments else None
        return self._ranges

    def likely_package(self) -> bool | None:
        """Whether the file will be kept, as far as its head tells (``capture.likely_package``):
        True for a Go build ID, False once the head has none (build info found later without
        one is still kept: the walker then hashes the file on its second read)."""
        if self._keeper is not None or self._fields is not None:
            return True
        return False if self._gated or self._dead else None

    def _keep(self, chunk: bytes, base: int) -> None:
        """Go binaries only (by their build ID, in the head): keep what may be pointed back at,
        and look for syft's version string in the contents."""
        if self._keeper is not None and self._semver is not None:
            self._keeper.feed(chunk, base)
            self._semver.feed(chunk)
        elif not self._gated:
            if _looks_like_go(self._head):
                self._gated = True
                self._keeper, self._semver = _Keeper(), _FirstSemver()
                self._keeper.feed(bytes(self._head), 0)
                self._semver.feed(bytes(self._head))
                if self._pos > len(self._head):
                    self._keeper.feed(chunk[len(self._head) - base :], len(self._head))
                    self._semver.feed(chunk[len(self._head) - base :])
            elif len(self._head) >= HEAD_MAX:
                self._gated = True

    def _finish(self, version: bytes = b"", modinfo: bytes = b"", problem: str = "") -> bool:
        try:
            machine = read_layout(bytes(self._head), "").machine
        except CatalogError:
            machine = ""
        fmt = (self._format or "").encode()
        self._fields = (fmt, machine.encode(), version, modinfo, problem.encode())
        self._buf, self._keeper, self._got = bytearray(), None, {}
        if problem or not _wants_contents_version(_decode(version), modinfo):
            self._semver = None
        # the contents guess reads the whole file, as syft's does
        return self._semver is not None and self._semver.found is None

    def _advance(self) -> bool:
        while True:
            if not self._collecting:
                idx = self._buf.find(MAGIC)
                while idx >= 0 and (self._buf_off + idx) % 16:
                    idx = self._buf.find(MAGIC, idx + 1)
                if idx < 0:
                    keep = len(MAGIC) - 1
                    drop = max(0, len(self._buf) - keep)
                    del self._buf[:drop]
                    self._buf_off += drop
                    return True
                del self._buf[:idx]
                self._buf_off += idx
                self._collecting = True
            extent = _extent(self._buf)
            if extent is None:
                if len(self._buf) > _KEEP_MAX:
                    extent = -1
                else:
                    return True
            if extent > 0 and not self._buf[15] & 2:
                return self._pointers()
            if extent > 0:
                version, modinfo = _inline_strings(bytes(self._buf[:extent]))
                return self._finish(version, modinfo)
            # not real build info: search again after this magic
            del self._buf[:1]
            self._buf_off += 1
            self._collecting = False

    def _pointers(self) -> bool:
        """Pointer format (Go 1.13-1.17, debug/buildinfo): two pointers to string headers."""
        size, order = self._buf[14], ">" if self._buf[15] & 1 else "<"
        fmt = order + ("Q" if size == 8 else "I")
        self._ptr = (size, fmt)
        try:
            layout = read_layout(bytes(self._head), "")
        except CatalogError as exc:
            return self._finish(problem=f"pre-Go 1.18 build info, headers unreadable: {exc}")
        for name, at in (("version", 16), ("modinfo", 16 + size)):
            (vaddr,) = struct.unpack_from(fmt, self._buf, at)
            offset = layout.offset_of(vaddr, 2 * size)
            if offset is None:
                return self._finish(problem="pre-Go 1.18 build info points outside the file")
            self._want(name, offset, 2 * size)
        self._layout = layout
        self._fill(bytes(self._buf), self._buf_off)
        self._buf = bytearray()
        return self._resolve()

    def _want(self, name: str, offset: int, size: int) -> None:
        self._wants[name] = (offset, size)
        earlier = self._keeper.get(offset, size) if self._keeper else None
        self._got[name] = bytearray(earlier or b"")

    def _fill(self, chunk: bytes, base: int) -> None:
        for name, (offset, size) in self._wants.items():
            got = self._got[name]
            nxt = offset + len(got)
            if len(got) < size and base <= nxt < base + len(chunk):
                got += chunk[nxt - base : min(offset + size, base + len(chunk)) - base]

    def _missed(self, name: str) -> bool:
        offset, size = self._wants[name]
        return len(self._got[name]) < size and offset + len(self._got[name]) < self._pos

    def _resolve(self) -> bool:
        if self._ptr is None or self._layout is None:
            return True  # not reached: set together by _pointers
        size, fmt = self._ptr
        for name in ("version", "modinfo"):
            text = name + "-bytes"
            if text in self._wants or len(self._got[name]) < 2 * size:
                continue
            pointer, length = struct.unpack(fmt + fmt[-1], self._got[name])
            offset = self._layout.offset_of(pointer, length) if length else None
            if length > _KEEP_MAX or (length and offset is None):
                return self._finish(problem=f"pre-Go 1.18 {name} string lies outside the file")
            self._want(text, offset or 0, length)
        if any(self._missed(n) for n in self._wants if n != "modinfo-bytes"):
            return self._finish(problem="pre-Go 1.18 build info points at bytes not kept")
        if "modinfo-bytes" in self._wants and self._missed("modinfo-bytes"):
            # only strings starting with the sentinel are kept; any other string is not
            # module info, and debug/buildinfo reads it as none
            self._got["modinfo-bytes"] = bytearray()
            self._wants["modinfo-bytes"] = (0, 0)
        done = all(len(self._got[n]) >= s for n, (_, s) in self._wants.items())
        if len(self._wants) == 4 and done:
            version = bytes(self._got["version-bytes"])
            if not version:
                return self._finish(problem="pre-Go 1.18 build info has an empty Go version")
            return self._finish(version, bytes(self._got["modinfo-bytes"]))
        return True

    def result(self) -> bytes | None:
        if self._fields is None:
            return None
        found = b""
        if self._semver is not None:
            self._semver.finish()
            found = self._semver.found or b""
        return _pack(*self._fields, found)


def _wants_contents_version(go_version: str, modinfo: bytes) -> bool:
    """Whether syft would look for the main module's version in the file's contents."""
    mod = modinfo[16:-16] if len(modinfo) >= 33 and modinfo[-17] == 0x0A else b""
    info = parse_modinfo(go_version, _decode(mod))
    main = info.main or (Module(info.path, _DEVEL) if info.path else None)
    return (
        main is not None and (main.replace or main).version == _DEVEL and not _ldflags_version(info)
    )


def _inline_strings(blob: bytes) -> tuple[bytes, bytes]:
    """The Go version and module info of an inline (Go 1.18+) build info blob."""
    length, pos = _uvarint(blob, _HEADER) or (0, _HEADER)
    version = blob[pos : pos + length]
    mod_len, mod_pos = _uvarint(blob, pos + length) or (0, len(blob))
    return version, blob[mod_pos : mod_pos + mod_len]


@dataclass(frozen=True, slots=True)
class Module:
    path: str
    version: str = ""
    sum: str = ""
    replace: Module | None = None


@dataclass(slots=True)
class BuildInfo:
    go_version: str = ""
    path: str = ""
    main: Module | None = None
    deps: list[Module] = field(default_factory=list)
    settings: list[tuple[str, str]] = field(default_factory=list)

    def setting(self, key: str) -> str:
        for k, v in self.settings:
            if k == key:
                return v
        return ""


_GO_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)", re.S)
_SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _go_unquote(text: str) -> str:
    """strconv.Unquote for a double-quoted Go string (as ``build`` values are quoted)."""
    if len(text) < 2 or not (text[0] == text[-1] == '"'):
        return text

    def one(match: re.Match[str]) -> str:
        esc = match.group(1)
        if esc[0] in "xuU":
            return chr(min(int(esc[1:], 16), 0x10FFFF))
        if esc[0].isdigit():
            return chr(int(esc, 8))
        return _SIMPLE.get(esc, esc)

    return _GO_ESCAPE.sub(one, text[1:-1])


def parse_modinfo(go_version: str, modinfo: str) -> BuildInfo:
    """runtime/debug.ParseBuildInfo, lenient: malformed lines are skipped."""
    info = BuildInfo(go_version=go_version)
    last: Module | None = None
    last_is_main = False
    for line in modinfo.split("\n"):
        kind, _, rest = line.partition("\t")
        elems = rest.split("\t")
        if kind == "path" and rest:
            info.path = rest
        elif kind in ("mod", "dep") and len(elems) >= 2 and elems[0]:
            last = Module(elems[0], elems[1], elems[2] if len(elems) > 2 else "")
            last_is_main = kind == "mod"
            if last_is_main:
                info.main = last
            else:
                info.deps.append(last)
        elif kind == "=>" and last is not None and elems and elems[0]:
            replaced = Module(
                last.path,
                last.version,
                last.sum,
                Module(
                    elems[0],
                    elems[1] if len(elems) > 1 else "",
                    elems[2] if len(elems) > 2 else "",
                ),
            )
            if last_is_main:
                info.main = replaced
            else:
                info.deps[-1] = replaced
            last = None
        elif kind == "build" and rest:
            key, sep, value = rest.partition("=")
            if sep and key:
                info.settings.append((_go_unquote(key), _go_unquote(value)))
    return info


def _decode(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def read_build_info(data: bytes, where: str) -> tuple[BuildInfo, str, str]:
    """Scanner record → (parsed build info, the executable's machine in GOARCH spelling,
    the version string syft would find in the contents)."""
    _fmt, machine, version, mod, problem, contents = _unpack(data, where)
    if problem:
        raise CatalogError(_decode(problem), where=where)
    # the 16-byte sentinels: strip them, or there is no module info (debug/buildinfo)
    mod = mod[16:-16] if len(mod) >= 33 and mod[-17] == 0x0A else b""
    return parse_modinfo(_decode(version), _decode(mod)), _decode(machine), _decode(contents)


def _split_experiments(go_version: str) -> str:
    return go_version.split(" ", 1)[0]


def golang_purl(module_path: str, version: str) -> str:
    """syft's packageURL: two path elements of namespace, the third as name, the rest subpath.

    ``github.com/moby/sys/user`` → ``pkg:golang/github.com/moby/sys@v0.3.0#user``.
    """
    fields = module_path.split("/")
    if len(fields) == 1:
        return purl("golang", "", fields[0], version)
    if len(fields) == 2:
        return purl("golang", fields[0], fields[1], version)
    return purl("golang", "/".join(fields[:2]), fields[2], version, subpath="/".join(fields[3:]))


def _pseudo_version(revision: str, timestamp: str) -> str:
    """golang.org/x/mod/module.PseudoVersion("", "", t, rev[:12]) as syft calls it."""
    try:
        when = datetime.fromisoformat(timestamp.replace("Z", "+00:00")).astimezone(UTC)
        stamp = when.strftime("%Y%m%d%H%M%S")
    except ValueError:
        stamp = "00010101000000"  # Go's zero time, as syft gets when parsing fails
    return f"v0.0.0-{stamp}-{revision[:12]}"


def _ldflags_version(info: BuildInfo) -> str:
    ldflags = info.setting("-ldflags")
    if not ldflags:
        return ""
    main_path = info.main.path if info.main else info.path
    owner = "(main|" + main_path.replace("/", "\\/") + "\\/[^\\s]*)"
    for pattern in _LDFLAG_VERSION:
        try:
            match = re.search(owner + pattern, ldflags, re.ASCII)
        except re.error:  # a module path that is not a valid pattern (syft's would panic)
            continue
        if match:
            found = match.group("version")
            return found if found.startswith("v") else "v" + found
    return ""


def main_module_version(info: BuildInfo, version: str, contents: str = "") -> str:
    """syft's findMainModuleVersion for a ``(devel)`` main module: -ldflags, else the first
    version-looking string in the file (``contents``, "v"-prefixed), else the vcs pseudo-version."""
    if version != _DEVEL:
        return version
    found = _ldflags_version(info)
    if found:
        return found
    if contents:
        return contents if contents.startswith("v") else "v" + contents
    revision, timestamp = info.setting("vcs.revision"), info.setting("vcs.time")
    if revision and timestamp:
        return _pseudo_version(revision, timestamp)
    return version


def packages_from(info: BuildInfo, arch: str, contents: str = "") -> list[FoundPackage]:
    go_version = _split_experiments(info.go_version)
    main_path = info.main.path if info.main else info.path
    common = {"go_version": go_version, "architecture": arch, "main_module": main_path}
    found: list[FoundPackage] = []
    for dep in info.deps:
        mod = dep.replace or dep
        if not mod.path:
            continue
        found.append(
            FoundPackage(
                type="go-module",
                name=mod.path,
                version=mod.version,
                purl=golang_purl(mod.path, mod.version),
                metadata=sorted_metadata(h1_digest=mod.sum, **common),
            )
        )
    main = info.main or (Module(info.path, _DEVEL) if info.path else None)
    if main is not None:
        mod = main.replace or main
        version = main_module_version(info, mod.version, contents)
        settings = {f"build:{k}": v for k, v in info.settings}
        found.append(
            FoundPackage(
                type="go-module",
                name=mod.path,
                version=version,
                purl=golang_purl(mod.path, version),
                metadata=sorted_metadata(h1_digest=mod.sum, **common, **settings),
            )
        )
    if found and _GO_VERSION.match(go_version):
        found.append(
            FoundPackage(
                type="go-module",
                name="stdlib",
                version=go_version,
                purl=golang_purl("stdlib", go_version.removeprefix("go")),
                licenses=("BSD-3-Clause",),
                metadata=sorted_metadata(go_version=go_version),
            )
        )
    return found


def wants(path: str, mode: int, size: int) -> Digested | None:
    if size < _MIN_SIZE:
        return None
    if mode & _EXEC_BITS or path.endswith((".so", ".exe")) or ".so." in path:
        return Digested(GoBuildInfoScanner())  # and the binary's digests, hashed by the walker
    return None


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    data, hashes = split_digests(data)
    info, machine, contents = read_build_info(data, path)
    arch = info.setting("GOARCH") or machine or ctx.arch
    found = packages_from(info, arch, contents)
    main = info.main or (Module(info.path, _DEVEL) if info.path else None)
    if hashes and main is not None:
        name = (main.replace or main).path  # the main module is the binary
        found = [replace(p, hashes=hashes) if p.name == name else p for p in found]
    return found


CATALOGER = Declared(
    name="go-module-binary-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(suffixes=(".so", ".exe"), contains=(".so.",), executable=True),
)
