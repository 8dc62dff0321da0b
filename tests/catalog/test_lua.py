"""Lua rocks installed by Debian's ``luarocks`` at test time (offline: ``luarocks
write_rockspec`` writes the rockspec of a local module, ``luarocks make`` installs it into a
tree), against syft 1.18.1 run on an image of that tree."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog.interface import ParseContext
from reporter.catalog.lua import CATALOGER, parse_rockspec
from reporter.errors import CatalogError
from tests.catalog.ecosys_images import (
    TarFile,
    build_image,
    licences_ours,
    licences_theirs,
    ours,
    syft_artifacts,
    theirs,
    unavailable,
)

CTX = ParseContext(distro=None, arch="amd64")

# a rockspec with the Lua that real ones use beyond plain assignments (LuaRocks wiki,
# "Rockspec format": locals and concatenation in source.url, long strings, comments)
HANDWRITTEN = b"""-- a comment
local tag = "v2.0.1"
package = "luasyslog"
version = "2.0.1-1"
source = {
   url = "git://github.com/lunarmodules/luasyslog.git",
   tag = tag .. "",
}
description = {
   summary = [[Syslog logging for Lua]],
   homepage = 'https://github.com/lunarmodules/luasyslog',
   license = "MIT/X11 or Apache 2.0",
}
dependencies = { "lua >= 5.1", "lualogging >= 1.4.0, < 2.0.0"; }
build = { type = "builtin", modules = { ["lsyslog"] = "src/lsyslog.c" } }
"""


def _luarocks(args: list[str], cwd: Path) -> None:
    if shutil.which("luarocks") is None:
        unavailable("luarocks is not installed (apt-get install luarocks)")
    subprocess.run(["luarocks", *args], cwd=cwd, check=True, capture_output=True, timeout=300)


def _installed_tree(tmp: Path) -> Path:
    tree = tmp / "tree"
    for name, version in (("hello", "0.4"), ("greet-world", "1.10")):
        src = tmp / "src" / name
        src.mkdir(parents=True)
        (src / f"{name.replace('-', '_')}.lua").write_text("return {}\n")
        _luarocks(
            ["write_rockspec", name, version, ".", "--lua-versions=5.1", "--license=MIT"], src
        )
        (rockspec,) = src.glob("*.rockspec")
        _luarocks(["make", f"--tree={tree}", rockspec.name], src)
    return tree


def test_installed_rocks_equal_syft(tmp_path: Path) -> None:
    tree = _installed_tree(tmp_path)
    files = [
        TarFile(f"usr/local/{p.relative_to(tree).as_posix()}", p.read_bytes())
        for p in sorted(tree.rglob("*"))
        if p.is_file()
    ]
    files.append(TarFile("srv/app/luasyslog-2.0.1-1.rockspec", HANDWRITTEN))
    layout = build_image(tmp_path / "lua", files)
    mine = ours(layout, {"lua-rocks"})
    artifacts = syft_artifacts(f"oci-dir:{layout}")
    assert mine == theirs(artifacts, {"lua-rocks"})
    assert licences_ours(layout, {"lua-rocks"}) == licences_theirs(artifacts, {"lua-rocks"})
    assert mine == {
        ("lua-rocks", "hello", "0.4-1", "pkg:luarocks/hello@0.4-1"),
        ("lua-rocks", "greet-world", "1.10-1", "pkg:luarocks/greet-world@1.10-1"),
        ("lua-rocks", "luasyslog", "2.0.1-1", "pkg:luarocks/luasyslog@2.0.1-1"),
    }


def test_handwritten_fields() -> None:
    (pkg,) = CATALOGER.parse("x/luasyslog-2.0.1-1.rockspec", HANDWRITTEN, CTX)
    assert pkg.licenses == ("MIT/X11-or-Apache-2.0",)  # spaces to dashes, as syft
    assert pkg.requires == (("lua",), ("lualogging",))
    meta = dict(pkg.metadata)
    assert meta["summary"] == "Syslog logging for Lua"
    assert meta["url"].startswith("git://")
    doc = parse_rockspec(HANDWRITTEN.decode())
    assert doc["source"] == {"url": "git://github.com/lunarmodules/luasyslog.git", "tag": "v2.0.1"}
    assert "tag" not in doc  # a local is not a field


def test_unreadable_lua_is_an_error() -> None:
    for text in (b"package = f()", b'package = "x" .. {}', b"x = ", b"version = undefined"):
        with pytest.raises(CatalogError):
            CATALOGER.parse("a.rockspec", text, CTX)
    assert CATALOGER.parse("a.rockspec", b'version = "1"', CTX) == []
    assert CATALOGER.wants("a/b.rockspec", 0o644, 1) is not None
    assert CATALOGER.wants("a/rock_manifest", 0o644, 1) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=1024))
def test_random_bytes_raise_only_catalog_error(data: bytes) -> None:
    for blob in (data, b"package = " + data, b"x = {" * 200 + data):
        with contextlib.suppress(CatalogError):
            CATALOGER.parse("a.rockspec", blob, CTX)
