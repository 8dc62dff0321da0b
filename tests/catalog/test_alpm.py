"""pacman's local database, written by Debian's pacman (pacman-package-manager) at test time
from packages made here, compared with syft 1.18.1 run on the same image.

The packages are gzipped tars holding a ``.PKGINFO`` (the key = value format makepkg writes,
pacman's doc/PKGINFO) and one file; ``pacman -U --root`` installs them (``--nodeps`` twice: no
dependency checks), so the ``desc`` and ``files`` read below are pacman's own output. Debian has
no makepkg that runs as root, hence no ``.MTREE`` (and no ``mtree`` file) in these packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from reporter.catalog import alpm
from reporter.catalog.interface import Distro, FoundPackage, ParseContext, WholeFile
from reporter.errors import CatalogError
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.test_binary import _syft
from tests.hostile._build import TAR_LAYER, custom_layout

ARCH = Distro(id="arch", name="Arch Linux", source_path="etc/os-release")
OS_RELEASE = b'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n'

# (pkgname, pkgbase, pkgver, licences, depends, provides)
PACKAGES = (
    ("hello-osdb", "hello-base", "1:2.12-3", ("GPL-3.0-or-later", "MIT"), ("glibc",), ("hi=2",)),
    ("zlib-osdb", "zlib-osdb", "1.3-1", ("Zlib",), (), ()),
)


def _pacman() -> str:
    found = shutil.which("pacman")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but pacman is missing (Debian package pacman-package-manager)")
        pytest.skip("pacman is not installed (Debian package pacman-package-manager)")
    return found


def _package(out: Path, name: str, base: str, version: str, licences: tuple[str, ...],
             depends: tuple[str, ...], provides: tuple[str, ...]) -> Path:  # fmt: skip
    root = out / f"src-{name}"
    (root / "usr" / "share" / name).mkdir(parents=True)
    (root / "usr" / "share" / name / "README").write_text("hi\n")
    lines = [
        f"pkgname = {name}",
        f"pkgbase = {base}",
        f"pkgver = {version}",
        "pkgdesc = a test package",
        "url = https://example.org/",
        "builddate = 1700000000",
        "packager = Test Packager <t@example.org>",
        "size = 3",
        "arch = x86_64",
        *(f"license = {lic}" for lic in licences),
        *(f"depend = {dep}" for dep in depends),
        *(f"provides = {p}" for p in provides),
    ]
    (root / ".PKGINFO").write_text("\n".join(lines) + "\n")
    archive = out / f"{name}-{version}-x86_64.pkg.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(root / ".PKGINFO", ".PKGINFO")
        tar.add(root / "usr", "usr")
    return archive


@pytest.fixture(scope="module")
def pacman_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pacman = _pacman()
    work = tmp_path_factory.mktemp("pacman")
    archives = [_package(work, *spec) for spec in PACKAGES]
    root = work / "root"
    (root / "var" / "lib" / "pacman").mkdir(parents=True)
    subprocess.run(
        [pacman, "-U", "--root", str(root), "--dbpath", str(root / "var/lib/pacman"),
         "--noconfirm", "--nodeps", "--nodeps", "--noscriptlet", *map(str, archives)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    (root / "etc").mkdir()
    (root / "etc" / "os-release").write_bytes(OS_RELEASE)
    return root


def _image(root: Path, out: Path) -> Path:
    layer = out / "layer.tar"
    with tarfile.open(layer, "w") as tar:
        for path in sorted(root.rglob("*")):
            tar.add(path, path.relative_to(root).as_posix(), recursive=False)
    custom_layout(out / "image", [layer.read_bytes()], media_type=TAR_LAYER)
    return out / "image"


def _expected() -> set[tuple[str, str, str]]:
    return {
        (name, version, f"pkg:alpm/arch/{name}@{version}?arch=x86_64&distro=arch-rolling"
         f"&upstream={base}")
        for name, base, version, *_ in PACKAGES
    }  # fmt: skip


def test_pacman_database_equals_syft(pacman_root: Path, tmp_path: Path) -> None:
    layout = _image(pacman_root, tmp_path)
    packages = list(generate(str(layout), Options()).images[0].packages)
    ours = {
        (p.name, p.version, p.purl, p.licenses, tuple(sorted(loc.path for loc in p.locations)))
        for p in packages
    }
    theirs = {
        (
            a["name"],
            a["version"],
            a["purl"],
            tuple(lic["value"] for lic in a["licenses"]),
            tuple(sorted(loc["path"] for loc in a["locations"])),
        )
        for a in _syft(layout)
    }
    assert ours == theirs
    assert {(n, v, p) for n, v, p, *_ in ours} == _expected()
    hello = next(p for p in packages if p.name == "hello-osdb")
    assert hello.type == "alpm"
    assert hello.supplier == "Test Packager <t@example.org>"
    assert hello.requires == (("glibc",),)
    assert hello.provides == ("hi",)


def _parse(data: bytes, distro: Distro | None = ARCH, files: dict[str, bytes] | None = None
           ) -> list[FoundPackage]:  # fmt: skip
    table = {"etc/os-release": OS_RELEASE, **(files or {})}
    ctx = ParseContext(distro, "amd64", table.get)
    return list(alpm.CATALOGER.parse("var/lib/pacman/local/x-1-1/desc", data, ctx))


def test_desc_quirks_as_syft() -> None:
    (pkg,) = _parse(b"%NAME%\nx\n\n%VERSION%\n1-1\n\n%ARCH%\nany\n\n%ORPHAN%\n\n%LICENSE%\nMIT\n")
    assert (pkg.name, pkg.version, pkg.licenses) == ("x", "1-1", ())  # reading stopped
    assert pkg.purl == "pkg:alpm/arch/x@1-1?arch=any&distro=arch-rolling"
    # no purl for another distro, even an Arch derivative (syft: no ID_LIKE variation)
    other = Distro(id="manjaro", version_id="23", id_like=("arch",))
    assert _parse(b"%NAME%\nx\n\n%VERSION%\n1-1\n", other)[0].purl == ""
    assert _parse(b"%NAME%\nx\n\n%VERSION%\n1-1\n", None)[0].purl == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%NAME%\nx\n\n%SIZE%\nlots\n", "not an integer"),
        (b"%VERSION%\n1-1\n\n%ARCH%\nany\n", "no %NAME%"),
        (b"", "empty file"),
    ],
)
def test_unreadable_desc_is_a_catalog_error(data: bytes, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        _parse(data)


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("var/lib/pacman/local/bash-5.2-1/desc", True),
        ("var/lib/pacman/local/bash-5.2-1/files", True),
        ("var/lib/pacman/local/bash-5.2-1/mtree", True),
        ("usr/var/lib/pacman/local/bash-5.2-1/desc", True),
        ("var/lib/pacman/sync/core.db", False),
        ("myvar/lib/pacman/local/x/desc", False),
        ("usr/share/doc/desc", False),
    ],
)
def test_wants(path: str, wanted: bool) -> None:
    want = alpm.CATALOGER.wants(path, 0o644, 100)
    assert isinstance(want, WholeFile) if wanted else want is None
