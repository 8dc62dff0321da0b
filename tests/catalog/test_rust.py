"""cargo-auditable data: a real gcc-linked ELF given a .dep-v0 section with objcopy (when the
toolchain is there), and ELF files laid out by hand for the rest."""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog._langutil import minimal_elf
from reporter.catalog.hashes import HashingScanner
from reporter.catalog.interface import ParseContext
from reporter.catalog.rust import CATALOGER, AuditableScanner
from reporter.errors import CatalogError

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
    scanner = CATALOGER.wants("usr/bin/app", 0o755, len(data))
    assert isinstance(scanner, HashingScanner)
    for start in range(0, len(data), chunk):
        if not scanner.feed(data[start : start + chunk]):
            break
    return scanner.result()


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
    for blob in (data, b"\x7fELF\x02\x01\x01" + data):
        with contextlib.suppress(CatalogError):
            list(CATALOGER.parse("x", blob, CTX))
        scanner = AuditableScanner()
        scanner.feed(blob)
        scanner.result()
