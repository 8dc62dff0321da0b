"""CPEs of the newer ecosystems (R, WordPress, PECL, .NET, Lua rocks, alpm, portage) against
syft 1.18.1 run at test time on the images their cataloger tests build (the same files,
``tests.catalog.ecosys_images`` and the tests beside this one): every CPE of every package,
list for list, in syft's order."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog import cpe
from reporter.options import Options
from reporter.pipeline import generate
from tests.catalog import (
    test_alpm,
    test_dotnet,
    test_lua,
    test_php,
    test_portage,
    test_rlang,
    test_wordpress,
)
from tests.catalog.ecosys_images import TarFile, build_image, syft_artifacts
from tests.hostile._build import TAR_LAYER, custom_layout, tar_bytes

_Key = tuple[str, str, str, str]  # type, name, version, first location


def _ours(layout: Path, kind: str) -> dict[_Key, tuple[str, ...]]:
    return {
        (p.type, p.name, p.version, p.locations[0].path): p.cpes
        for p in generate(str(layout), Options()).images[0].packages
        if p.type == kind
    }


def _theirs(artifacts: list[dict[str, Any]], kind: str) -> dict[_Key, tuple[str, ...]]:
    return {
        (a["type"], a["name"], a["version"], a["locations"][0]["path"]): tuple(
            c["cpe"] for c in a["cpes"]
        )
        for a in artifacts
        if a["type"] == kind
    }


def _wordpress(tmp: Path) -> Path:
    return build_image(tmp / "wp", test_wordpress._plugin_files())


def _rlang(tmp: Path) -> Path:
    files = [TarFile(*test_rlang._description(p)) for p in test_rlang.PACKAGES]
    return build_image(tmp / "r", files)


def _pecl(tmp: Path) -> Path:
    files = [
        TarFile(f"usr/local/lib/php/.registry/.channel.pecl.php.net/{name}", data)
        for name, data in test_php._registry_files().items()
    ]
    return build_image(tmp / "pecl", files)


def _dotnet(tmp: Path) -> Path:
    return build_image(tmp / "mono", test_dotnet._mono_dlls((test_dotnet.MONO, *test_dotnet.MORE)))


def _lua(tmp: Path) -> Path:
    tree = test_lua._installed_tree(tmp)
    files = [
        TarFile(f"usr/local/{p.relative_to(tree).as_posix()}", p.read_bytes())
        for p in sorted(tree.rglob("*"))
        if p.is_file()
    ]
    files.append(TarFile("srv/app/luasyslog-2.0.1-1.rockspec", test_lua.HANDWRITTEN))
    return build_image(tmp / "lua", files)


def _portage(tmp: Path) -> Path:
    custom_layout(tmp / "gentoo", [tar_bytes(test_portage._files())], media_type=TAR_LAYER)
    return tmp / "gentoo"


def _alpm(tmp: Path) -> Path:
    work = tmp / "pacman"
    work.mkdir()
    return test_alpm._image(test_alpm.pacman_root.__wrapped__(_Factory(work)), work)  # type: ignore[attr-defined]


class _Factory:
    """Enough of pytest's TempPathFactory for test_alpm's module fixture."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def mktemp(self, name: str) -> Path:
        path = self.root / name
        path.mkdir()
        return path


_IMAGES: dict[str, Callable[[Path], Path]] = {
    "wordpress-plugin": _wordpress,
    "R-package": _rlang,
    "php-pecl": _pecl,
    "dotnet": _dotnet,
    "lua-rocks": _lua,
    "portage": _portage,
    "alpm": _alpm,
}


@pytest.mark.parametrize("kind", sorted(_IMAGES))
def test_cpes_equal_syfts_in_order(kind: str, tmp_path: Path) -> None:
    layout = _IMAGES[kind](tmp_path)
    ours = _ours(layout, kind)
    theirs = _theirs(syft_artifacts(f"oci-dir:{layout}"), kind)
    assert ours
    assert ours == theirs


def test_dictionary_names_equal_syfts(tmp_path: Path) -> None:
    """Names the vendored NVD dictionary lists (one CPE, two CPEs, a scoped npm name, a
    Composer name, a WordPress plugin directory): syft 1.18.1 gives the dictionary's CPEs."""
    files = [
        TarFile(
            f"app/node_modules/{name}/package.json",
            f'{{"name":"{name}","version":"1.0.0"}}'.encode(),
        )
        for name in ("@actions/core", "@actions/artifact")
    ]
    files.append(
        TarFile(
            "var/www/wp-content/plugins/academy/academy.php",
            b"<?php\n/*\n * Plugin Name: Some Thing\n * Version: 1.2\n * Author: Nobody\n */\n",
        )
    )
    installed = b'{"packages":[{"name":"alfnru/password_recovery","version":"1.0.0"}]}'
    files.append(TarFile("app/vendor/composer/installed.json", installed))
    layout = build_image(tmp_path / "dict", files)
    artifacts = syft_artifacts(f"oci-dir:{layout}")
    kinds = ("npm", "wordpress-plugin", "php-composer")
    ours = {k: v for kind in kinds for k, v in _ours(layout, kind).items()}
    theirs = {k: v for kind in kinds for k, v in _theirs(artifacts, kind).items()}
    assert len(ours) == 4
    assert ours == theirs
    assert all(c["source"] == "nvd-cpe-dictionary" for a in artifacts for c in a["cpes"])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_a_cpe_part_is_quoted_character_by_character(value: str) -> None:
    # the quoting as a loop over the characters: a backslash before all but [A-Za-z0-9._-]
    expected = "".join(c if re.fullmatch(r"[A-Za-z0-9._-]", c) else "\\" + c for c in value)
    assert cpe._quote(value) == expected
    assert cpe.format_cpe("a b", "c+d", "1:2\n") == "cpe:2.3:a:a_b:c\\+d:1\\:2\\\n:*:*:*:*:*:*:*"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20) | st.text(st.characters(max_codepoint=0x80), max_size=20))
def test_a_bindable_value_is_printable_ascii(value: str) -> None:
    assert cpe._bindable(value) == all(" " <= c <= "~" for c in value)


def test_every_ascii_character_is_bindable_as_printable_ascii() -> None:
    for code in range(0x100):
        assert cpe._bindable(chr(code)) == (0x20 <= code <= 0x7E), code
