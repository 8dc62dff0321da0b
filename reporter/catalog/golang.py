"""Go modules compiled into ELF executables, read from the embedded build info (never run).

The Go linker (1.18+) writes a ``.go.buildinfo`` section: a 32-byte header
``"\\xff Go buildinf:" ptrsize flags`` padded with zeros, 16-byte aligned, and, when
``flags & 2`` (the "inline" format), two varint-length-prefixed strings: the Go version and the
module info. The module info is wrapped in two 16-byte sentinels and holds tab-separated lines
(``cmd/go/internal/modload``, ``runtime/debug.ParseBuildInfo``)::

    path	example.com/cmd/app
    mod	example.com	(devel)	h1:...
    dep	golang.org/x/sys	v0.1.0	h1:...
    =>	../sys	v0.0.0	h1:...        (replaces the line above)
    build	GOARCH=amd64
    build	-ldflags="-X main.version=1.2.3"

The ``Scanner`` is fed the file chunk by chunk: it gives up after the first 4 bytes unless they
are ``\\x7fELF``, then looks for the magic at a 16-byte aligned offset (across chunk
boundaries), checks the header is a real one (zero padding, a version string starting with
``go`` or ``devel``: Go programs that import ``debug/buildinfo`` also carry the magic as a
string constant), and keeps the ELF header plus the build info only (bounded to 2 MiB).

Go < 1.18 wrote a pointer format (two virtual addresses into the data segment); following them
needs the whole file, so such binaries are reported as a ``CatalogError`` and skipped.

Packages, as syft 1.18.1's ``go-module-binary-cataloger`` emits them:

* each ``dep`` (its replacement when there is one) as ``go-module`` ``pkg:golang/<path>@<ver>``;
* the main module, whose ``(devel)`` version syft replaces with a version from ``-ldflags``
  (``-X ….version=1.2.3`` → ``v1.2.3``), else a pseudo-version from ``vcs.revision`` and
  ``vcs.time`` (``v0.0.0-20240101000000-abcdef123456``), else keeps ``(devel)``;
* ``stdlib`` at the Go version (``pkg:golang/stdlib@1.23.4``, BSD-3-Clause), once per binary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from reporter.catalog._langutil import elf_machine, sorted_metadata
from reporter.catalog.hashes import HashingScanner, split_hashes
from reporter.catalog.interface import Declared, FoundPackage, ParseContext, Scanner, WholeFile
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = ["CATALOGER", "BuildInfo", "GoBuildInfoScanner", "parse", "parse_modinfo", "wants"]

MAGIC = b"\xff Go buildinf:"
_HEADER = 32
_ELF_HEAD = 64  # what is kept of the file's start (ELF header: class, machine)
_KEEP_MAX = 2 * 1024 * 1024
_MIN_SIZE = 64 * 1024
_VERSION_MAX = 1024
_DEVEL = "(devel)"
_EXEC_BITS = 0o111

# syft's knownBuildFlagPatterns (parse_go_binary.go), tried in order on -ldflags
_LDFLAG_VERSION = (
    re.compile(r"\.([gG]it)?([bB]uild)?[vV]er(sion)?=(\S+/)*(?P<version>v?\d+.\d+.\d+[-\w]*)"),
    re.compile(r"\.([tT]ag)=(\S+/)*(?P<version>v?\d+.\d+.\d+[-\w]*)"),
)
_GO_VERSION = re.compile(r"^go\d+(\.\d+)*")


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


class GoBuildInfoScanner:
    """Streams an executable; keeps ELF header + Go build info, or nothing."""

    def __init__(self) -> None:
        self._head = bytearray()
        self._buf = bytearray()  # search window, or the candidate build info
        self._buf_off = 0  # file offset of _buf[0]
        self._collecting = False
        self._result: bytes | None = None
        self._dead = False

    def feed(self, chunk: bytes) -> bool:
        if self._dead or self._result is not None:
            return False
        if len(self._head) < _ELF_HEAD:
            self._head += chunk[: _ELF_HEAD - len(self._head)]
            if len(self._head) >= 4 and not self._head.startswith(b"\x7fELF"):
                self._dead = True
                return False
        self._buf += chunk
        return self._advance()

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
            if extent > 0:
                self._result = bytes(self._head) + bytes(self._buf[:extent])
                self._buf = bytearray()
                return False
            # not real build info: search again after this magic
            del self._buf[:1]
            self._buf_off += 1
            self._collecting = False

    def result(self) -> bytes | None:
        return self._result


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


def read_build_info(data: bytes, where: str) -> BuildInfo:
    """Scanner result (ELF head + build info) → parsed build info."""
    if not data.startswith(b"\x7fELF") or data[_ELF_HEAD : _ELF_HEAD + len(MAGIC)] != MAGIC:
        raise CatalogError("no Go build info kept for this file", where=where)
    blob = data[_ELF_HEAD:]
    if len(blob) < _HEADER:
        raise CatalogError("truncated Go build info header", where=where)
    if not blob[15] & 2:
        raise CatalogError(
            "Go build info in the pre-Go 1.18 pointer format is not read", where=where
        )
    first = _uvarint(blob, _HEADER)
    if first is None or first[1] + first[0] > len(blob):
        raise CatalogError("truncated Go version in build info", where=where)
    length, pos = first
    version = _decode(blob[pos : pos + length])
    second = _uvarint(blob, pos + length)
    if second is None or second[1] + second[0] > len(blob):
        raise CatalogError("truncated module info in build info", where=where)
    mod_len, mod_pos = second
    mod = blob[mod_pos : mod_pos + mod_len]
    # the 16-byte sentinels: strip them, or there is no module info (debug/buildinfo)
    mod = mod[16:-16] if len(mod) >= 33 and mod[-17] == 0x0A else b""
    return parse_modinfo(version, _decode(mod))


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


def main_module_version(info: BuildInfo, version: str) -> str:
    if version != _DEVEL:
        return version
    ldflags = info.setting("-ldflags")
    for pattern in _LDFLAG_VERSION:
        match = pattern.search(ldflags)
        if match:
            found = match.group("version")
            return found if found.startswith("v") else "v" + found
    revision, timestamp = info.setting("vcs.revision"), info.setting("vcs.time")
    if revision and timestamp:
        return _pseudo_version(revision, timestamp)
    return version


def packages_from(info: BuildInfo, arch: str) -> list[FoundPackage]:
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
        version = main_module_version(info, mod.version)
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


def wants(path: str, mode: int, size: int) -> WholeFile | Scanner | None:
    if size < _MIN_SIZE:
        return None
    if mode & _EXEC_BITS or path.endswith(".so") or ".so." in path:
        return HashingScanner(GoBuildInfoScanner())  # the binary's digests, same pass
    return None


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    data, hashes = split_hashes(data)
    info = read_build_info(data, path)
    arch = info.setting("GOARCH") or elf_machine(data[:_ELF_HEAD], path) or ctx.arch
    found = packages_from(info, arch)
    main = info.main or (Module(info.path, _DEVEL) if info.path else None)
    if hashes and main is not None:
        name = (main.replace or main).path  # the main module is the binary
        found = [replace(p, hashes=hashes) if p.name == name else p for p in found]
    return found


CATALOGER = Declared(name="go-module-binary-cataloger", wants=wants, parser=parse)
