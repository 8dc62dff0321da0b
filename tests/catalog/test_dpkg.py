"""dpkg cataloger: syft 1.18.1 parity on the real fixtures, and syft's edge behaviour.

The expectations in the unit tests below were taken from running syft 1.18.1 on small
directory trees holding the same bytes.
"""

from __future__ import annotations

import gzip
import io
import json
import posixpath
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog import distro, dpkg
from reporter.catalog.interface import Distro, FoundPackage, ParseContext, WholeFile
from reporter.catalog.licences import spdx_license
from reporter.errors import CatalogError
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog.binaries import AptUnavailable, cache_root, download
from tests.catalog.test_binary import _syft, _unavailable
from tests.conftest import shared_path
from tests.hostile._build import TAR_LAYER, TarFile, custom_layout, tar_bytes

DEBIAN12 = Distro(id="debian", version_id="12", version_codename="bookworm")


class View:
    """A squashed filesystem of the files some catalogers want, with symlinks resolved.

    Whiteouts (``.wh.<name>``) and opaque directories (``.wh..wh..opq``) as the OCI image
    spec's layer.md describes them.
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.links: dict[str, str] = {}

    def _drop(self, prefix: str, *, keep_self: bool = False) -> None:
        for table in (self.files, self.links):
            for path in [p for p in table if p.startswith(prefix + "/") or p == prefix]:
                if not (keep_self and path == prefix):
                    del table[path]

    def add_layer(self, tar: tarfile.TarFile) -> None:
        for member in tar:
            name = member.name.removeprefix("./").rstrip("/")
            parent, _, base = name.rpartition("/")
            if base == ".wh..wh..opq":
                self._drop(parent, keep_self=True)
            elif base.startswith(".wh."):
                self._drop((parent + "/" if parent else "") + base.removeprefix(".wh."))
            elif member.issym():
                self.files.pop(name, None)
                self.links[name] = member.linkname
            elif member.isfile():
                self.links.pop(name, None)
                if self._wanted(name):
                    handle = tar.extractfile(member)
                    assert handle is not None
                    self.files[name] = handle.read()
                else:
                    self.files.pop(name, None)

    @staticmethod
    def _wanted(name: str) -> bool:
        return (
            dpkg.CATALOGER.wants(name, 0o100644, 0) is not None
            or distro.CATALOGER.wants(name, 0o100644, 0) is not None
        )

    def resolve(self, path: str, depth: int = 0) -> str:
        parts = path.split("/")
        for i in range(len(parts)):
            here = "/".join(parts[: i + 1])
            target = self.links.get(here)
            if target is not None and depth < 32:
                base = "/" if target.startswith("/") else "/" + posixpath.dirname(here)
                resolved = posixpath.normpath(posixpath.join(base, target)).lstrip("/")
                rest = "/".join(parts[i + 1 :])
                return self.resolve(f"{resolved}/{rest}" if rest else resolved, depth + 1)
        return path

    def read(self, path: str) -> bytes | None:
        return self.files.get(self.resolve(path))


def catalog(view: View, arch: str = "amd64") -> list[FoundPackage]:
    ctx = ParseContext(distro.detect(view.read), arch, view.read)
    found: list[FoundPackage] = []
    for path, data in sorted(view.files.items()):
        if dpkg.CATALOGER.wants(path, 0o100644, len(data)) is not None:
            found.extend(dpkg.CATALOGER.parse(path, data, ctx))
    return found


def syft_debs(name: str) -> list[dict[str, object]]:
    path = shared_path("fixtures", "real", "_reference", "syft", f"{name}.syft.json")
    return [a for a in json.loads(path.read_text())["artifacts"] if a["type"] == "deb"]


def _fsf_gpl2_or_later(text: bytes | None) -> bool:
    # the FSF's own notice: "either version 2 of the License, or (at your option) any later"
    words = " ".join((text or b"").decode("utf-8", "replace").split())
    return "either version 2" in words and "any later version" in words


def assert_syft_parity(
    found: list[FoundPackage],
    reference: str,
    count: int,
    read: Callable[[str], bytes | None] = lambda _: None,
) -> None:
    ref = syft_debs(reference)
    ours = {(p.type, p.name, p.version, p.purl) for p in found}
    theirs = {(a["type"], a["name"], a["version"], a["purl"]) for a in ref}
    assert len(found) == len(ours) == count
    assert ours == theirs
    ref_licenses = {
        str(a["name"]): tuple(
            sorted({str(lic["spdxExpression"] or lic["value"]) for lic in a["licenses"]})  # type: ignore[attr-defined]
        )
        for a in ref
    }
    # One deliberate difference from syft (issue 14): a bare "GPL" whose copyright text is
    # the FSF's "version 2 … or (at your option) any later version" notice is GPL-2.0-or-later.
    for name, licenses in ref_licenses.items():
        if licenses == ("GPL",) and _fsf_gpl2_or_later(read(f"usr/share/doc/{name}/copyright")):
            ref_licenses[name] = ("GPL-2.0-or-later",)
    assert {p.name: p.licenses for p in found} == ref_licenses


def oci_view(layout: Path) -> View:
    index = json.loads((layout / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"].removeprefix("sha256:")
    manifest = json.loads((layout / "blobs" / "sha256" / manifest_digest).read_bytes())
    view = View()
    for layer in manifest["layers"]:
        blob = layout / "blobs" / "sha256" / layer["digest"].removeprefix("sha256:")
        with tarfile.open(blob, mode="r:gz") as tar:
            view.add_layer(tar)
    return view


# --- parity on real images ---------------------------------------------------------------


def test_debian_app_matches_syft() -> None:
    view = oci_view(shared_path("fixtures", "real", "debian-app.oci-gzip"))
    found = catalog(view)
    assert_syft_parity(found, "debian-app.oci-gzip", 91, view.read)
    base_files = next(p for p in found if p.name == "base-files")
    assert base_files.licenses == ("GPL-2.0-or-later",)  # not GPL-1.0-or-later, not "GPL"
    adduser = next(p for p in found if p.name == "adduser")
    assert adduser.purl == "pkg:deb/debian/adduser@3.134?arch=all&distro=debian-12"
    assert adduser.licenses == ("GPL-2.0-only", "GPL-2.0-or-later")
    assert adduser.supporting_paths == ("usr/share/doc/adduser/copyright",)
    # libgcc-s1's doc directory is a symlink to gcc-12-base's: the licences come from there
    libgcc = next(p for p in found if p.name == "libgcc-s1")
    assert libgcc.licenses
    assert not {"jq", "libjq1", "libonig5"} & {p.name for p in found}


def test_docker_buildkit_app_matches_syft() -> None:
    archive = shared_path("fixtures", "real", "docker-buildkit-app.docker-save.tar.gz")
    with tarfile.open(archive, mode="r:gz") as outer:
        members = {m.name: m for m in outer if m.isfile()}
        manifest_file = outer.extractfile(members["manifest.json"])
        assert manifest_file is not None
        layers = json.loads(manifest_file.read())[0]["Layers"]
        view = View()
        for name in layers:
            handle = outer.extractfile(members[name])
            assert handle is not None
            with tarfile.open(fileobj=io.BytesIO(handle.read())) as tar:
                view.add_layer(tar)
    found = catalog(view)
    assert_syft_parity(found, "docker-buildkit-app.docker-save.tar", 92, view.read)
    assert "netbase" in {p.name for p in found}


@pytest.mark.parametrize(
    ("platform", "blob", "deb_arch"),
    [
        ("amd64", "bf3cf18ab83099178043d09d2684c32a1c7b8dc7d4b4adfea188dda11abadb9d", "amd64"),
        ("arm64", "a08d3e490f70f2aa13a73c31b097deca02c1440d868c31dafdcff1e1edf884e2", "arm64"),
        ("arm_v7", "7bdf48f0ef17a4e0ab8e1354cf49dfcd9c99877d832a423d796cd9799235241a", "armhf"),
    ],
)
def test_tiny_multiarch_matches_syft(platform: str, blob: str, deb_arch: str) -> None:
    path = shared_path("fixtures", "real", "tiny-multiarch.oci", "blobs", "sha256", blob)
    view = View()
    with tarfile.open(path, mode="r:gz") as tar:
        view.add_layer(tar)
    # the walker keeps only the banner of bin/busybox (a Scanner): do the same
    scanner = distro.BusyBoxScanner()
    scanner.feed(view.files.pop("bin/busybox"))
    banner = scanner.result()
    assert banner is not None
    view.files["bin/busybox"] = banner
    found = catalog(view)
    assert_syft_parity(found, f"tiny-multiarch.oci__multi_linux_{platform}_", 1)
    # no os-release: the distro is busybox, not Debian-like, so syft gives no purl
    (pkg,) = found
    assert (pkg.name, pkg.version, pkg.purl) == ("busybox-static", "1:1.35.0-4+deb12u1+b1", "")
    assert ("arch", deb_arch) in pkg.metadata
    assert ("source_version", "1:1.35.0-4+deb12u1") in pkg.metadata


# --- wants -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "var/lib/dpkg/status",
        "usr/lib/dpkg/status",
        "var/lib/dpkg/status.d/libc6",
        "var/lib/dpkg/status.d/base-files",
        "var/lib/opkg/status",
        "usr/lib/opkg/info/libz1.control",
        "usr/share/doc/adduser/copyright",
        "usr/share/doc/libstdc++6/copyright",
    ],
)
def test_wants(path: str) -> None:
    assert isinstance(dpkg.CATALOGER.wants(path, 0o100644, 100), WholeFile)


@pytest.mark.parametrize(
    "path",
    [
        "var/lib/dpkg/status-old",
        "var/lib/dpkg/info/libc6.list",
        "var/lib/dpkg/status.d",
        "usr/share/doc/adduser/copyright.gz",
        "usr/share/doc/adduser/sub/copyright",
        "usr/share/doc/copyright",
        "usr/share/doc//copyright",
        "var/lib/dpkg/statusd/x",
        "usr/lib/opkg/info/libz1.list",
    ],
)
def test_does_not_want(path: str) -> None:
    assert dpkg.CATALOGER.wants(path, 0o100644, 100) is None


@pytest.mark.parametrize(
    "path", ["var/lib/dpkg/status.d/libc6.md5sums", "var/lib/dpkg/info/libc6:amd64.md5sums"]
)
def test_md5sums_are_kept_for_ownership_but_list_nothing(path: str) -> None:
    # the files a package owns hide the binary packages found in them (tests/catalog/test_binary)
    assert isinstance(dpkg.CATALOGER.wants(path, 0o100644, 100), WholeFile)
    md5sums = b"0123456789abcdef0123456789abcdef  usr/bin/bash\n"
    assert list(dpkg.CATALOGER.parse(path, md5sums, ParseContext(None, "amd64"))) == []
    assert dpkg.owned_paths(md5sums) == ("usr/bin/bash",)


def _owned_line_by_line(md5sums: bytes) -> tuple[str, ...]:
    """``owned_paths`` as it was: the oracle."""
    paths = []
    for line in md5sums.decode("utf-8", errors="replace").splitlines():
        _digest, sep, rest = line.partition(" ")
        path = rest.lstrip(" *").strip().lstrip("/")
        if sep and path:
            paths.append(path)
    return tuple(sorted(set(paths)))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["0123abcd", " ", "  ", "*", "/", "usr/bin/a", "b c", "\n", "\r", "\t"]),
        max_size=20,
    ).map("".join)
)
def test_owned_paths_as_read_line_by_line(text: str) -> None:
    md5sums = text.encode() + b"\xff\x85 x\n"
    assert dpkg.owned_paths(md5sums) == _owned_line_by_line(md5sums)


def test_owned_paths_as_read_line_by_line_on_a_real_image() -> None:
    view = oci_view(shared_path("fixtures", "real", "debian-app.oci-gzip"))
    lists = [data for path, data in view.files.items() if path.endswith(".md5sums")]
    assert len(lists) > 50
    for md5sums in lists:
        assert dpkg.owned_paths(md5sums) == _owned_line_by_line(md5sums)


# --- status parsing as syft does it ------------------------------------------------------


def parse(
    data: bytes,
    files: dict[str, bytes] | None = None,
    where: str = "var/lib/dpkg/status",
    dist: Distro | None = DEBIAN12,
) -> list[FoundPackage]:
    table = files or {}
    return list(dpkg.CATALOGER.parse(where, data, ParseContext(dist, "amd64", table.get)))


def test_every_status_is_listed_like_syft_1_18_1() -> None:
    data = (
        b"Package: foo\nStatus: install ok installed\nVersion: 1:1.0-1\nArchitecture: amd64\n"
        b"Source: foosrc (1:1.0-0)\nInstalled-Size: 12\n\n"
        b"Package: gone\nStatus: deinstall ok config-files\nVersion: 2.0\nArchitecture: amd64\n\n"
        b"Package: purged\nStatus: purge ok not-installed\nArchitecture: amd64\n\n"
        b"Package: held\nStatus: hold ok installed\nVersion: 4.0\nArchitecture: all\n"
        b"Source: heldsrc\n"
    )
    assert [(p.name, p.version, p.purl) for p in parse(data)] == [
        (
            "foo",
            "1:1.0-1",
            "pkg:deb/debian/foo@1:1.0-1?arch=amd64&distro=debian-12&upstream=foosrc%401:1.0-0",
        ),
        ("gone", "2.0", "pkg:deb/debian/gone@2.0?arch=amd64&distro=debian-12"),
        ("purged", "", "pkg:deb/debian/purged?arch=amd64&distro=debian-12"),
        ("held", "4.0", "pkg:deb/debian/held@4.0?arch=all&distro=debian-12&upstream=heldsrc"),
    ]
    foo = parse(data)[0]
    assert dict(foo.metadata) == {
        "arch": "amd64",
        "installed_size": "12",
        "source": "foosrc",
        "source_version": "1:1.0-0",
        "status": "install ok installed",
    }


def test_status_d_quirks() -> None:
    # continuation lines; "4KB" read as go-humanize does; two stanzas in one status.d file
    data = (
        b"Package: a\nVersion: 1.0\nArchitecture: amd64\nDescription: x\n continued\n .\n"
        b" more\nInstalled-Size: 4KB\n\nPackage: b\nVersion: 2.0\nArchitecture: arm64\n"
        b"Source: bsrc (2.0)\n"
    )
    found = parse(data, where="var/lib/dpkg/status.d/a")
    assert [(p.name, dict(p.metadata).get("installed_size")) for p in found] == [
        ("a", "4000"),
        ("b", None),
    ]
    assert found[1].purl == "pkg:deb/debian/b@2.0?arch=arm64&distro=debian-12&upstream=bsrc%402.0"


def test_unterminated_last_line_is_dropped_like_syft() -> None:
    (pkg,) = parse(b"Package: c\nVersion: 3.0\nArchitecture: all\nBogus line\nInstalled-Size: 7")
    assert (pkg.name, pkg.version) == ("c", "3.0")
    assert "installed_size" not in dict(pkg.metadata)


def test_bad_installed_size_line_is_skipped() -> None:
    found = parse(b"Package: e\nVersion: 5.0\nInstalled-Size: lots\n\nPackage: f\nVersion: 6\n")
    assert [(p.name, p.purl) for p in found] == [
        ("e", "pkg:deb/debian/e@5.0?distro=debian-12"),
        ("f", "pkg:deb/debian/f@6?distro=debian-12"),
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"Package: d\nVersion: 4.0\nPackage: d2\n",  # duplicate key
        b" continuation first\nPackage: x\n",
        b"Package: x\nnot a field\n continuation of nothing\n",
        b"Package: x\nInstalled-Size: 4\n 5\n",
    ],
)
def test_unreadable_file_raises_catalog_error(data: bytes) -> None:
    with pytest.raises(CatalogError):
        parse(data)


def test_no_package_field_means_no_package() -> None:
    data = b"Version: 1\nArchitecture: all\n\n\n\nStatus: x\n\nPackage: p\nVersion: 2\n\n"
    assert [p.name for p in parse(data)] == ["p"]
    assert parse(b"") == []  # a status file with nothing installed


@pytest.mark.parametrize(
    ("where", "data", "message"),
    [
        ("var/lib/dpkg/status.d/empty", b"", "empty file"),
        ("var/lib/dpkg/status.d/blank", b"\n\n", "empty file"),
        ("usr/lib/opkg/info/libz1.control", b"", "empty file"),
        ("var/lib/dpkg/status.d/junk", b"not a stanza at all\n", "no stanza with a Package"),
        ("var/lib/dpkg/status", b"Version: 1\nArchitecture: all\n\n", "no stanza with a Package"),
    ],
)
def test_a_database_file_with_no_package_is_an_error(where: str, data: bytes, message: str) -> None:
    with pytest.raises(CatalogError, match=message) as caught:
        parse(data, where=where)
    assert caught.value.where == where


def test_skipped_lines_are_one_warning() -> None:
    warnings: list[str] = []
    data = b"Package: a\nVersion: 1\nnot a field\n\nPackage: b\nVersion: 2\n:\n\n"
    ctx = ParseContext(DEBIAN12, "amd64", warn=warnings.append)
    found = dpkg.CATALOGER.parse("var/lib/dpkg/status", data, ctx)
    assert [p.name for p in found] == ["a", "b"]
    assert warnings == ["line 3 is not a field ('not a field') and 1 more; skipped"]


@pytest.mark.parametrize(
    ("dist", "purl"),
    [
        (None, ""),
        (Distro(id="busybox", version_id="1.36.1", id_like=("busybox",)), ""),
        (Distro(id="alpine", version_id="3.20"), ""),
        (
            Distro(id="ubuntu", version_id="22.04", id_like=("debian",)),
            "pkg:deb/ubuntu/libstdc%2B%2B6@12.3.0-1ubuntu1~22.04?arch=amd64&distro=ubuntu-22.04"
            "&upstream=gcc-12",
        ),
        (
            Distro(id="debian"),  # no VERSION_ID (sid): distro=debian
            "pkg:deb/debian/libstdc%2B%2B6@12.3.0-1ubuntu1~22.04?arch=amd64&distro=debian"
            "&upstream=gcc-12",
        ),
    ],
)
def test_purl_depends_on_distro(dist: Distro | None, purl: str) -> None:
    data = (
        b"Package: libstdc++6\nVersion: 12.3.0-1ubuntu1~22.04\nArchitecture: amd64\n"
        b"Source: gcc-12\n\n"
    )
    (pkg,) = parse(data, dist=dist)
    assert pkg.purl == purl


# --- copyright files ----------------------------------------------------------------------


def test_licences_from_copyright_like_syft() -> None:
    copyright_text = (
        b"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n"
        b"Files: *\nLicense: GPL-2+\n\nLicense: BSD-2-clause-NetBSD\n"
        b"License: GPL-3+-WITH-BISON-EXCEPTION\n see /usr/share/common-licenses/LGPL-2.1\n"
        b"License: Expat or MIT\nLicense: none\nLicense: GPL-2.\nLicense: Ms-PL\nLicense: CC0\n"
        b"License: zlib\n"
    )
    files = {"usr/share/doc/foo/copyright": copyright_text}
    (pkg,) = parse(b"Package: foo\nVersion: 1\n\n", files)
    assert pkg.licenses == (
        "BSD-2-Clause",
        "CC0",
        "Expat",
        "GPL-2.0-only",
        "GPL-2.0-or-later",
        "GPL-3+-WITH-BISON-EXCEPTION",
        "LGPL-2.1-only",
        "MS-PL",
        "Zlib",
    )
    assert pkg.supporting_paths == ("usr/share/doc/foo/copyright",)


def test_non_dep5_copyright_still_read_like_syft_1_18_1() -> None:
    text = (
        b"This is the Debian package of A.\n\nLicense: GPL-2\n\n"
        b"On Debian systems see /usr/share/common-licenses/Apache-2.0.\n"
    )
    assert dpkg.licenses_from_copyright(text) == ["Apache-2.0", "GPL-2"]
    # headings and "LICENSE AGREEMENT" lines are not licences to syft 1.18.1
    assert dpkg.licenses_from_copyright(b"End User License Agreement\n----\n\nFoo v1.\n") == []


def _licenses_line_by_line(data: bytes) -> list[str]:
    """``licenses_from_copyright`` as it was, a loop over the lines: the oracle."""
    found: set[str] = set()
    for line in data.decode("utf-8", errors="replace").split("\n"):
        if line.startswith("License: "):
            rest = line[len("License: ") :]
            token = rest.split(maxsplit=1)[0] if rest[:1] and not rest[:1].isspace() else ""
            if value := dpkg._single_license(token):
                found.add(value)
        if "/usr/share/common-licenses/" in line:
            match = dpkg._COMMON_LICENSES_RE.search(line)
            if match and (value := dpkg._single_license(match.group(1))):
                found.add(value)
    return sorted(found)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "License: ",
                "License:",
                "/usr/share/common-licenses/",
                "GPL-2",
                "MIT.",
                "none",
                " or ",
                " and ",
                "\n",
                "\r",
                "\r\n",
                " ",
                "\t",
                "\x85",
                "\u2028",
                "\xff",
                "x",
                "/",
                ".",
            ]
        ),
        max_size=25,
    ).map("".join)
)
def test_copyright_licences_as_read_line_by_line(text: str) -> None:
    data = text.encode().replace("\xff".encode(), b"\xff")  # a byte that is not UTF-8
    assert dpkg.licenses_from_copyright(data) == _licenses_line_by_line(data)


def test_copyright_licences_as_read_line_by_line_on_the_real_images() -> None:
    view = oci_view(shared_path("fixtures", "real", "debian-app.oci-gzip"))
    texts = [data for path, data in view.files.items() if dpkg._is_copyright_path(path)]
    assert len(texts) > 50
    for data in texts:
        assert dpkg.licenses_from_copyright(data) == _licenses_line_by_line(data)
    text = b"a /usr/share/common-licenses/ x /usr/share/common-licenses/MIT\nLicense: BSD\r\n"
    assert dpkg.licenses_from_copyright(text) == ["BSD", "MIT"] == _licenses_line_by_line(text)


def test_missing_copyright_means_no_licences() -> None:
    (pkg,) = parse(b"Package: foo\nVersion: 1\n\n")
    assert (pkg.licenses, pkg.supporting_paths) == ((), ())


def test_copyright_file_itself_yields_nothing() -> None:
    assert parse(b"License: MIT\n", where="usr/share/doc/foo/copyright") == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GPL-2", "GPL-2.0-only"),
        ("GPL-2+", "GPL-2.0-or-later"),
        ("GPL2", "GPL-2.0-only"),
        ("Apache2", "Apache-2.0"),
        ("gpl-2.0.0", "GPL-2.0-only"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("GFDL-1.2", "GFDL-1.2-only"),
        ("GFDL-1.1+", "GFDL-1.1-or-later"),
        ("AGPL-1+", "AGPL-1.0-or-later"),
        ("BSD-2-Clause-FreeBSD", "BSD-2-Clause-Views"),
        ("BSD-2.0-clause", "BSD-2-Clause"),
        ("bzip2-1.0.5", "bzip2-1.0.6"),
        ("Zlib-acknowledgement", "zlib-acknowledgement"),
        ("GPL-2.0-with-bison-exception", "GPL-2.0-with-bison-exception"),
        ("LicenseRef-foo", "LicenseRef-foo"),
        ("MIT+", "MIT+"),
        ("GFDL-1.2-invariants+", "GFDL-1.2-invariants+"),
        ("GPLv2", None),
        ("Artistic-2+", None),
        ("GFDL-1.2-invariants", None),
        ("Classpath-exception-2.0", None),
        ("public-domain", None),
        ("MIT,", None),
        ("", None),
    ],
)
def test_spdx_mapping_like_syft(value: str, expected: str | None) -> None:
    assert spdx_license(value) == expected


# --- robustness ---------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.binary(max_size=200))
def test_random_bytes_raise_only_catalog_error(data: bytes, copyright_text: bytes) -> None:
    files = {"usr/share/doc/x/copyright": copyright_text}
    try:
        found = parse(b"Package: x\n\n" + data, files)
    except CatalogError:
        return
    assert all(isinstance(p, FoundPackage) for p in found)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b"Package: a",
                b"Package: b b",
                b"Version: 1:2+3",
                b"Source: s (1)",
                b" cont",
                b"Installed-Size: 9",
                b"",
                b"Status: x",
                b"Architecture: all",
                b"junk",
                b":",
            ]
        ),
        max_size=30,
    )
)
def test_structured_random_stanzas(lines: list[bytes]) -> None:
    try:
        found = parse(b"\n".join(lines) + b"\n")
    except CatalogError:
        return
    assert all(p.type == "deb" and p.name for p in found)


# --- broken status.d files in a whole image: findings, and syft's packages -------------------


def test_broken_status_d_files_are_findings_in_a_distroless_image(tmp_path: Path) -> None:
    # distroless layout: one stanza per file under status.d, the stanza being a real .deb's
    # control file (bash from deb.debian.org), plus an empty file and a junk one
    try:
        deb = download(["bash"], cache_root() / "debs")["bash"]
    except AptUnavailable as exc:
        _unavailable(str(exc))
        raise
    subprocess.run(["dpkg-deb", "-e", str(deb), str(tmp_path / "control")], check=True)
    control = (tmp_path / "control" / "control").read_bytes()
    dirs = ["etc", "var", "var/lib", "var/lib/dpkg", "var/lib/dpkg/status.d"]
    files = [
        *(TarFile(d, kind="dir") for d in dirs),  # syft 1.18.1 finds status.d/* only with these
        TarFile("etc/os-release", b'ID=debian\nVERSION_ID="12"\nNAME="Debian GNU/Linux"\n'),
        TarFile("var/lib/dpkg/status.d/bash", control),
        TarFile("var/lib/dpkg/status.d/empty", b""),
        TarFile("var/lib/dpkg/status.d/junk", b"not a stanza at all\n"),
    ]
    out = tmp_path / "image"
    custom_layout(out, [tar_bytes(files)], media_type=TAR_LAYER)
    image = generate(str(out), Options()).images[0]
    ours = {(p.name, p.version, p.purl) for p in image.packages if p.type == "deb"}
    theirs = {(a["name"], a["version"], a["purl"]) for a in _syft(out) if a["type"] == "deb"}
    assert ours == theirs
    assert [name for name, *_ in ours] == ["bash"]
    broken = sorted((f.where, f.severity) for f in image.findings if f.kind == "catalog")
    assert broken == [
        ("/var/lib/dpkg/status.d/empty", "warning"),
        ("/var/lib/dpkg/status.d/junk", "warning"),
    ]


# --- identify: what the walk back through a status file's older versions reads -------------


def _identify_agrees(
    data: bytes, where: str = "var/lib/dpkg/status", dist: Distro | None = DEBIAN12
) -> int:
    """``identify`` gives ``parse``'s identities, warns as it warns and raises as it raises."""
    outcomes: list[tuple[str, object, list[str]]] = []
    for read in (dpkg.CATALOGER.parse, dpkg.CATALOGER.identities):
        warnings: list[str] = []
        ctx = ParseContext(dist, "amd64", lambda _p: None, warnings.append)
        try:
            found = read(where, data, ctx)
        except CatalogError as exc:
            outcomes.append(("raised", str(exc), warnings))
            continue
        identities = {
            (p.type, p.name, p.version) if isinstance(p, FoundPackage) else p for p in found
        }
        outcomes.append(("found", identities, warnings))
    assert outcomes[0] == outcomes[1]
    value = outcomes[0][1]
    return len(value) if isinstance(value, set) else -1


def _status_versions(layers: list[bytes]) -> list[tuple[str, bytes]]:
    """Every dpkg database file (status, status.d, md5sums, copyright) of every layer."""
    out = []
    for blob in layers:
        with tarfile.open(fileobj=io.BytesIO(blob)) as tar:
            for member in tar:
                name = member.name.removeprefix("./")
                if member.isfile() and dpkg.CATALOGER.wants(name, member.mode, member.size):
                    handle = tar.extractfile(member)
                    assert handle is not None
                    out.append((name, handle.read()))
    return out


def test_identify_agrees_with_parse_on_every_version_in_the_real_images() -> None:
    layout = shared_path("fixtures", "real", "debian-app.oci-gzip")
    index = json.loads((layout / "index.json").read_text())
    manifest_digest = index["manifests"][0]["digest"].removeprefix("sha256:")
    manifest = json.loads((layout / "blobs" / "sha256" / manifest_digest).read_bytes())
    blobs = [
        (layout / "blobs" / "sha256" / layer["digest"].removeprefix("sha256:")).read_bytes()
        for layer in manifest["layers"]
    ]
    archive = shared_path("fixtures", "real", "docker-buildkit-app.docker-save.tar.gz")
    with tarfile.open(archive, mode="r:gz") as outer:
        members = {m.name: m for m in outer if m.isfile()}
        manifest_file = outer.extractfile(members["manifest.json"])
        assert manifest_file is not None
        for name in json.loads(manifest_file.read())[0]["Layers"]:
            handle = outer.extractfile(members[name])
            assert handle is not None
            blobs.append(handle.read())
    files = _status_versions([gzip.decompress(b) if b[:2] == b"\x1f\x8b" else b for b in blobs])
    statuses = [data for path, data in files if path == "var/lib/dpkg/status"]
    assert len(statuses) >= 5  # debian-app's three versions, docker-buildkit-app's own
    counts = [_identify_agrees(data, path) for path, data in files]
    assert max(counts) >= 90
    for data in statuses:  # and without a Debian-like distro (no purls)
        _identify_agrees(data, dist=None)


@pytest.mark.parametrize(
    ("where", "data"),
    [
        ("var/lib/dpkg/status", b""),
        ("var/lib/dpkg/status", b"Version: 1\n\n"),
        ("var/lib/dpkg/status", b"Package: a\nPackage: b\n"),
        ("var/lib/dpkg/status", b" continued\n"),
        ("var/lib/dpkg/status", b"Package: a\njunk\nmore junk\nVersion: 1\n"),
        ("var/lib/dpkg/status", b"Package: a\nInstalled-Size: 1\n more\n"),
        ("var/lib/dpkg/status.d/foo", b""),
        ("var/lib/dpkg/status.d/foo", b"\n\n"),
        ("var/lib/dpkg/info/foo.md5sums", b"junk\n"),
        ("usr/share/doc/foo/copyright", b"License: MIT\n"),
        ("usr/lib/opkg/info/libz1.control", b"Package: libz1\nVersion: 1.2\n"),
    ],
)
def test_identify_agrees_with_parse_on_edge_files(where: str, data: bytes) -> None:
    _identify_agrees(data, where)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                b"Package: a",
                b"Package: b b",
                b"Package: x/y",
                b"Version: 1:2+3",
                b"Source: s (1)",
                b" cont",
                b"Installed-Size: 9",
                b"Installed-Size: nine",
                b"",
                b"Architecture: all",
                b"Provides: p (= 1) | q",
                b"junk",
                b":",
            ]
        ),
        max_size=30,
    ),
    st.sampled_from(["var/lib/dpkg/status", "var/lib/dpkg/status.d/a"]),
)
def test_identify_agrees_with_parse_on_random_stanzas(lines: list[bytes], where: str) -> None:
    _identify_agrees(b"\n".join(lines) + b"\n", where)
