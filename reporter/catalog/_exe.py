"""Just enough of ELF, Mach-O and PE to find sections and map virtual addresses to file offsets.

Shared by the Go build-info and cargo-auditable catalogers. Everything here reads the headers
at the start of a file (Mach-O load commands and PE section headers always sit there; ELF
program headers nearly always do, ELF section headers often do not), so a streaming scanner
can learn the layout from the first bytes and pick what it needs as the rest streams past.

* ``detect(head)``: ``"elf"``, ``"macho"``, ``"pe"`` or ``None`` from the first 4 bytes
  (fat Mach-O, ``\\xca\\xfe\\xba\\xbe``, is left out: it is also the Java class magic);
* ``read_layout(data, where)``: the format, GOARCH-style machine name, and the file-backed
  segments and sections, from ``data`` (the whole file or just its start);
* ``Layout.offset_of(vaddr, size)``: the file offset of a virtual address range, as Go's
  ``debug/buildinfo`` reads it (ELF ``PT_LOAD`` / Mach-O segments / PE sections by RVA).

References: System V gABI ch. 4-5 (ELF), Apple ``<mach-o/loader.h>``, Microsoft PE/COFF
specification (sections 2-4). Anything truncated or inconsistent is a ``CatalogError``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from reporter.catalog._langutil import ELF_MACHINES  # GOARCH names of ELF e_machine
from reporter.errors import CatalogError

__all__ = ["HEAD_MAX", "Layout", "Region", "detect", "read_layout"]

HEAD_MAX = 64 * 1024  # what a scanner keeps of a file's start to read its headers

_MACHO_MAGICS = {
    b"\xfe\xed\xfa\xce": (">", False),
    b"\xfe\xed\xfa\xcf": (">", True),
    b"\xce\xfa\xed\xfe": ("<", False),
    b"\xcf\xfa\xed\xfe": ("<", True),
}
_MACHO_CPUS = {7: "386", 0x01000007: "amd64", 12: "arm", 0x0100000C: "arm64", 18: "ppc"}
_MACHO_CPUS[0x01000012] = "ppc64"
_PE_MACHINES = {0x14C: "386", 0x8664: "amd64", 0x1C0: "arm", 0x1C4: "arm", 0xAA64: "arm64"}
_PT_LOAD = 1
_PF_W = 2
_LC_SEGMENT, _LC_SEGMENT_64 = 0x1, 0x19


def detect(head: bytes | bytearray) -> str | None:
    magic = bytes(head[:4])
    if magic == b"\x7fELF":
        return "elf"
    if magic in _MACHO_MAGICS:
        return "macho"
    if magic[:2] == b"MZ":
        return "pe"
    return None


@dataclass(frozen=True, slots=True)
class Region:
    """A file-backed range: its name (segment or section), virtual address, file offset, size."""

    name: str
    vaddr: int
    offset: int
    size: int
    writable: bool = False  # ELF PT_LOAD with PF_W (Go puts its build info in such a segment)


@dataclass(frozen=True, slots=True)
class Layout:
    format: str
    machine: str  # GOARCH spelling ("amd64"), "" when unknown
    big_endian: bool
    segments: tuple[Region, ...]  # what virtual addresses map through
    sections: tuple[Region, ...]  # named sections known from the headers read

    def offset_of(self, vaddr: int, size: int) -> int | None:
        for seg in self.segments:
            if seg.vaddr <= vaddr and vaddr + size <= seg.vaddr + seg.size:
                return seg.offset + (vaddr - seg.vaddr)
        return None

    def section(self, name: str) -> Region | None:
        return next((s for s in self.sections if s.name == name), None)


def _cstr(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("latin-1")


def _elf(data: bytes, where: str) -> Layout:
    if len(data) < 52 or data[4] not in (1, 2) or data[5] not in (1, 2):
        raise CatalogError("bad ELF identification", where=where)
    end, is64 = ("<" if data[5] == 1 else ">"), data[4] == 2
    (machine,) = struct.unpack_from(end + "H", data, 18)
    if is64:
        (phoff,) = struct.unpack_from(end + "Q", data, 0x20)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x36)
        fmt = end + "IIQQQQ"  # type, flags, offset, vaddr, paddr, filesz
    else:
        (phoff,) = struct.unpack_from(end + "I", data, 0x1C)
        phentsize, phnum = struct.unpack_from(end + "HH", data, 0x2A)
        fmt = end + "IIIIIII"  # type, offset, vaddr, paddr, filesz, memsz, flags
    if phnum and phentsize < struct.calcsize(fmt):
        raise CatalogError("ELF program header entries too small", where=where)
    if phoff + phnum * phentsize > len(data):
        raise CatalogError("ELF program headers lie past the bytes read", where=where)
    segments = []
    for index in range(phnum):
        fields = struct.unpack_from(fmt, data, phoff + index * phentsize)
        if is64:
            p_type, flags, offset, vaddr, _paddr, filesz = fields
        else:
            p_type, offset, vaddr, _paddr, filesz, _memsz, flags = fields
        if p_type == _PT_LOAD and filesz:
            segments.append(Region("PT_LOAD", vaddr, offset, filesz, bool(flags & _PF_W)))
    return Layout("elf", ELF_MACHINES.get(machine, ""), end == ">", tuple(segments), ())


def _macho(data: bytes, where: str) -> Layout:
    end, is64 = _MACHO_MAGICS[bytes(data[:4])]
    header = 32 if is64 else 28
    if len(data) < header:
        raise CatalogError("truncated Mach-O header", where=where)
    cputype, _sub, _ftype, ncmds, sizeofcmds = struct.unpack_from(end + "iIIII", data, 4)
    if header + sizeofcmds > len(data):
        raise CatalogError("Mach-O load commands lie past the bytes read", where=where)
    segments: list[Region] = []
    sections: list[Region] = []
    pos = header
    for _ in range(ncmds):
        if pos + 8 > header + sizeofcmds:
            raise CatalogError("Mach-O load command overruns sizeofcmds", where=where)
        cmd, cmdsize = struct.unpack_from(end + "II", data, pos)
        if cmdsize < 8 or pos + cmdsize > header + sizeofcmds:
            raise CatalogError("bad Mach-O load command size", where=where)
        if cmd in (_LC_SEGMENT, _LC_SEGMENT_64):
            wide = cmd == _LC_SEGMENT_64
            seg_fmt, sect_fmt = (end + "16sQQQQiiII", 80) if wide else (end + "16sIIIIiiII", 68)
            if cmdsize < 8 + struct.calcsize(seg_fmt):
                raise CatalogError("Mach-O segment command too small", where=where)
            segname, vmaddr, _vmsize, fileoff, filesize, _mx, _ip, nsects, _fl = struct.unpack_from(
                seg_fmt, data, pos + 8
            )
            if filesize:
                segments.append(Region(_cstr(segname), vmaddr, fileoff, filesize))
            sect_pos = pos + 8 + struct.calcsize(seg_fmt)
            if sect_pos + nsects * sect_fmt > pos + cmdsize:
                raise CatalogError("Mach-O sections overrun their segment command", where=where)
            for index in range(nsects):
                at = sect_pos + index * sect_fmt
                name = _cstr(data[at : at + 16])
                if wide:
                    addr, size = struct.unpack_from(end + "QQ", data, at + 32)
                    (offset,) = struct.unpack_from(end + "I", data, at + 48)
                else:
                    addr, size, offset = struct.unpack_from(end + "III", data, at + 32)
                if offset:  # zero-fill sections (__bss) have no file bytes
                    sections.append(Region(name, addr, offset, size))
        pos += cmdsize
    return Layout(
        "macho", _MACHO_CPUS.get(cputype, ""), end == ">", tuple(segments), tuple(sections)
    )


def _pe(data: bytes, where: str) -> Layout:
    if len(data) < 0x40:
        raise CatalogError("truncated DOS header", where=where)
    (lfanew,) = struct.unpack_from("<I", data, 0x3C)
    if lfanew + 24 > len(data) or data[lfanew : lfanew + 4] != b"PE\0\0":
        raise CatalogError("no PE signature where the DOS header points", where=where)
    machine, nsects, _ts, _symptr, _nsyms, optsize, _chars = struct.unpack_from(
        "<HHIIIHH", data, lfanew + 4
    )
    opt = lfanew + 24
    if opt + optsize + nsects * 40 > len(data) or optsize < 2:
        raise CatalogError("PE section table lies past the bytes read", where=where)
    (opt_magic,) = struct.unpack_from("<H", data, opt)
    if opt_magic == 0x20B and optsize >= 32:
        (image_base,) = struct.unpack_from("<Q", data, opt + 24)
    elif opt_magic == 0x10B and optsize >= 32:
        (image_base,) = struct.unpack_from("<I", data, opt + 28)
    else:
        raise CatalogError("unknown PE optional header", where=where)
    sections = []
    for index in range(nsects):
        at = opt + optsize + index * 40
        name = _cstr(data[at : at + 8])
        vsize, rva, raw_size, raw_ptr = struct.unpack_from("<IIII", data, at + 8)
        # file bytes are the smaller of the two sizes (the rest is zero-filled in memory)
        size = min(vsize, raw_size) if vsize else raw_size
        if raw_ptr and size:
            sections.append(Region(name, image_base + rva, raw_ptr, size))
    regions = tuple(sections)
    return Layout("pe", _PE_MACHINES.get(machine, ""), False, regions, regions)


def read_layout(data: bytes, where: str) -> Layout:
    """The layout described by the headers at the start of ``data``."""
    kind = detect(data)
    try:
        if kind == "elf":
            return _elf(data, where)
        if kind == "macho":
            return _macho(data, where)
        if kind == "pe":
            return _pe(data, where)
    except struct.error as exc:
        raise CatalogError(f"truncated executable headers: {exc}", where=where) from None
    raise CatalogError("not an ELF, Mach-O or PE file", where=where)
