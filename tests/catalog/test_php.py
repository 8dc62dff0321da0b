"""Composer installed.json, v1 (a list) and v2 ({"packages": [...]}), as Composer writes it;
the PEAR installer's registry files from Debian's php-pear, against syft 1.18.1 run on the
same image at test time."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog.interface import ParseContext
from reporter.catalog.php import CATALOGER, PECL_CATALOGER, unserialize
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
    unavailable,
)
from tests.catalog.strategies import json_or_bytes

CTX = ParseContext(distro=None, arch="amd64")
V2 = {
    "packages": [
        {
            "name": "monolog/monolog",
            "version": "2.9.1",
            "version_normalized": "2.9.1.0",
            "license": ["MIT"],
            "type": "library",
            "source": {
                "type": "git",
                "url": "https://github.com/Seldaek/monolog.git",
                "reference": "f259e2b",
            },
            "install-path": "../monolog/monolog",
        },
        {"name": "psr/log", "version": "v3.0.0", "license": ["MIT"]},
        {"name": "noversion/pkg"},
    ],
    "dev": True,
    "dev-package-names": [],
}
V1 = [
    {"name": "symfony/console", "version": "v5.4.0", "license": ["MIT", "GPL-2.0"]},
    {"name": "Upper/Case", "version": "1.0.0"},
]


def _keys(doc: object, path: str = "app/vendor/composer/installed.json") -> list[tuple[str, ...]]:
    data = json.dumps(doc).encode()
    return [
        (p.type, p.name, p.version, p.purl, *p.licenses) for p in CATALOGER.parse(path, data, CTX)
    ]


def test_composer_2_as_syft() -> None:
    assert _keys(V2) == [
        ("php-composer", "monolog/monolog", "2.9.1", "pkg:composer/monolog/monolog@2.9.1", "MIT"),
        ("php-composer", "psr/log", "v3.0.0", "pkg:composer/psr/log@v3.0.0", "MIT"),
        ("php-composer", "noversion/pkg", "", "pkg:composer/noversion/pkg"),
    ]
    monolog = next(iter(CATALOGER.parse("installed.json", json.dumps(V2).encode(), CTX)))
    assert dict(monolog.metadata)["reference"] == "f259e2b"


def test_composer_1_keeps_case() -> None:
    assert _keys(V1) == [
        (
            "php-composer",
            "symfony/console",
            "v5.4.0",
            "pkg:composer/symfony/console@v5.4.0",
            "MIT",
            "GPL-2.0",
        ),
        ("php-composer", "Upper/Case", "1.0.0", "pkg:composer/Upper/Case@1.0.0"),
    ]


def test_paths_and_other_shapes() -> None:
    assert CATALOGER.wants("srv/vendor/composer/installed.json", 0o644, 10) is not None
    assert CATALOGER.wants("other/installed.json", 0o644, 10) is not None  # as syft
    assert CATALOGER.wants("other/not-installed.json", 0o644, 10) is None
    assert _keys({"something": "else"}, "other/installed.json") == []
    with pytest.raises(CatalogError):
        list(CATALOGER.parse("installed.json", b"{nope", CTX))
    with pytest.raises(CatalogError):
        list(CATALOGER.parse("installed.json", b'"text"', CTX))


@settings(max_examples=200, deadline=None)
@given(
    json_or_bytes(
        ["packages", "name", "version", "license", "source", "dist", "type"], max_leaves=12
    )
)
def test_random_input_raises_only_catalog_error(data: bytes) -> None:
    with contextlib.suppress(CatalogError):
        list(CATALOGER.parse("vendor/composer/installed.json", data, CTX))


# --- PECL: the PEAR registry ----------------------------------------------------------------
#
# Debian's php-pear ships the registry of the packages it bundles (PEAR, Archive_Tar, ...) in
# usr/share/php/.registry/*.reg: real files the PEAR installer serialized, but of the
# pear.php.net channel, which lives directly in .registry/. A PECL package's file is the same
# serialization under .registry/.channel.pecl.php.net/: one test puts copies of Debian's files
# there; another has Debian's ``pear`` (php-pear) install a pecl.php.net package offline
# (``pear package`` + ``pear install --offline``), so that the installer writes the file.

_PACKAGE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<package version="2.0" xmlns="http://pear.php.net/dtd/package-2.0">
 <name>demo_ext</name>
 <channel>pecl.php.net</channel>
 <summary>A demo package</summary>
 <description>A demo package for the tests.</description>
 <lead><name>T</name><user>t</user><email>t@example.org</email><active>yes</active></lead>
 <date>2024-01-01</date>
 <version><release>1.2.3</release><api>1.0.0</api></version>
 <stability><release>stable</release><api>stable</api></stability>
 <license uri="https://opensource.org/licenses/MIT">MIT</license>
 <notes>First.</notes>
 <contents><dir name="/"><file name="Demo.php" role="php"/></dir></contents>
 <dependencies><required><php><min>7.0.0</min></php>
  <pearinstaller><min>1.4.0</min></pearinstaller></required></dependencies>
 <phprelease/>
</package>
"""

_REGISTRY = "usr/share/php/.registry"


def _registry_files() -> dict[str, bytes]:
    root = debian_files("php-pear") / _REGISTRY
    return {path.name: path.read_bytes() for path in sorted(root.glob("*.reg"))}


def test_pecl_registry_equals_syft(tmp_path: Path) -> None:
    regs = _registry_files()
    files = [TarFile(f"{_REGISTRY}/{name}", data) for name, data in regs.items()]
    files += [
        TarFile(f"usr/local/lib/php/.registry/.channel.pecl.php.net/{name}", data)
        for name, data in regs.items()
    ]
    layout = build_image(tmp_path / "pecl", files)
    mine = ours(layout, {"php-pecl"})
    artifacts = syft_artifacts(f"oci-dir:{layout}")
    assert mine == theirs(artifacts, {"php-pecl"})
    assert licences_ours(layout, {"php-pecl"}) == licences_theirs(artifacts, {"php-pecl"})
    # one per relocated file; the pear.php.net ones in .registry/ itself are left out by both
    assert len(mine) == len(regs) >= 5
    assert ("php-pecl", "PEAR", "1.10.13", "pkg:pecl/PEAR@1.10.13") in mine


def _pear(args: list[str], cwd: Path) -> None:
    if shutil.which("pear") is None:
        unavailable("pear is not installed (apt-get install php-cli php-pear php-xml)")
    subprocess.run(["pear", *args], cwd=cwd, check=True, capture_output=True, timeout=300)


def test_pecl_package_installed_by_pear_equals_syft(tmp_path: Path) -> None:
    src, root, rc = tmp_path / "src", tmp_path / "root", tmp_path / "pearrc"
    src.mkdir()
    (src / "package.xml").write_text(_PACKAGE_XML)
    (src / "Demo.php").write_text("<?php class Demo {}\n")
    _pear(["package", "package.xml"], src)
    _pear(["-c", str(rc), "config-create", str(root), str(rc)], tmp_path)
    _pear(["-c", str(rc), "install", "--offline", "--nodeps", "demo_ext-1.2.3.tgz"], src)
    (reg,) = root.rglob(".channel.pecl.php.net/*.reg")
    files = [
        TarFile(f"usr/local/lib/{p.relative_to(root).as_posix()}", p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]
    layout = build_image(tmp_path / "img", files)
    mine = ours(layout, {"php-pecl"})
    assert mine == theirs(syft_artifacts(f"oci-dir:{layout}"), {"php-pecl"})
    assert mine == {("php-pecl", "demo_ext", "1.2.3", "pkg:pecl/demo_ext@1.2.3")}
    (pkg,) = PECL_CATALOGER.parse(reg.relative_to(root).as_posix(), reg.read_bytes(), CTX)
    assert pkg.licenses == ("MIT",)
    assert dict(pkg.metadata)["channel"] == "pecl.php.net"


def test_pecl_fields_from_a_real_file() -> None:
    data = _registry_files()["structures_graph.reg"]
    doc = unserialize(data)
    assert isinstance(doc, dict)
    assert doc["channel"] == "pear.php.net"
    path = "usr/local/lib/php/.registry/.channel.pecl.php.net/structures_graph.reg"
    (pkg,) = PECL_CATALOGER.parse(path, data, CTX)
    assert (pkg.name, pkg.purl) == ("Structures_Graph", f"pkg:pecl/Structures_Graph@{pkg.version}")
    assert pkg.licenses == ()  # a plain-string licence has no _content: syft gives none either


def test_pecl_paths_like_syft_glob() -> None:
    yes = "usr/local/lib/php/.registry/.channel.pecl.php.net/redis.reg"
    assert PECL_CATALOGER.wants(yes, 0o644, 1) is not None
    assert PECL_CATALOGER.wants("php/.registry/.channel.x/a.reg", 0o644, 1) is not None
    assert PECL_CATALOGER.wants("usr/share/php/.registry/pear.reg", 0o644, 1) is None
    assert PECL_CATALOGER.wants("x/php/.registry/.channel.x/sub/a.reg", 0o644, 1) is None
    assert PECL_CATALOGER.wants("x/libphp/.registry/.channel.x/a.reg", 0o644, 1) is None


def test_unserialize_forms() -> None:
    data = b'a:3:{i:0;b:1;s:1:"k";d:1.5;s:2:"' + "é".encode() + b'";N;}'  # length in bytes
    assert unserialize(data) == {
        0: True,
        "k": 1.5,
        "é": None,
    }
    for bad in (b"", b'O:8:"stdClass":0:{}', b's:5:"ab";', b"a:1:{i:0;}", b"i:x;"):
        with pytest.raises(CatalogError):
            unserialize(bad)
    with pytest.raises(CatalogError, match="no package name"):
        PECL_CATALOGER.parse("php/.registry/.channel.x/a.reg", b'a:1:{s:1:"x";i:1;}', CTX)


def test_unserialize_depth_is_bounded() -> None:
    with pytest.raises(CatalogError, match="too deep"):
        unserialize(b"a:1:{i:0;" * 100 + b"N;" + b"}" * 100)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_pecl_random_bytes_raise_only_catalog_error(data: bytes) -> None:
    for blob in (data, b'a:2:{s:4:"name";' + data):
        with contextlib.suppress(CatalogError):
            PECL_CATALOGER.parse("php/.registry/.channel.x/a.reg", blob, CTX)
