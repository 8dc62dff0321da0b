"""RPM databases: sqlite ``rpmdb.sqlite``, Berkeley DB ``Packages``, NDB ``Packages.db``, and
the CBL-Mariner / Azure Linux distroless ``var/lib/rpmmanifest/container-manifest-2``.

All three hold the same thing, one rpm *header blob* per installed package; only the container
differs. Everything is read in memory (the sqlite file through ``Connection.deserialize``;
nothing is ever written to disk). The readers follow syft 1.18.1's (knqyf263/go-rpmdb):

* sqlite: ``SELECT blob FROM Packages`` (rpm's lib/backend/sqlite.c);
* Berkeley DB hash (rpm < 4.16; libdb ``src/dbinc/db_page.h``): page 0 is the hash metadata
  page (magic 0x061561, page size at 20, last page number at 32, either byte order); every
  hash page (type 13, or 2 for old unsorted ones) holds key/value item offsets after its
  26-byte header, and each value of type H_OFFPAGE (3) points to a chain of overflow pages
  (type 7) holding the header blob — ``hf_offset`` (bytes 22-23) is the used length of the
  last page of a chain;
* NDB (SUSE, rpm's lib/backend/ndb/rpmpkg.c): a 32-byte header ``RpmP``, version 0, the
  number of 4 KiB slot pages; slots of 16 bytes (``Slot``, package index, block offset, block
  count; the first two slots are the header); a blob at ``block offset * 16`` starts with a
  16-byte ``BlbS`` header (magic, package index, checksum, length).

A header blob (rpm's lib/header.c, "headerImport"): big-endian entry count ``il`` and data size
``dl``, ``il`` 16-byte entries (tag, type, offset, count), then ``dl`` bytes of data.

purl as syft's redhat cataloger: ``pkg:rpm/<distro id, rhel → redhat>/<name>@<version>-<release>``
with qualifiers ``arch``, ``epoch`` (not in the version), ``upstream`` (the source rpm) and
``distro=<id>-<version_id>``; the package version is ``[epoch:]version-release``.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from reporter.catalog.interface import Declared, Distro, FoundPackage, Hint, ParseContext, WholeFile
from reporter.catalog.licences import spdx_license
from reporter.catalog.purl import distro_qualifier, purl
from reporter.errors import CatalogError

__all__ = [
    "CATALOGER",
    "MANIFEST",
    "Header",
    "blobs_from_bdb",
    "blobs_from_ndb",
    "blobs_from_sqlite",
]

# syft's glob: **/{var/lib,usr/share,usr/lib/sysimage}/rpm/{Packages,Packages.db,rpmdb.sqlite}
_DIRS = ("var/lib/rpm/", "usr/share/rpm/", "usr/lib/sysimage/rpm/")
_FILES = ("Packages", "Packages.db", "rpmdb.sqlite")
_DB_MAX = WholeFile(max_bytes=1024 * 1024 * 1024)
# CBL-Mariner / Azure Linux distroless images have no rpmdb, only this (syft's glob:
# **/var/lib/rpmmanifest/container-manifest-2)
MANIFEST = "var/lib/rpmmanifest/container-manifest-2"
_MANIFEST_NAME = "container-manifest-2"

TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_SIZE = 1009
TAG_VENDOR = 1011
TAG_LICENSE = 1014
TAG_PACKAGER = 1015
TAG_PROVIDENAME = 1047
TAG_REQUIRENAME = 1049
TAG_ARCH = 1022
TAG_SOURCERPM = 1044
TAG_MODULARITYLABEL = 5096

_TYPE_INT16 = 3
_TYPE_INT32 = 4
_TYPE_INT64 = 5
_TYPE_STRING = 6
_TYPE_STRING_ARRAY = 8
_TYPE_I18NSTRING = 9
_HEADER_MAX_DATA = 256 * 1024 * 1024  # rpm's HEADER_DATA_MAX
_HEADER_MAX_TAGS = 0xFFFF  # rpm's HEADER_TAGS_MAX


def wants(path: str, mode: int, size: int) -> WholeFile | None:
    directory, _, base = path.rpartition("/")
    if base == _MANIFEST_NAME:
        return _DB_MAX if path == MANIFEST or path.endswith("/" + MANIFEST) else None
    if base not in _FILES:
        return None
    directory += "/"
    for prefix in _DIRS:
        if directory == prefix or directory.endswith("/" + prefix):
            return _DB_MAX
    return None


# --- header blobs -------------------------------------------------------------------------


class Header:
    """The tags of one rpm header blob that we read."""

    __slots__ = ("_data", "_entries")

    def __init__(self, blob: bytes) -> None:
        if len(blob) < 8:
            raise CatalogError("rpm header blob shorter than its preamble")
        il, dl = struct.unpack_from(">II", blob, 0)
        if not 0 < il <= _HEADER_MAX_TAGS or dl > _HEADER_MAX_DATA:
            raise CatalogError(f"rpm header with {il} tags and {dl} data bytes")
        start = 8 + 16 * il
        if len(blob) < start + dl:
            raise CatalogError("rpm header blob truncated")
        self._data = blob[start : start + dl]
        self._entries: dict[int, tuple[int, int, int]] = {}
        for i in range(il):
            tag, kind, offset, count = struct.unpack_from(">iIiI", blob, 8 + 16 * i)
            if offset < 0 or offset > dl:
                if 61 <= tag <= 63:
                    continue  # region tags point at their trailer with negative offsets
                raise CatalogError(f"rpm header tag {tag} points outside the data")
            self._entries.setdefault(tag, (kind, offset, count))

    def string(self, tag: int) -> str:
        entry = self._entries.get(tag)
        if entry is None:
            return ""
        kind, offset, count = entry
        if kind not in (_TYPE_STRING, _TYPE_STRING_ARRAY, _TYPE_I18NSTRING) or count == 0:
            raise CatalogError(f"rpm header tag {tag} is not a string (type {kind})")
        end = self._data.find(b"\x00", offset)
        if end == -1:
            raise CatalogError(f"rpm header tag {tag}: unterminated string")
        return self._data[offset:end].decode("utf-8", errors="replace")

    def strings(self, tag: int) -> tuple[str, ...]:
        """A STRING_ARRAY tag's values ("" entries dropped); () when absent."""
        entry = self._entries.get(tag)
        if entry is None:
            return ()
        kind, offset, count = entry
        if kind != _TYPE_STRING_ARRAY:
            return (self.string(tag),)
        values = []
        for _ in range(min(count, len(self._data))):
            end = self._data.find(b"\x00", offset)
            if end == -1:
                raise CatalogError(f"rpm header tag {tag}: unterminated string")
            values.append(self._data[offset:end].decode("utf-8", errors="replace"))
            offset = end + 1
        return tuple(v for v in values if v)

    def integer(self, tag: int) -> int | None:
        entry = self._entries.get(tag)
        if entry is None:
            return None
        kind, offset, count = entry
        formats = {_TYPE_INT16: ">H", _TYPE_INT32: ">I", _TYPE_INT64: ">Q"}
        fmt = formats.get(kind)
        if fmt is None or count == 0 or offset + struct.calcsize(fmt) > len(self._data):
            raise CatalogError(f"rpm header tag {tag} is not a readable integer (type {kind})")
        value: int = struct.unpack_from(fmt, self._data, offset)[0]
        return value


# --- the three containers -------------------------------------------------------------------


def blobs_from_sqlite(data: bytes) -> list[bytes]:
    # A WAL-mode database (header bytes 18-19 = 2) cannot be deserialized as is; marking it
    # as a rollback-journal one (1) reads the same pages. The -wal file, if any, is not ours.
    import sqlite3  # only images with an rpm database pay for it (~3 ms of start-up)

    image = bytearray(data)
    if len(image) >= 20 and image[18] == 2 and image[19] == 2:
        image[18] = image[19] = 1
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(bytes(image))
        rows = conn.execute("SELECT blob FROM Packages").fetchall()
    except (sqlite3.Error, OverflowError, MemoryError) as exc:
        raise CatalogError(f"unreadable rpm sqlite database: {exc}") from exc
    finally:
        conn.close()
    return [bytes(row[0]) for row in rows if isinstance(row[0], (bytes, memoryview))]


_BDB_HASH_MAGIC = 0x061561
_BDB_PAGE_SIZES = frozenset(1 << n for n in range(9, 17))
_BDB_HEADER = 26
_P_HASH_UNSORTED = 2
_P_OVERFLOW = 7
_P_HASHMETA = 8
_P_HASH = 13
_H_OFFPAGE = 3


def blobs_from_bdb(data: bytes) -> list[bytes]:
    if len(data) < 512:
        raise CatalogError("Berkeley DB file shorter than its metadata page")
    for order in ("<", ">"):
        if struct.unpack_from(order + "I", data, 12)[0] == _BDB_HASH_MAGIC:
            break
    else:
        raise CatalogError("not a Berkeley DB hash database (bad magic)")
    page_size, last_page = (
        struct.unpack_from(order + "I", data, 20)[0],
        struct.unpack_from(order + "I", data, 32)[0],
    )
    if page_size not in _BDB_PAGE_SIZES:
        raise CatalogError(f"unexpected Berkeley DB page size {page_size}")
    if data[24] != 0:
        raise CatalogError("encrypted Berkeley DB")
    if data[25] != _P_HASHMETA:
        raise CatalogError(f"Berkeley DB metadata page has type {data[25]}")
    header = struct.Struct(order + "8xIIIHHBB")
    pages = len(data) // page_size

    def page(number: int) -> tuple[bytes, tuple[int, int, int, int, int, int, int]]:
        if not 0 <= number < pages:
            raise CatalogError(f"Berkeley DB page {number} beyond the end of the file")
        raw = data[number * page_size : (number + 1) * page_size]
        return raw, header.unpack_from(raw, 0)

    def overflow_chain(first: int) -> bytes:
        chunks: list[bytes] = []
        seen: set[int] = set()
        number = first
        while number != 0:
            if number in seen:
                raise CatalogError(f"Berkeley DB overflow chain loops at page {number}")
            seen.add(number)
            raw, (_, _, next_page, _, used, _, kind) = page(number)
            if kind != _P_OVERFLOW:
                raise CatalogError(f"Berkeley DB page {number} is not an overflow page")
            if next_page == 0:
                chunks.append(raw[_BDB_HEADER : _BDB_HEADER + used])
            else:
                chunks.append(raw[_BDB_HEADER:])
            number = next_page
        return b"".join(chunks)

    blobs: list[bytes] = []
    for number in range(1, min(last_page, pages - 1) + 1):
        raw, (_, _, _, entries, _, _, kind) = page(number)
        if kind not in (_P_HASH, _P_HASH_UNSORTED):
            continue
        if entries % 2 or _BDB_HEADER + 2 * entries > page_size:
            raise CatalogError(f"Berkeley DB hash page {number} has a bad item count")
        offsets = struct.unpack_from(f"{order}{entries}H", raw, _BDB_HEADER)
        for value_offset in offsets[1::2]:  # items are key, value, key, value...
            if value_offset >= page_size:
                raise CatalogError(f"Berkeley DB hash page {number}: item outside the page")
            if raw[value_offset] != _H_OFFPAGE:
                continue  # inline values are rpm's own small records, not headers
            if value_offset + 12 > page_size:
                raise CatalogError(f"Berkeley DB hash page {number}: item outside the page")
            first = struct.unpack_from(order + "I", raw, value_offset + 4)[0]
            blobs.append(overflow_chain(first))
    return blobs


_NDB_MAGIC = b"RpmP"
_NDB_SLOT_MAGIC = b"Slot"
_NDB_BLOB_MAGIC = b"BlbS"
_NDB_PAGE = 4096
_NDB_MAX_SLOT_PAGES = 2048  # go-rpmdb's sanity limit


def blobs_from_ndb(data: bytes) -> list[bytes]:
    if len(data) < 32 or data[:4] != _NDB_MAGIC:
        raise CatalogError("not an rpm NDB database (bad magic)")
    version, _generation, slot_pages = struct.unpack_from("<III", data, 4)
    if version != 0 or not 0 < slot_pages <= _NDB_MAX_SLOT_PAGES:
        raise CatalogError(f"unsupported NDB database (version {version}, {slot_pages} pages)")
    slots_end = slot_pages * _NDB_PAGE
    if len(data) < slots_end:
        raise CatalogError("NDB slot pages truncated")
    blobs: list[bytes] = []
    for slot_at in range(32, slots_end, 16):  # the header takes the first two slots
        magic = data[slot_at : slot_at + 4]
        index, block, _count = struct.unpack_from("<III", data, slot_at + 4)
        if magic != _NDB_SLOT_MAGIC:
            raise CatalogError(f"bad NDB slot magic at {slot_at}")
        if index == 0:
            continue  # a free slot
        blob_at = block * 16
        if blob_at + 16 > len(data) or data[blob_at : blob_at + 4] != _NDB_BLOB_MAGIC:
            raise CatalogError(f"no NDB blob for package {index}")
        blob_index, _checksum, length = struct.unpack_from("<III", data, blob_at + 4)
        if blob_index != index or blob_at + 16 + length > len(data):
            raise CatalogError(f"NDB blob for package {index} is inconsistent")
        blobs.append(data[blob_at + 16 : blob_at + 16 + length])
    return blobs


# --- packages ---------------------------------------------------------------------------------


def _purl(name: str, version: str, release: str, epoch: int | None, arch: str, srpm: str,
          distro: Distro | None) -> str:  # fmt: skip
    namespace = distro.id if distro is not None else ""
    if namespace == "rhel":
        namespace = "redhat"
    qualifiers: dict[str, str] = {}
    if arch:
        qualifiers["arch"] = arch
    if epoch is not None:
        qualifiers["epoch"] = str(epoch)
    if srpm:
        qualifiers["upstream"] = srpm
    if distro is not None and (qualifier := distro_qualifier(distro)):
        qualifiers["distro"] = qualifier
    return purl("rpm", namespace, name, f"{version}-{release}", qualifiers)


def _package(blob: bytes, distro: Distro | None) -> FoundPackage | None:
    header = Header(blob)
    name = header.string(TAG_NAME)
    if not name:
        return None  # syft drops packages without a name
    version = header.string(TAG_VERSION)
    release = header.string(TAG_RELEASE)
    epoch = header.integer(TAG_EPOCH)
    arch = header.string(TAG_ARCH)
    srpm = header.string(TAG_SOURCERPM)
    license_text = header.string(TAG_LICENSE)
    full_version = f"{epoch}:{version}-{release}" if epoch is not None else f"{version}-{release}"
    metadata = {
        "arch": arch,
        "epoch": "" if epoch is None else str(epoch),
        "release": release,
        "source_rpm": srpm,
        "vendor": header.string(TAG_VENDOR),
        "modularity_label": header.string(TAG_MODULARITYLABEL),
    }
    return FoundPackage(
        type="rpm",
        name=name,
        version=full_version,
        purl=_purl(name, version, release, epoch, arch, srpm, distro),
        # syft keeps the LICENSE tag whole: "GPL-2.0-or-later AND MIT", or "GPLv2+" as is
        licenses=(spdx_license(license_text) or license_text,) if license_text.strip() else (),
        metadata=tuple(sorted((k, v) for k, v in metadata.items() if v)),
        supplier=header.string(TAG_VENDOR) or header.string(TAG_PACKAGER),
        provides=tuple(sorted(set(header.strings(TAG_PROVIDENAME)))),
        # rpmlib(...) requirements are rpm's own features, not packages
        requires=tuple(
            (name,)
            for name in dict.fromkeys(header.strings(TAG_REQUIRENAME))
            if not name.startswith("rpmlib(")
        ),
    )


# --- the distroless manifest -------------------------------------------------------------
#
# One package per line, the output of (CBL-Mariner toolkit docs, how_it_works/5_misc.md):
#   rpm -qa --qf "%{NAME}\t%{VERSION}-%{RELEASE}\t%{INSTALLTIME}\t%{BUILDTIME}\t%{VENDOR}\t
#                 %{EPOCH}\t%{SIZE}\t%{ARCH}\t%{EPOCHNUM}\t%{SOURCERPM}\n"
# read as syft 1.18.1's parseRpmManifest does: ten tab-separated fields at least, the second
# exactly one "-" (version-release), a line that is not so is skipped with a warning. Like
# syft (1.18.1 and later), the purl has no distro namespace or qualifier: parseRpmManifest
# passes none. The epoch is EPOCHNUM unless EPOCH is "(none)", as later syft reads it;
# syft 1.18.1 reports every epoch as 0 (a shadowed variable in newMetadataFromManifestLine),
# which would turn Epoch: 1 packages into 0:... versions, so we part from it there.


def _manifest_packages(data: bytes, ctx: ParseContext) -> list[FoundPackage]:
    found: list[FoundPackage] = []
    junk: list[tuple[int, str]] = []
    lines = data.decode("utf-8", errors="replace").split("\n")
    # Go's ReadString: the text after the last newline comes with io.EOF and is not used
    for number, line in enumerate(lines[:-1], 1):
        if not line:
            continue  # syft warns on a blank line too; its own fixture ends with one
        package = _manifest_line(line)
        if package is None:
            junk.append((number, line))
        elif package.name:
            found.append(package)
    if junk:
        number, line = junk[0]
        more = f" and {len(junk) - 1} more" if len(junk) > 1 else ""
        ctx.warn(f"line {number} is not a manifest entry ({line[:60]!r}){more}; skipped")
    if not found and data.strip():
        raise CatalogError(f"no manifest entry in {len(data)} bytes")
    return found


def _manifest_line(line: str) -> FoundPackage | None:
    parts = line.split("\t")
    if len(parts) < 10:
        return None
    version, *release_parts = parts[1].split("-")
    if len(release_parts) != 1:
        return None
    release = release_parts[0]
    name, vendor, epoch_text, size, arch, srpm = (
        parts[0], parts[4], parts[8], parts[6], parts[7], parts[9]
    )  # fmt: skip
    epoch = int(epoch_text) if epoch_text.isdigit() else None
    if parts[5] == "(none)":
        epoch = None
    full_version = f"{epoch}:{version}-{release}" if epoch is not None else f"{version}-{release}"
    metadata = {
        "arch": arch,
        "epoch": "" if epoch is None else str(epoch),
        "release": release,
        "source_rpm": srpm,
        "vendor": vendor,
        "size": size if size.isdigit() else "",
    }
    return FoundPackage(
        type="rpm",
        name=name,
        version=full_version,
        purl=_purl(name, version, release, epoch, arch, srpm, None),
        metadata=tuple(sorted((k, v) for k, v in metadata.items() if v)),
        supplier=vendor if vendor != "(none)" else "",
    )


def _blobs(path: str, data: bytes) -> list[bytes]:
    base = path.rpartition("/")[2]
    if base == "rpmdb.sqlite":
        return blobs_from_sqlite(data)
    if base == "Packages.db":
        return blobs_from_ndb(data)
    return blobs_from_bdb(data)


def parse(path: str, data: bytes, ctx: ParseContext) -> Iterator[FoundPackage]:
    if path.endswith(_MANIFEST_NAME):
        yield from _manifest_packages(data, ctx)
        return
    for blob in _blobs(path, data):
        found = _package(blob, ctx.distro)
        if found is not None:
            yield found


CATALOGER = Declared(
    name="rpm",
    wants=wants,
    hint=Hint(names=frozenset((*_FILES, _MANIFEST_NAME))),
    parser=parse,
    unreadable=(struct.error, ValueError, IndexError, OverflowError),
    what="rpm database",
)
