"""Nix store paths on a store written by nix-store itself (Debian's nix-bin), compared with
syft 1.18.1 run on the same image at test time."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from reporter.catalog.nix import parse_store_name
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.test_binary import _syft
from tests.hostile._build import TAR_LAYER, custom_layout

_Identity = tuple[str, str, str, str]  # name, version, purl, location


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but nix-store is unavailable: {reason}")
    pytest.skip(reason)


# Store objects as nixpkgs names them: outputs (bin, man), a plain package, a source file
# added as a file (a store object need not be a directory), and a name without a version.
_SOURCES = {
    "hello-2.12.1": {"bin/hello": b"\x7fELF"},
    "glibc-2.37-8-bin": {"lib/libc.so": b"x"},
    "jq-1.7.1-man": {"share/man/man1/jq.1": b".TH JQ 1"},
    "nixpkgs-unstable-2024-05-01": {"default.nix": b"{}"},
    "hello-src": {"README": b"no version"},
}
_FILES = {"openssl-3.0.13.tar.gz": b"not really a tarball"}


def _store(tmp: Path) -> Path:
    """A chroot store (``local?root=``) filled by ``nix-store --add``: real store paths,
    hashes and database, without a daemon or network."""
    tool = shutil.which("nix-store")
    if tool is None:
        _unavailable("nix-store (Debian's nix-bin) is not installed")
        raise AssertionError("unreachable")
    src = tmp / "src"
    for name, files in _SOURCES.items():
        for rel, data in files.items():
            (src / name / rel).parent.mkdir(parents=True, exist_ok=True)
            (src / name / rel).write_bytes(data)
    for name, data in _FILES.items():
        (src / name).write_bytes(data)
    root = tmp / "root"
    for name in (*_SOURCES, *_FILES):
        subprocess.run(
            [tool, "--store", f"local?root={root}", "--add", str(src / name)],
            capture_output=True,
            check=True,
            env={**os.environ, "NIX_REMOTE": "", "HOME": str(tmp)},
        )
    return root


def _tar(root: Path, *only: str) -> bytes:
    cmd = ["tar", "-C", str(root), "--sort=name", "--owner=0", "--group=0", "-cf", "-"]
    return subprocess.run([*cmd, *(only or ("nix",))], capture_output=True, check=True).stdout


def _ours(out: Path) -> set[_Identity]:
    report = generate(str(out), Options())
    return {
        (p.name, p.version, p.purl, p.locations[0].path)
        for p in report.images[0].packages
        if p.type == "nix"
    }


def _theirs(out: Path) -> set[_Identity]:
    return {
        (str(a["name"]), str(a["version"]), str(a["purl"]), str(a["locations"][0]["path"]))
        for a in _syft(out)
        if a["type"] == "nix"
    }


def test_nix_store_equals_syft(tmp_path: Path) -> None:
    root = _store(tmp_path)
    assert (root / "nix" / "var" / "nix" / "db" / "db.sqlite").is_file()
    out = tmp_path / "image"
    custom_layout(out, [_tar(root)], media_type=TAR_LAYER)
    ours = _ours(out)
    assert ours == _theirs(out)
    names = {(name, version) for name, version, *_ in ours}
    assert names == {
        ("hello", "2.12.1"),
        ("glibc", "2.37-8"),
        ("jq", "1.7.1"),
        ("nixpkgs", "unstable-2024-05-01"),
        ("openssl", "3.0.13"),
    }
    stores = {p.name for p in (root / "nix" / "store").iterdir()}
    glibc = next(s for s in stores if s.endswith("-glibc-2.37-8-bin"))
    digest = glibc.partition("-")[0]
    assert len(digest) == 32
    assert (
        "glibc",
        "2.37-8",
        f"pkg:nix/glibc@2.37-8?output=bin&outputhash={digest}",
        f"/nix/store/{glibc}",
    ) in ours


def test_nix_store_dirs_come_from_their_entries_and_layers(tmp_path: Path) -> None:
    root = _store(tmp_path)
    stores = sorted(p.name for p in (root / "nix" / "store").iterdir() if p.name != ".links")
    hello = next(s for s in stores if s.endswith("-hello-2.12.1"))
    # layer 0: the store with hello; layer 1 adds a file below hello's directory, so GNU tar
    # lists that directory (and nix/store) again: hello stays layer 0's
    base = _tar(root, f"nix/store/{hello}")
    (root / "nix" / "store" / hello / "share").mkdir()
    (root / "nix" / "store" / hello / "share" / "x").write_bytes(b"x")
    upper = _tar(
        root, f"nix/store/{hello}/share", *(f"nix/store/{s}" for s in stores if s != hello)
    )
    out = tmp_path / "image"
    custom_layout(out, [base, upper], media_type=TAR_LAYER)
    report = generate(str(out), Options())
    layers = {p.name: p.layer_index for p in report.images[0].packages if p.type == "nix"}
    assert layers["hello"] == 0
    assert layers["jq"] == 1
    assert _ours(out) == _theirs(out)


def test_files_only_tar_has_no_store_directories(tmp_path: Path) -> None:
    # syft reads entries, not implied parents: a tar without directory entries shows only the
    # store objects that are files themselves
    root = _store(tmp_path)
    listing = subprocess.run(
        ["find", "nix", "-type", "f"], cwd=root, capture_output=True, check=True, text=True
    ).stdout.split()
    layer = subprocess.run(
        ["tar", "-C", str(root), "--owner=0", "--group=0", "--no-recursion", "-cf", "-",
         *sorted(listing)],
        capture_output=True,
        check=True,
    ).stdout  # fmt: skip
    out = tmp_path / "image"
    custom_layout(out, [layer], media_type=TAR_LAYER)
    ours = _ours(out)
    assert ours == _theirs(out)
    assert {name for name, *_ in ours} == {"openssl"}


_H = "0" * 31


# Names as nixpkgs gives them (nixpkgs manual, "Package naming"), laid out as store
# directories without nix-store (the hashes are placeholders): what syft makes of each name.
_NAMES = (
    "hello-2.12.1", "glibc-2.37-8-bin", "python3.11-requests-2.31.0-dist",
    "foo-unstable-2023-01-31", "hello-src", "zlib-1.3.drv", "gcc-wrapper-13.2.0",
    "perl5.38.2-URI-5.21-devdoc", "go-1.22.1", "libxml2-2.12.5-dev", "nss-cacert-3.98",
    "linux-6.6.21-modules-shrunk", "source", "rust-lib-src", "x-1.0+git-lib",
)  # fmt: skip


def test_store_names_parse_as_syft_parses_them(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for i, name in enumerate(_NAMES):
        (root / "nix" / "store" / f"{_H}{i:x}-{name}").mkdir(parents=True)
    out = tmp_path / "image"
    custom_layout(out, [_tar(root)], media_type=TAR_LAYER)
    ours = _ours(out)
    assert ours == _theirs(out)
    assert len(ours) == 11  # syft 1.18.1: all but hello-src, source, rust-lib-src, the .drv
    parsed = parse_store_name(f"{_H}2-python3.11-requests-2.31.0-dist")
    assert parsed == (f"{_H}2", "python3.11-requests", "2.31.0", "dist")
    assert parse_store_name(f"{_H}5-zlib-1.3.drv") is None
