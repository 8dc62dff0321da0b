"""Rust crates recorded by cargo-auditable in executables (section ``.dep-v0``: ELF, Mach-O, PE).

cargo-auditable embeds zlib-compressed JSON in a ``.dep-v0`` section::

    {"packages": [{"name": "serde", "version": "1.0.193", "source": "crates.io",
                   "kind": "runtime", "dependencies": [1], "root": false}, ...]}

As syft 1.18.1's ``cargo-auditable-binary-cataloger`` does, every package whose ``kind`` is not
``build`` (build scripts' dependencies are not in the binary) becomes a ``rust-crate``
``pkg:cargo/<name>@<version>``, the root crate included.

The scanner buffers an executable (up to ``_FILE_MAX``) only while it streams: ELF keeps its
section table at the end, so the section can be found only then. What it keeps is a minimal
ELF holding the ``.dep-v0`` section alone, so large binaries are not held until parse time;
``parse`` accepts any ELF (the full file as well).

Mach-O and PE describe their sections in the headers at the start of the file (Mach-O load
commands, PE section table; ``reporter.catalog._exe``), so for them the scanner reads the
headers from the first bytes and copies only the section's bytes as they stream past (Mach-O:
a section named ``.dep-v0`` in any segment, as syft's go-rustaudit looks it up by name).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import replace

from reporter.catalog._exe import HEAD_MAX, Region, detect, read_layout
from reporter.catalog._langutil import elf_sections, load_json, minimal_elf, sorted_metadata
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

__all__ = ["CATALOGER", "AuditableScanner", "parse", "parse_dep_v0", "wants"]

SECTION = ".dep-v0"
_FILE_MAX = 64 * 1024 * 1024
_MIN_SIZE = 1024
_JSON_MAX = 16 * 1024 * 1024
_EXEC_BITS = 0o111


def _table_end(head: bytes | bytearray) -> int | None:
    """Where the section header table ends, from the ELF header; None if not an ELF we read."""
    if len(head) < 64 or head[4] not in (1, 2) or head[5] not in (1, 2):
        return None
    endian = "<" if head[5] == 1 else ">"
    if head[4] == 2:
        (shoff,) = struct.unpack_from(endian + "Q", head, 0x28)
        shentsize, shnum = struct.unpack_from(endian + "HH", head, 0x3A)
    else:
        (shoff,) = struct.unpack_from(endian + "I", head, 0x20)
        shentsize, shnum = struct.unpack_from(endian + "HH", head, 0x2E)
    if shnum == 0 or shentsize == 0:
        return None
    return int(shoff + shnum * shentsize)


class AuditableScanner:
    # Chunks are kept in a list and joined once: growing one bytearray re-copies big binaries.
    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0
        self._head = b""
        self._format: str | None = None
        self._end: int | None = None
        self._section: Region | None = None  # Mach-O / PE: where the section lies
        self._content = bytearray()
        self._done = False
        self._result: bytes | None = None

    def feed(self, chunk: bytes) -> bool:
        if self._done:
            return False
        base = self._size
        self._size += len(chunk)
        if len(self._head) < HEAD_MAX:
            self._head += chunk[: HEAD_MAX - len(self._head)]
        if self._format is None and len(self._head) >= 4:
            self._format = detect(self._head)
            if self._format is None:
                return self._stop()
        if self._format in ("macho", "pe"):
            return self._feed_headed(chunk, base)
        self._parts.append(chunk)
        if self._end is None and len(self._head) >= 64:
            self._end = _table_end(self._head)
            if self._end is None or self._end > _FILE_MAX:
                return self._stop()
        if self._end is not None and self._size >= self._end:
            self._finish()
            return False
        if self._size > _FILE_MAX:
            return self._stop()
        return True

    def _feed_headed(self, chunk: bytes, base: int) -> bool:
        """Mach-O / PE: the section table is in the head; copy the section as it passes."""
        if self._section is None:
            self._parts.append(chunk)  # only until the headers are read (at most HEAD_MAX)
            try:
                layout = read_layout(self._head, "")
            except CatalogError:
                return len(self._head) < HEAD_MAX or self._stop()
            section = layout.section(SECTION)
            if section is None or section.size > _JSON_MAX:
                return self._stop()
            self._section = section
            passed, self._parts = b"".join(self._parts), []
            self._content += passed[section.offset : section.offset + section.size]
        else:
            section = self._section
            want = section.offset + len(self._content)
            if base <= want < base + len(chunk):
                self._content += chunk[want - base : section.offset + section.size - base]
        if len(self._content) >= section.size:
            self._done = True
            self._result = minimal_elf({SECTION: bytes(self._content)})
            self._content = bytearray()
            return False
        if section.offset + len(self._content) < self._size:
            return self._stop()  # a gap: cannot happen with sequential chunks
        return True

    def _stop(self) -> bool:
        self._done = True
        self._parts = []
        self._content = bytearray()
        return False

    def _finish(self) -> None:
        self._done = True
        data, self._parts = b"".join(self._parts), []
        try:
            section = elf_sections(data, "").get(SECTION)
        except CatalogError:
            return
        if section is None or section.offset + section.size > len(data):
            return
        (machine,) = struct.unpack_from("<H" if data[5] == 1 else ">H", data, 18)
        content = data[section.offset : section.offset + section.size]
        self._result = minimal_elf({SECTION: content}, machine)

    def result(self) -> bytes | None:
        if not self._done and self._end is not None and self._size >= self._end:
            self._finish()
        return self._result


def _text(entry: dict[str, object], key: str) -> str:
    value = entry.get(key)
    return value if isinstance(value, str) else ""


def parse_dep_v0(compressed: bytes, where: str) -> list[FoundPackage]:
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(compressed, _JSON_MAX)
    except zlib.error as exc:
        raise CatalogError(f"{SECTION} is not zlib data: {exc}", where=where) from None
    if inflater.unconsumed_tail:
        raise CatalogError(f"{SECTION} inflates past {_JSON_MAX} bytes", where=where)
    doc = load_json(raw, where)
    packages = doc.get("packages") if isinstance(doc, dict) else None
    if not isinstance(packages, list):
        raise CatalogError(f"{SECTION} has no packages list", where=where)
    found: list[FoundPackage] = []
    for entry in packages:
        if not isinstance(entry, dict):
            continue
        name, version = _text(entry, "name"), _text(entry, "version")
        if not name or _text(entry, "kind") == "build":
            continue
        found.append(
            FoundPackage(
                type="rust-crate",
                name=name,
                version=version,
                purl=purl("cargo", "", name, version),
                metadata=sorted_metadata(
                    source=_text(entry, "source"),
                    root="true" if entry.get("root") is True else "",
                ),
            )
        )
    return found


def wants(path: str, mode: int, size: int) -> Digested | None:
    if mode & _EXEC_BITS and _MIN_SIZE <= size <= _FILE_MAX:
        return Digested(AuditableScanner())  # and the binary's digests, hashed by the walker
    return None


def _section_of(data: bytes, where: str) -> tuple[int, int] | None:
    if detect(data) in ("macho", "pe"):
        found = read_layout(data, where).section(SECTION)
        return None if found is None else (found.offset, found.size)
    elf = elf_sections(data, where).get(SECTION)
    return None if elf is None else (elf.offset, elf.size)


def parse(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    data, hashes = split_digests(data)
    section = _section_of(data, path)
    if section is None:
        return []
    offset, size = section
    if offset + size > len(data):
        raise CatalogError(f"{SECTION} lies outside the file", where=path)
    found = parse_dep_v0(data[offset : offset + size], path)
    # the root crate is the binary
    return [
        replace(p, hashes=hashes) if hashes and ("root", "true") in p.metadata else p for p in found
    ]


CATALOGER = Declared(
    name="cargo-auditable-binary-cataloger",
    wants=wants,
    parser=parse,
    hint=Hint(executable=True),
)
