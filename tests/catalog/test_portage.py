"""Gentoo's vdb (``var/db/pkg``), compared with syft 1.18.1 run on the same image.

No tool that writes a vdb is reachable (Portage is not packaged for Debian), so the files are
written here as Portage writes them (see ``reporter.catalog.portage``): CONTENTS lines
``dir``/``obj <path> <md5> <mtime>``/``sym <path> -> <target> <mtime>``, LICENSE the ebuild's
LICENSE expression, SIZE a byte count.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.catalog import portage
from reporter.catalog.interface import FoundPackage, ParseContext, WholeFile
from reporter.errors import CatalogError
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.test_binary import _syft
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

_OBJ = "obj /usr/bin/{0} 0cc175b9c0f1b6a831c399e269772661 1700000000\n"
# (category/name-version directory, LICENSE or None, SIZE or None)
VDB = (
    ("app-misc/hello-2.12-r1", "GPL-3+\n", "12345\n"),
    ("sys-libs/zlib-1.3.1", "ZLIB\n", "99\n"),
    ("dev-lang/python-3.12.3_p1", "PSF-2\n", None),
    ("app-arch/xz-utils-5.4.6", "|| ( public-domain LGPL-2.1+ GPL-2+ )\n", "1\n"),
    ("virtual/libc-1-r1", "MIT BSD\n", "0\n"),
    ("dev-libs/cond-2.0", "MIT ssl? ( openssl ) !test? ( GPL-2 )\n", None),
)


def _files() -> list[TarFile]:
    dirs = {"etc", "var", "var/db", "var/db/pkg"}
    files = [TarFile("etc/os-release", b'NAME=Gentoo\nID=gentoo\nVERSION_ID="2.15"\n')]
    for pf, licence, size in [*VDB, ("app-misc/noversion", None, None)]:
        base = f"var/db/pkg/{pf}"
        dirs |= {base.rpartition("/")[0], base}
        contents = f"dir /usr\ndir /usr/bin\n{_OBJ.format(pf)}sym /usr/bin/x -> y 1700000000\n"
        files.append(TarFile(f"{base}/CONTENTS", contents.encode()))
        files.append(TarFile(f"{base}/SLOT", b"0\n"))
        if licence is not None:
            files.append(TarFile(f"{base}/LICENSE", licence.encode()))
        if size is not None:
            files.append(TarFile(f"{base}/SIZE", size.encode()))
    return [*(TarFile(d, kind="dir") for d in sorted(dirs)), *files]


def test_vdb_equals_syft(tmp_path: Path) -> None:
    custom_layout(tmp_path, [tar_bytes(_files())], media_type=TAR_LAYER)
    image = generate(str(tmp_path), Options()).images[0]
    ours = {
        (p.name, p.version, p.purl, p.licenses, tuple(sorted(loc.path for loc in p.locations)))
        for p in image.packages
    }
    theirs = {
        (
            a["name"],
            a["version"],
            a["purl"],
            tuple(sorted(lic["spdxExpression"] or lic["value"] for lic in a["licenses"])),
            tuple(sorted(loc["path"] for loc in a["locations"])),
        )
        for a in _syft(tmp_path)
    }
    # syft 1.18.1 reports USE conditionals ("ssl?", "!test?") as licences; we leave them out
    cond = {p for p in theirs if p[0] == "dev-libs/cond"}
    assert {(n, lic) for n, _v, _p, lic, _l in cond} == {
        ("dev-libs/cond", ("!test?", "GPL-2.0-only", "MIT", "OpenSSL", "ssl?"))
    }
    fixed = {(n, v, p, tuple(x for x in lic if not x.endswith("?")), loc)
             for n, v, p, lic, loc in cond}  # fmt: skip
    assert ours == (theirs - cond) | fixed
    assert len(ours) == len(VDB)
    assert ("app-misc/hello", "2.12-r1", "pkg:ebuild/app-misc/hello@2.12-r1") in {
        p[:3] for p in ours
    }
    # the directory without a version is a finding naming its CONTENTS (syft: an error too)
    (finding,) = [f for f in image.findings if f.kind == "catalog"]
    assert finding.where == "/var/db/pkg/app-misc/noversion/CONTENTS"


def _parse(path: str, files: dict[str, bytes]) -> list[FoundPackage]:
    ctx = ParseContext(None, "amd64", files.get)
    return list(portage.CATALOGER.parse(path, files[path], ctx))


def test_licence_tokens_and_size() -> None:
    base = "var/db/pkg/net-misc/curl-8.5.0"
    files = {
        f"{base}/CONTENTS": b"",
        f"{base}/LICENSE": b"curl || ( MIT ) ssl? ( openssl )\n",
        f"{base}/SIZE": b"4096\n",
    }
    (pkg,) = _parse(f"{base}/CONTENTS", files)
    assert pkg.licenses == ("MIT", "OpenSSL", "curl")  # conditional licences are licences
    assert dict(pkg.metadata) == {"installed_size": "4096"}
    assert pkg.supporting_paths == (f"{base}/LICENSE", f"{base}/SIZE")
    with pytest.raises(CatalogError, match="no <name>-<version>"):
        _parse("var/db/pkg/net-misc/curl/CONTENTS", {"var/db/pkg/net-misc/curl/CONTENTS": b""})


@pytest.mark.parametrize(
    ("path", "wanted"),
    [
        ("var/db/pkg/app-misc/hello-2.12-r1/CONTENTS", True),
        ("var/db/pkg/app-misc/hello-2.12-r1/LICENSE", True),
        ("usr/var/db/pkg/app-misc/hello-2.12-r1/SIZE", True),
        ("var/db/pkg/app-misc/hello-2.12-r1/SLOT", False),
        ("var/db/pkg/app-misc/CONTENTS", False),
        ("var/db/pkg/a/b/c/CONTENTS", False),
        ("myvar/db/pkg/a/b-1/CONTENTS", False),
    ],
)
def test_wants(path: str, wanted: bool) -> None:
    want = portage.CATALOGER.wants(path, 0o644, 100)
    assert isinstance(want, WholeFile) if wanted else want is None
