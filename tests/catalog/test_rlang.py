"""R packages' DESCRIPTION files from Debian's r-cran-* packages, against syft 1.18.1 run on
the same image at test time."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog.interface import ParseContext
from reporter.catalog.rlang import CATALOGER, parse_description
from reporter.errors import CatalogError
from tests.catalog.ecosys_images import (
    TarFile,
    build_image,
    debian_files,
    licences_ours,
    licences_theirs,
    ours,
    syft_artifacts,
    theirs,
)

CTX = ParseContext(distro=None, arch="amd64")
# licences as R packages write them: "MIT + file LICENSE", "GPL (>= 2)", "GPL-2 | GPL-3"
PACKAGES = {
    "r-cran-magrittr": "magrittr",
    "r-cran-r6": "R6",
    "r-cran-jsonlite": "jsonlite",
    "r-cran-digest": "digest",
    "r-cran-bitops": "bitops",
    "r-cran-base64enc": "base64enc",
}


LICENCE_FORMS = (
    "GPL (>= 2.0, < 3)",
    "LGPL (== 2.1)",
    "Part of R 4.2.2",
    "BSD_3_clause + file LICENSE | Apache License 2.0",
    "file LICENSE",
)


def _description(package: str) -> tuple[str, bytes]:
    root = debian_files(package)
    path = f"usr/lib/R/site-library/{PACKAGES[package]}/DESCRIPTION"
    return path, (root / path).read_bytes()


def test_debian_descriptions_equal_syft(tmp_path: Path) -> None:
    files = [TarFile(*_description(package)) for package in PACKAGES]
    # a file named DESCRIPTION that is no R package: neither tool makes a package of it
    files.append(TarFile("usr/share/doc/other/DESCRIPTION", b"Some project.\nVersion: 2\n"))
    # licence fields of other forms "Writing R Extensions" allows, written by hand
    for index, licence in enumerate(LICENCE_FORMS):
        text = f"Package: lic{index}\nVersion: 1.0-{index}\nLicense: {licence}\n"
        files.append(TarFile(f"usr/local/lib/R/site-library/lic{index}/DESCRIPTION", text.encode()))
    layout = build_image(tmp_path / "r", files)
    mine = ours(layout, {"R-package"})
    artifacts = syft_artifacts(f"oci-dir:{layout}")
    assert mine == theirs(artifacts, {"R-package"})
    assert licences_ours(layout, {"R-package"}) == licences_theirs(artifacts, {"R-package"})
    names = set(PACKAGES.values()) | {f"lic{i}" for i in range(len(LICENCE_FORMS))}
    assert {name for _, name, _, _ in mine} == names


def test_real_description_fields() -> None:
    path, data = _description("r-cran-jsonlite")
    assert CATALOGER.wants(path, 0o644, len(data)) is not None
    (pkg,) = CATALOGER.parse(path, data, CTX)
    fields = parse_description(data.decode())
    assert (pkg.name, pkg.version) == (fields["Package"], fields["Version"])
    assert pkg.purl == f"pkg:cran/jsonlite@{fields['Version']}"
    assert pkg.licenses == ("MIT",)  # "MIT + file LICENSE"
    assert "Jeroen" in pkg.supplier  # Maintainer: Jeroen Ooms


def test_continuation_lines_and_missing_fields() -> None:
    text = "Package: x\nTitle: A\n  long title\n\tcontinued\nnot a field\nVersion: 1.0\r\n"
    assert parse_description(text) == {
        "Package": "x",
        "Title": "A\nlong title\ncontinued",
        "Version": "1.0",
    }
    assert CATALOGER.parse("lib/x/DESCRIPTION", b"Package: x\n", CTX) == []
    assert CATALOGER.parse("lib/x/DESCRIPTION", b"Version: 1\n", CTX) == []


def test_licence_alternatives() -> None:
    data = b"Package: p\nVersion: 1\nLicense: GPL-2 | GPL (>= 3) | file LICENSE\n"
    (pkg,) = CATALOGER.parse("lib/p/DESCRIPTION", data, CTX)
    assert pkg.licenses == ("GPL-2.0-only", "GPL-3.0-or-later")  # SPDX ids, as syft


def test_paths() -> None:
    assert CATALOGER.wants("DESCRIPTION", 0o644, 1) is not None
    assert CATALOGER.wants("usr/local/lib/R/library/base/DESCRIPTION", 0o644, 1) is not None
    assert CATALOGER.wants("usr/lib/R/site-library/x/DESCRIPTION.in", 0o644, 1) is None
    assert CATALOGER.wants("srv/MYDESCRIPTION", 0o644, 1) is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_raise_only_catalog_error(data: bytes) -> None:
    with contextlib.suppress(CatalogError):
        CATALOGER.parse("lib/x/DESCRIPTION", b"Package: x\nVersion: " + data, CTX)
