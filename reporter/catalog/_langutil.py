"""Small helpers shared by the language catalogers (python, npm, golang, java, rust, ruby, php).

* ``load_json``: bytes → JSON value, raising only ``CatalogError``;
  ``json_text``: a JSON object's string member, trimmed, or ``""``.
* ``elf_sections``: the section table of an ELF file held in memory (name → offset, size).
"""

from __future__ import annotations

import struct
import zipfile
from typing import Any, NamedTuple

import orjson

from reporter.errors import CatalogError

__all__ = [
    "ZIP_ERRORS",
    "ElfSection",
    "elf_machine",
    "elf_sections",
    "json_text",
    "load_json",
    "minimal_elf",
    "sorted_metadata",
]


# What zipfile raises on hostile archives besides BadZipFile: NotImplementedError for an
# unsupported compression method, RuntimeError for encryption, the rest for bad headers.
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    RuntimeError,
    KeyError,
    IndexError,
    OverflowError,
    UnicodeDecodeError,
)


def load_json(data: bytes, where: str) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise CatalogError(f"not valid JSON: {exc}", where=where) from None


def json_text(doc: dict[str, Any], key: str) -> str:
    value = doc.get(key)
    return value.strip() if isinstance(value, str) else ""


def sorted_metadata(**fields: str) -> tuple[tuple[str, str], ...]:
    """Metadata pairs sorted by key, empty values dropped."""
    return tuple(sorted((k, v) for k, v in fields.items() if v))


# ELF (System V gABI, ch. 4): just enough to find a named section's bytes.
_ELF_MAGIC = b"\x7fELF"
ELF_MACHINES = {
    3: "386",
    8: "mips",
    20: "ppc",
    21: "ppc64",
    22: "s390x",
    40: "arm",
    62: "amd64",
    183: "arm64",
    243: "riscv64",
    258: "loong64",
}


class ElfSection(NamedTuple):
    offset: int
    size: int


def _elf_layout(data: bytes, where: str) -> tuple[str, bool]:
    if len(data) < 52 or not data.startswith(_ELF_MAGIC):
        raise CatalogError("not an ELF file", where=where)
    klass, encoding = data[4], data[5]
    if klass not in (1, 2) or encoding not in (1, 2):
        raise CatalogError("bad ELF identification", where=where)
    return ("<" if encoding == 1 else ">"), klass == 2


def elf_machine(data: bytes, where: str) -> str:
    """GOARCH-style name of the ELF machine (``amd64``, ``arm64``...), or ``""``."""
    endian, _ = _elf_layout(data, where)
    (machine,) = struct.unpack_from(endian + "H", data, 18)
    return ELF_MACHINES.get(machine, "")


def elf_sections(data: bytes, where: str) -> dict[str, ElfSection]:
    """Section name → (offset, size), bounds-checked against ``data``."""
    endian, is64 = _elf_layout(data, where)
    try:
        if is64:
            shoff, shentsize, shnum, shstrndx = (
                struct.unpack_from(endian + "Q", data, 0x28)[0],
                *struct.unpack_from(endian + "HHH", data, 0x3A),
            )
            entry_fmt = endian + "IIQQQQ"  # name, type, flags, addr, offset, size
        else:
            shoff, shentsize, shnum, shstrndx = (
                struct.unpack_from(endian + "I", data, 0x20)[0],
                *struct.unpack_from(endian + "HHH", data, 0x2E),
            )
            entry_fmt = endian + "IIIIII"
        if shnum == 0 or shentsize < struct.calcsize(entry_fmt):
            return {}
        if shoff + shnum * shentsize > len(data) or shstrndx >= shnum:
            raise CatalogError("ELF section table lies outside the file", where=where)
        raw: list[tuple[int, int, int]] = []
        for index in range(shnum):
            name_off, _type, _flags, _addr, offset, size = struct.unpack_from(
                entry_fmt, data, shoff + index * shentsize
            )
            raw.append((name_off, offset, size))
        _, str_off, str_size = raw[shstrndx]
        if str_off + str_size > len(data):
            raise CatalogError("ELF section names lie outside the file", where=where)
        names = data[str_off : str_off + str_size]
        sections: dict[str, ElfSection] = {}
        for name_off, offset, size in raw:
            if name_off >= len(names):
                continue
            end = names.find(b"\0", name_off)
            name = names[name_off : end if end >= 0 else len(names)].decode("latin-1")
            sections.setdefault(name, ElfSection(offset, size))
        return sections
    except struct.error as exc:
        raise CatalogError(f"truncated ELF headers: {exc}", where=where) from None


def minimal_elf(sections: dict[str, bytes], machine: int = 62) -> bytes:
    """A small valid ELF64 little-endian file holding only the given sections (+ .shstrtab).

    Scanners use it to keep just what a parser needs from a large executable; tests use it to
    make ELF inputs. Layout: header, section data, names, section header table.
    """
    names = b"\0"
    name_offsets: dict[str, int] = {}
    for name in [*sections, ".shstrtab"]:
        name_offsets[name] = len(names)
        names += name.encode() + b"\0"
    body = bytearray()
    placed: list[tuple[str, int, int]] = []
    offset = 64
    for name, content in sections.items():
        placed.append((name, offset + len(body), len(content)))
        body += content
    placed.append((".shstrtab", offset + len(body), len(names)))
    body += names
    while (offset + len(body)) % 8:
        body += b"\0"
    shoff = offset + len(body)
    shnum = len(placed) + 1
    header = (
        b"\x7fELF\x02\x01\x01"
        + b"\0" * 9
        + struct.pack(
            "<HHIQQQIHHHHHH", 2, machine, 1, 0, 0, shoff, 0, 64, 0, 0, 64, shnum, shnum - 1
        )
    )
    table = bytearray(b"\0" * 64)  # SHN_UNDEF
    for name, sec_offset, size in placed:
        sh_type = 3 if name == ".shstrtab" else 1  # SHT_STRTAB / SHT_PROGBITS
        table += struct.pack(
            "<IIQQQQIIQQ", name_offsets[name], sh_type, 0, 0, sec_offset, size, 0, 0, 1, 0
        )
    return header + bytes(body) + bytes(table)
