"""cargo-auditable data: a real gcc-linked ELF given a .dep-v0 section with objcopy (when the
toolchain is there); a rustc-built ELF and Go-built Mach-O and PE given the section by GNU /
LLVM objcopy (``tests.catalog.go_builds``; no ``cargo auditable`` and no crates.io here),
compared with syft 1.18.1 on the same image; and ELF files laid out by hand for the rest."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog._langutil import minimal_elf
from reporter.catalog.interface import ParseContext
from reporter.catalog.rust import CATALOGER, AuditableScanner
from reporter.errors import CatalogError
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.go_builds import (
    GoUnavailable,
    Identity,
    auditable_builds,
    build_all,
    build_image,
    syft_by_path,
)
from tests.catalog.walked import streamed, walked

CTX = ParseContext(distro=None, arch="amd64")
AUDIT = {
    "packages": [
        {
            "name": "myapp",
            "version": "0.1.0",
            "source": "local",
            "kind": "runtime",
            "dependencies": [1, 2],
            "root": True,
        },
        {"name": "serde", "version": "1.0.193", "source": "crates.io"},
        {"name": "cc", "version": "1.0.83", "source": "crates.io", "kind": "build"},
    ]
}
# what syft 1.18.1 reported for a binary carrying AUDIT: build dependencies left out
EXPECTED = {
    ("rust-crate", "myapp", "0.1.0", "pkg:cargo/myapp@0.1.0"),
    ("rust-crate", "serde", "1.0.193", "pkg:cargo/serde@1.0.193"),
}


def _scan(data: bytes, chunk: int) -> bytes | None:
    return walked(CATALOGER, data, chunk)


def _keys(data: bytes) -> set[tuple[str, str, str, str]]:
    return {(p.type, p.name, p.version, p.purl) for p in CATALOGER.parse("usr/bin/app", data, CTX)}


def test_real_linked_binary_with_dep_v0(tmp_path: Path) -> None:
    gcc, objcopy = shutil.which("gcc"), shutil.which("objcopy")
    if gcc is None or objcopy is None:
        pytest.skip("gcc and binutils are needed to link a real ELF")
    (tmp_path / "main.c").write_text("int main(void) { return 0; }\n")
    (tmp_path / "dep.bin").write_bytes(zlib.compress(json.dumps(AUDIT).encode()))
    subprocess.run([gcc, "-o", str(tmp_path / "plain"), str(tmp_path / "main.c")], check=True)
    subprocess.run(
        [
            objcopy,
            "--add-section",
            f".dep-v0={tmp_path / 'dep.bin'}",
            str(tmp_path / "plain"),
            str(tmp_path / "app"),
        ],
        check=True,
    )
    binary = (tmp_path / "app").read_bytes()
    assert _keys(binary) == EXPECTED  # parse reads a full ELF
    kept = _scan(binary, 4093)  # the scanner keeps a minimal ELF with only the section
    assert kept is not None
    assert len(kept) < len(binary)
    assert _keys(kept) == EXPECTED
    assert _scan((tmp_path / "plain").read_bytes(), 4093) is None
    assert _keys((tmp_path / "plain").read_bytes()) == set()


@pytest.mark.parametrize("chunk", [1, 63, 64, 1000, 1 << 20])
def test_handmade_elf_across_chunk_sizes(chunk: int) -> None:
    section = zlib.compress(json.dumps(AUDIT).encode())
    elf = minimal_elf({".text": b"\x90" * 3000, ".dep-v0": section})
    kept = _scan(elf, chunk)
    assert kept is not None
    assert _keys(kept) == EXPECTED
    found = CATALOGER.parse("a", kept, CTX)
    root = next(p for p in found if p.name == "myapp")
    assert dict(root.metadata) == {"root": "true", "source": "local"}
    # the root crate is the binary: its digests, whatever the chunking, and only its
    assert root.hashes == (
        ("sha256", hashlib.sha256(elf).hexdigest()),
        ("sha512", hashlib.sha512(elf).hexdigest()),
    )
    assert [p.name for p in found if p.hashes] == ["myapp"]


def test_bad_section_contents_are_catalog_errors() -> None:
    for content in (b"not zlib", zlib.compress(b"[1]"), zlib.compress(b"{")):
        with pytest.raises(CatalogError):
            list(CATALOGER.parse("a", minimal_elf({".dep-v0": content}), CTX))
    bomb = zlib.compress(b" " * (20 * 1024 * 1024))
    with pytest.raises(CatalogError, match="inflates"):
        list(CATALOGER.parse("a", minimal_elf({".dep-v0": bomb}), CTX))


def test_wants_and_non_elf() -> None:
    assert CATALOGER.wants("usr/bin/app", 0o644, 10_000) is None
    assert CATALOGER.wants("usr/bin/app", 0o755, 100) is None
    scanner = AuditableScanner()
    assert scanner.feed(b"#!/bin/sh\n" * 100) is False
    assert scanner.result() is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes_raise_only_catalog_error(data: bytes) -> None:
    for blob in (
        data,
        b"\x7fELF\x02\x01\x01" + data,
        b"\xcf\xfa\xed\xfe" + data,
        b"\xce\xfa\xed\xfe" + data,
        b"MZ" + data[:58] + b"\x40\0\0\0PE\0\0" + data[58:],
    ):
        with contextlib.suppress(CatalogError):
            list(CATALOGER.parse("x", blob, CTX))
        scanner = AuditableScanner()
        scanner.feed(blob)
        scanner.result()


# --- real executables of three formats, against syft 1.18.1 ----------------------------------


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the cargo-auditable test binaries could not be made: {reason}")
    pytest.skip(f"cargo-auditable test binaries unavailable: {reason}")


@pytest.fixture(scope="module")
def audited() -> dict[str, Path]:
    try:
        return auditable_builds(build_all())
    except GoUnavailable as exc:
        _unavailable(str(exc))
        raise  # unreachable: skip/fail raise


def test_auditable_builds_against_syft() -> None:
    try:
        image = build_image()
        theirs = syft_by_path(image)
    except GoUnavailable as exc:
        _unavailable(str(exc))
    ours: dict[str, set[Identity]] = {}
    for p in generate(str(image), Options()).images[0].packages:
        if p.type == "rust-crate":
            for loc in p.locations:
                ours.setdefault(loc.path.lstrip("/"), set()).add(
                    (p.type, p.name, p.version, p.purl)
                )
    crates = {k: {i for i in v if i[0] == "rust-crate"} for k, v in theirs.items()}
    crates = {k: v for k, v in crates.items() if v}
    assert ours["usr/local/bin/rust-elf"] == crates["usr/local/bin/rust-elf"] == EXPECTED
    assert ours["usr/local/bin/rust-pe.exe"] == crates["usr/local/bin/rust-pe.exe"] == EXPECTED
    # Mach-O: syft 1.18.1's go-rustaudit reads no Mach-O ("unknown file format"); cargo
    # auditable writes the section there too, so we read it: the one difference
    assert ours["usr/local/bin/rust-macho"] == EXPECTED
    assert "usr/local/bin/rust-macho" not in crates
    assert set(ours) == {*crates, "usr/local/bin/rust-macho"}


@pytest.mark.parametrize("name", ["rust-elf", "rust-macho", "rust-pe.exe"])
@pytest.mark.parametrize("chunk", [1000, 4093, 1 << 20])
def test_real_formats_streamed_in_any_chunks(
    audited: dict[str, Path], name: str, chunk: int
) -> None:
    binary = audited[name].read_bytes()
    kept = _scan(binary, chunk)
    assert kept is not None
    assert len(kept) < 4096  # the section alone, not the file
    assert _keys(kept) == EXPECTED
    assert _keys(binary) == EXPECTED  # parse reads the full file of each format as well


def test_real_files_without_the_section_keep_nothing(audited: dict[str, Path]) -> None:
    go = build_all()
    for path in (audited["rust-plain"], go["hello-darwin"], go["hello-windows.exe"]):
        assert _scan(path.read_bytes(), 1 << 20) is None, path.name


def test_walker_keeps_the_bytes_the_cataloger_kept_before(audited: dict[str, Path]) -> None:
    # the digests are the walker's now (one hash per file, in its hash thread): parse still
    # reads the minimal ELF, the trailer and the whole file's SHA-256 and SHA-512, as when the
    # cataloger's own scanner hashed, so every SBOM keeps its bytes
    for name, path in audited.items():
        expected = streamed(AuditableScanner, path.read_bytes(), 1 << 20)
        assert (expected is None) == (name == "rust-plain"), name
        for chunk in (4093, 1 << 20):
            assert _scan(path.read_bytes(), chunk) == expected, name
