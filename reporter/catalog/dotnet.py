""".NET: assemblies' version resources (``*.dll``, ``*.exe``) and ``*.deps.json`` files.

**Portable executables.** syft 1.18.1's ``dotnet-portable-executable-cataloger`` (on in image
scans) reads every ``**/*.dll`` and ``**/*.exe`` and makes a ``dotnet`` package of each PE file
that carries a version resource, .NET or not (it does not look for a CLR header). The
resource is found as Microsoft's "PE Format" document lays out (optional header data
directory 2, the resource directory's type 16 = RT_VERSION, then name and language levels)
and read as the ``VS_VERSIONINFO`` tree of Microsoft's "Version Information" reference
(``StringFileInfo`` → ``StringTable`` → ``String`` key/value pairs, UTF-16LE, 32-bit aligned).
Name and version follow syft's choice: the name is the first non-empty of ProductName,
FileDescription, InternalName, OriginalFilename (for Microsoft's files FileDescription first,
ProductName last), spaces collapsed; the version the greater of ProductVersion and
FileVersion when both parse as versions, else the one with more punctuation.
purl ``pkg:nuget/<name>@<version>``.

Executables are big, so the file is not kept whole: ``PeScanner`` keeps the headers and the
section that holds the resource directory, nothing else.

**deps.json.** The dependency manifest the .NET SDK writes next to an application
(``<app>.deps.json``; format: dotnet/sdk ``documentation/specs/runtime-configuration-file.md``):
``libraries`` maps ``"<name>/<version>"`` to ``{"type": "project"|"package"|..., "sha512",
"path", ...}``. syft 1.18.1 reads it only in directory scans (its ``dotnet-deps-cataloger`` is
not in the image set); we read it in images too. As syft does, a file gives packages only when
a ``project`` library is named like the file (``app.deps.json`` → ``app``); then every
library is a ``dotnet`` package ``pkg:nuget/<name>@<version>``.
"""

from __future__ import annotations

import re
import struct

from reporter.catalog._langutil import json_text, load_json, sorted_metadata
from reporter.catalog.interface import Declared, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.purl import purl
from reporter.errors import CatalogError

__all__ = [
    "DEPS_CATALOGER",
    "PE_CATALOGER",
    "PeScanner",
    "choose_name",
    "choose_version",
    "parse_deps",
    "parse_pe",
    "version_strings",
    "wants_deps",
    "wants_pe",
]

# --- reading the PE file: whole bytes, or what PeScanner kept --------------------------------

_KEPT = b"\x00oci-reporter:pe-segments\x00"
_HEAD_MAX = 64 * 1024  # DOS stub + PE headers + section table
_RSRC_MAX = 32 * 1024 * 1024
_RT_VERSION = 16


class _Bytes:
    """File bytes by offset; a segment list when the scanner kept only parts of the file."""

    def __init__(self, data: bytes) -> None:
        self.segments: list[tuple[int, bytes]] = []
        if data.startswith(_KEPT):
            at = len(_KEPT)
            while at + 16 <= len(data):
                offset, length = struct.unpack_from("<QQ", data, at)
                at += 16
                self.segments.append((offset, data[at : at + length]))
                at += length
        else:
            self.segments.append((0, data))

    def read(self, offset: int, length: int) -> bytes:
        for start, chunk in self.segments:
            if start <= offset and offset + length <= start + len(chunk):
                return chunk[offset - start : offset - start + length]
        raise CatalogError(f"PE file truncated (no {length} bytes at {offset})")

    def u16(self, offset: int) -> int:
        return int(struct.unpack("<H", self.read(offset, 2))[0])

    def u32(self, offset: int) -> int:
        return int(struct.unpack("<I", self.read(offset, 4))[0])


def _sections(pe: _Bytes) -> tuple[list[tuple[int, int, int, int]], int]:
    """[(virtual address, virtual size, raw offset, raw size)], resource directory RVA."""
    if pe.read(0, 2) != b"MZ":
        raise CatalogError("not a PE file (no MZ)")
    header = pe.u32(0x3C)
    if pe.read(header, 4) != b"PE\x00\x00":
        raise CatalogError("not a PE file (no PE signature)")
    count, optional_size = pe.u16(header + 6), pe.u16(header + 20)
    optional = header + 24
    magic = pe.u16(optional)
    if magic not in (0x10B, 0x20B):
        raise CatalogError(f"unknown PE optional header magic {magic:#x}")
    directories = optional + (96 if magic == 0x10B else 112)
    rva_count = pe.u32(directories - 4)
    resource_rva = pe.u32(directories + 16) if rva_count > 2 else 0
    table = optional + optional_size
    sections = []
    for index in range(count):
        at = table + 40 * index
        vsize, vaddr, rsize, raw = struct.unpack("<IIII", pe.read(at + 8, 16))
        sections.append((vaddr, vsize, raw, rsize))
    return sections, resource_rva


def _resource_section(sections: list[tuple[int, int, int, int]], rva: int) -> tuple[int, int]:
    for vaddr, vsize, raw, rsize in sections:
        if vaddr <= rva < vaddr + max(vsize, rsize):
            return raw, rsize
    raise CatalogError(f"resource directory RVA {rva:#x} is in no section")


def _offset(sections: list[tuple[int, int, int, int]], rva: int) -> int:
    for vaddr, vsize, raw, rsize in sections:
        if vaddr <= rva < vaddr + max(vsize, rsize):
            return rva - vaddr + raw
    raise CatalogError(f"RVA {rva:#x} is in no section")


def _entries(pe: _Bytes, base: int, directory: int) -> list[tuple[int, int, bool]]:
    """A resource directory's entries: (name or id, offset from ``base``, is a directory)."""
    named, ids = pe.u16(base + directory + 12), pe.u16(base + directory + 14)
    out = []
    for index in range(min(named + ids, 4096)):
        name, target = struct.unpack("<II", pe.read(base + directory + 16 + 8 * index, 8))
        out.append((name, target & 0x7FFFFFFF, bool(target & 0x80000000)))
    return out


def _utf16z(pe: _Bytes, offset: int, limit: int) -> tuple[str, int]:
    """A NUL-terminated UTF-16LE string at ``offset`` (ending by ``limit``, and at most 64 Ki
    characters: a String's value is counted in a 16-bit field), and where it ends."""
    raw = pe.read(offset, max(0, min(limit, offset + 0x20000) - offset))
    match = _UTF16Z.match(raw)
    text = raw[: match.end() - 2] if match else raw[: len(raw) & ~1]
    return text.decode("utf-16-le", errors="replace"), offset + len(text) + 2


_UTF16Z = re.compile(rb"(?:..)*?\x00\x00", re.DOTALL)


def _align(offset: int, start: int) -> int:
    return start + ((offset - start + 3) & ~3)


def _blocks(pe: _Bytes, start: int, end: int) -> list[tuple[str, int, int, int]]:
    """The version-info blocks between ``start`` and ``end``: (szKey, where the Value starts,
    wValueLength, where the block ends). Children follow the Value, 32-bit aligned."""
    out: list[tuple[str, int, int, int]] = []
    at = start
    while at + 6 <= end and len(out) < 4096:
        length, value_length, _kind = struct.unpack("<HHH", pe.read(at, 6))
        if length < 6:
            break
        block_end = min(at + length, end)
        key, after_key = _utf16z(pe, at + 6, block_end)
        value_at = _align(after_key, start)
        out.append((key, value_at, value_length, block_end))
        at = _align(at + length, start)
    return out


def version_strings(data: bytes) -> dict[str, str]:
    """The String key/value pairs of a PE file's version resource: of the first resource
    name, every language (later ones win), the first StringTable of each (as syft's PE library,
    saferwall/pe, reads them)."""
    pe = _Bytes(data)
    sections, rva = _sections(pe)
    if not rva:
        return {}
    base = _offset(sections, rva)
    found: dict[str, str] = {}
    for type_id, target, is_dir in _entries(pe, base, 0):
        if type_id != _RT_VERSION or not is_dir:
            continue
        names = _entries(pe, base, target)
        if not names or not names[0][2]:
            continue
        for _lang, leaf, leaf_is_dir in _entries(pe, base, names[0][1]):
            if leaf_is_dir:
                continue
            data_rva, size = pe.u32(base + leaf), pe.u32(base + leaf + 4)
            start = _offset(sections, data_rva)
            found.update(_version_info(pe, start, start + size))
    return found


def _version_info(pe: _Bytes, start: int, end: int) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value_at, value_length, block_end in _blocks(pe, start, end):
        if key != "VS_VERSION_INFO":
            continue
        children = _align(value_at + value_length, start)  # VS_FIXEDFILEINFO is in bytes
        for info_key, info_value, _vl, info_end in _blocks(pe, children, block_end):
            if info_key != "StringFileInfo":
                continue
            # the first StringTable only: the PE library syft uses stops after it
            for _lang, table_at, _tl, table_end in _blocks(pe, info_value, info_end)[:1]:
                for name, at, words, string_end in _blocks(pe, table_at, table_end):
                    limit = min(string_end, at + 2 * words) if words else at
                    value, _ = _utf16z(pe, at, limit)
                    out[name] = value
    return out


# --- choosing name and version as syft 1.18.1 does -------------------------------------------

_SPACES = re.compile(r"[\s\xa0]+")
_CONTROL = re.compile(r"[\x00-\x1f]")
_PUNCTUATION = re.compile(r"[.,]+")
# hashicorp/go-version's pattern (anchore's fork): numeric segments, optional pre-release and
# metadata; anything else is not a version for the comparison
_VERSION = re.compile(
    r"^v?([0-9]+(\.[0-9]+)*?)"
    r"(-([0-9]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)|(-?([A-Za-z\-~]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)))?"
    r"(\+([0-9A-Za-z\-~]+(\.[0-9A-Za-z\-~]+)*))?"
    r"([\+\.\-~]g[0-9A-Fa-f]{10}$)?$"
)


def _normal(value: str) -> str:
    value = _SPACES.sub(" ", value.strip())
    return _SPACES.sub(" ", _CONTROL.sub("", value)).strip()


def choose_name(strings: dict[str, str]) -> str:
    fields = ["ProductName", "FileDescription", "InternalName", "OriginalFilename"]
    company = (strings.get("CompanyName", "") + strings.get("ProductName", "")).lower()
    if "microsoft" in company:
        fields = ["FileDescription", "InternalName", "OriginalFilename", "ProductName"]
    for field in fields:
        value = _normal(strings.get(field, ""))
        if value:
            return value
    return ""


def _extract(version: str) -> str:
    """The leading words up to the first word without a digit after one with ("4.7.4076.0
    built by: NET472REL1LAST_B" → "4.7.4076.0")."""
    out = ""
    for index, word in enumerate(version.split()):
        if _has_digit(out) and not _has_digit(word):
            return out
        out = word if index == 0 else f"{out} {word}"
    return out


def _has_digit(text: str) -> bool:
    return any(c in "0123456789" for c in text)


def _semver(text: str) -> tuple[tuple[int, ...], str] | None:
    match = _VERSION.match(text.strip())
    if not match:
        return None
    numbers = tuple(int(n) for n in match.group(1).split("."))
    numbers += (0,) * (3 - len(numbers)) if len(numbers) < 3 else ()
    return numbers, match.group(4) or match.group(7) or ""


def _compare(a: tuple[tuple[int, ...], str], b: tuple[tuple[int, ...], str]) -> int:
    width = max(len(a[0]), len(b[0]))
    left, right = a[0] + (0,) * (width - len(a[0])), b[0] + (0,) * (width - len(b[0]))
    if left != right:
        return -1 if left < right else 1
    if a[1] == b[1]:
        return 0
    if not a[1] or not b[1]:
        return 1 if not a[1] else -1  # a release is greater than its pre-release
    return -1 if a[1] < b[1] else 1


def choose_version(strings: dict[str, str]) -> str:
    product = _extract(strings.get("ProductVersion", ""))
    file = _extract(strings.get("FileVersion", ""))
    product_v, file_v = _semver(product), _semver(file)
    if product_v is not None:
        if file_v is None:
            return product
        order = _compare(file_v, product_v)
        if order:
            return file if order > 0 else product
    product_detail = len(_PUNCTUATION.findall(product))
    file_detail = len(_PUNCTUATION.findall(file))
    if _has_digit(product) and product_detail >= file_detail:
        return product
    if _has_digit(file) and file_detail > 0:
        return file
    if _has_digit(product):
        return product
    if _has_digit(file):
        return file
    return product


# --- the PE cataloger -----------------------------------------------------------------------


class PeScanner:
    """Keeps a PE file's headers and the section holding its resources (``version_strings``
    reads the result as it reads a whole file); stops at once on anything else."""

    def __init__(self) -> None:
        self._head = bytearray()
        self._at = 0  # file offset of the next chunk
        self._want: tuple[int, int] | None = None  # resource section (offset, size)
        self._rsrc = bytearray()
        self._failed = False

    def feed(self, chunk: bytes) -> bool:
        start = self._at
        self._at += len(chunk)
        if self._want is None:
            self._head += chunk
            if len(self._head) >= 2 and self._head[:2] != b"MZ":
                self._failed = True
                return False
            try:
                sections, rva = _sections(_Bytes(bytes(self._head)))
                self._want = _resource_section(sections, rva) if rva else (0, 0)
            except CatalogError:
                if len(self._head) >= _HEAD_MAX:
                    self._failed = True
                    return False
                return True
            if self._want[1] > _RSRC_MAX:
                self._failed = True
                return False
            # what came so far may already reach into the resource section
            chunk, start = bytes(self._head), 0
            self._head = self._head[:_HEAD_MAX]
        offset, size = self._want
        lo, hi = max(start, offset), min(start + len(chunk), offset + size)
        if lo < hi:
            self._rsrc += chunk[lo - start : hi - start]
        return self._at < offset + size

    def result(self) -> bytes | None:
        if self._failed or self._want is None:
            return None
        head = bytes(self._head)
        out = [_KEPT, struct.pack("<QQ", 0, len(head)), head]
        if self._rsrc:
            out += [struct.pack("<QQ", self._want[0], len(self._rsrc)), bytes(self._rsrc)]
        return b"".join(out)


def wants_pe(path: str, mode: int, size: int) -> PeScanner | None:
    if path.endswith((".dll", ".exe")):
        return PeScanner()
    return None


def parse_pe(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    strings = version_strings(data)
    name, version = choose_name(strings), choose_version(strings)
    if not name or not version:
        return []  # syft: "unable to find PE name/version": no package
    return [
        FoundPackage(
            type="dotnet",
            name=name,
            version=version,
            purl=purl("nuget", "", name, version),
            metadata=sorted_metadata(
                assembly_version=strings.get("Assembly Version", ""),
                company_name=strings.get("CompanyName", ""),
                internal_name=strings.get("InternalName", ""),
                product_version=strings.get("ProductVersion", ""),
            ),
            supplier=_normal(strings.get("CompanyName", "")),
        )
    ]


PE_CATALOGER = Declared(
    name="dotnet-portable-executable-cataloger",
    wants=wants_pe,
    hint=Hint(suffixes=(".dll", ".exe")),
    parser=parse_pe,
    unreadable=(struct.error, UnicodeDecodeError),
    what="PE file",
)


# --- deps.json ------------------------------------------------------------------------------

_DEPS_MAX = WholeFile(32 * 1024 * 1024)
_DEPS_SUFFIX = ".deps.json"


def wants_deps(path: str, mode: int, size: int) -> WholeFile | None:
    return _DEPS_MAX if path.endswith(_DEPS_SUFFIX) else None


def _split(name_version: str) -> tuple[str, str]:
    name, _, version = name_version.partition("/")
    return name, version


def parse_deps(path: str, data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    doc = load_json(data, path)
    libraries = doc.get("libraries") if isinstance(doc, dict) else None
    if not isinstance(libraries, dict):
        raise CatalogError("deps.json has no libraries object", where=path)
    root = path.rsplit("/", 1)[-1].removesuffix(_DEPS_SUFFIX)
    entries = {key: lib for key, lib in libraries.items() if isinstance(lib, dict)}
    if not any(
        _split(key)[0] == root and json_text(lib, "type") == "project"
        for key, lib in entries.items()
    ):
        return []  # syft: "unable to determine root package": nothing from this file
    found = []
    for key in sorted(entries):
        name, version = _split(key)
        lib = entries[key]
        sha512 = json_text(lib, "sha512")
        found.append(
            FoundPackage(
                type="dotnet",
                name=name,
                version=version,
                purl=purl("nuget", "", name, version),
                metadata=sorted_metadata(
                    library_type=json_text(lib, "type"),
                    path=json_text(lib, "path"),
                    sha512=sha512,
                ),
            )
        )
    return found


DEPS_CATALOGER = Declared(
    name="dotnet-deps-cataloger",
    wants=wants_deps,
    parser=parse_deps,
    hint=Hint(suffixes=(_DEPS_SUFFIX,)),
)
