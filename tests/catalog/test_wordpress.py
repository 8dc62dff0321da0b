"""WordPress plugins from Debian's wordpress package, against syft 1.18.1 run on the same
image at test time."""

from __future__ import annotations

import contextlib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog.interface import ParseContext
from reporter.catalog.wordpress import CATALOGER, HeaderScanner
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
PLUGINS = "usr/share/wordpress/wp-content/plugins"


def _plugin_files() -> list[TarFile]:
    root = debian_files("wordpress")
    return [
        TarFile(path.relative_to(root).as_posix(), path.read_bytes())
        for path in sorted((root / PLUGINS).rglob("*"))
        if path.is_file() and not path.is_symlink()
    ]


def test_debian_plugins_equal_syft(tmp_path: Path) -> None:
    files = _plugin_files()
    akismet = next(f for f in files if f.path.endswith("/akismet/akismet.php"))
    # the same plugin one level too deep is not a plugin for WordPress, nor for either tool
    files.append(TarFile(f"{PLUGINS}/akismet/views/akismet-copy.php", akismet.data))
    layout = build_image(tmp_path / "wp", files)
    mine = ours(layout, {"wordpress-plugin"})
    artifacts = syft_artifacts(f"oci-dir:{layout}")
    assert mine == theirs(artifacts, {"wordpress-plugin"})
    kinds = {"wordpress-plugin"}
    assert licences_ours(layout, kinds) == licences_theirs(artifacts, kinds)
    assert [(name, purl) for _, name, _, purl in mine] == [("Akismet Anti-Spam", "")]


def test_real_plugin_header() -> None:
    akismet = next(f for f in _plugin_files() if f.path.endswith("/akismet/akismet.php"))
    (pkg,) = CATALOGER.parse(akismet.path, akismet.data, CTX)
    header = akismet.data.decode()
    assert f"Version: {pkg.version}" in header
    assert pkg.licenses == ("GPLv2",)  # "License: GPLv2 or later": the first word, as syft
    meta = dict(pkg.metadata)
    assert meta["plugin_name"] == "akismet"
    assert meta["author_uri"].startswith("https://")


def test_scanner_keeps_only_the_file_with_the_header() -> None:
    kept = {}
    for f in _plugin_files():
        scanner = CATALOGER.wants(f.path, 0o644, len(f.data))
        if scanner is None:
            continue
        assert isinstance(scanner, HeaderScanner)
        for at in range(0, len(f.data), 1000):
            assert scanner.feed(f.data[at : at + 1000])
        kept[f.path] = scanner.result()
    assert len(kept) > 5  # akismet's PHP files directly in its directory
    assert {path for path, data in kept.items() if data is not None} == {
        f"{PLUGINS}/akismet/akismet.php"
    }
    assert CATALOGER.wants("wp-content/plugins/x/x.php", 0o644, 17 * 1024 * 1024) is None


def test_paths_like_syft_glob() -> None:
    assert CATALOGER.wants("var/www/wp-content/plugins/x/x.php", 0o644, 1) is not None
    assert CATALOGER.wants("wp-content/plugins/x/.php", 0o644, 1) is not None
    assert CATALOGER.wants("wp-content/plugins/x.php", 0o644, 1) is None
    assert CATALOGER.wants("wp-content/plugins/x/y/z.php", 0o644, 1) is None
    assert CATALOGER.wants("my-wp-content/plugins/x/x.php", 0o644, 1) is None
    assert CATALOGER.wants("wp-content/plugins/x/readme.txt", 0o644, 1) is None


def test_needs_name_and_numeric_version() -> None:
    path = "wp-content/plugins/x/x.php"
    assert CATALOGER.parse(path, b"<?php /* Plugin Name: X */", CTX) == []
    assert CATALOGER.parse(path, b"<?php /* Plugin Name: X\n Version: beta */", CTX) == []
    (pkg,) = CATALOGER.parse(path, b"/*\n * plugin name: X\n * VERSION:\n 1.2.3-rc1\n */", CTX)
    assert (pkg.name, pkg.version) == ("X", "1.2.3")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_random_bytes_raise_only_catalog_error(data: bytes) -> None:
    with contextlib.suppress(CatalogError):
        CATALOGER.parse("wp-content/plugins/x/x.php", b"Plugin Name: " + data, CTX)
