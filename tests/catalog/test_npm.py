"""npm cataloger: a real node_modules tree on disk, read back as the walker would."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings

from reporter.catalog.interface import ParseContext
from reporter.catalog.npm import CATALOGER
from reporter.errors import CatalogError
from tests.catalog.strategies import json_or_bytes

CTX = ParseContext(distro=None, arch="amd64")


def _write(root: Path, rel: str, doc: object) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)


def _catalog(root: Path) -> dict[str, tuple[str, str, str, tuple[str, ...]]]:
    found: dict[str, tuple[str, str, str, tuple[str, ...]]] = {}
    for file in sorted(root.rglob("*")):
        if not file.is_file():
            continue
        rel = file.relative_to(root).as_posix()
        if CATALOGER.wants(rel, 0o644, file.stat().st_size) is None:
            continue
        try:
            pkgs = list(CATALOGER.parse(rel, file.read_bytes(), CTX))
        except CatalogError:
            found[rel] = ("error", "", "", ())
            continue
        for p in pkgs:
            assert p.type == "npm"
            found[rel] = (p.name, p.version, p.purl, p.licenses)
    return found


def test_tree_as_syft_catalogs_it(tmp_path: Path) -> None:
    nm = "app/node_modules"
    _write(tmp_path, "app/package.json", {"name": "myapp", "version": "1.2.3", "private": True})
    _write(
        tmp_path, f"{nm}/left/package.json", {"name": "left", "version": "1.0.0", "license": "MIT"}
    )
    _write(
        tmp_path,
        f"{nm}/left/node_modules/inner/package.json",
        {"name": "inner", "version": "0.1.0", "license": "(MIT OR Apache-2.0)"},
    )
    _write(tmp_path, f"{nm}/@scope/pkg/package.json", {"name": "@scope/pkg", "version": "2.0.0"})
    _write(
        tmp_path,
        f"{nm}/licobj/package.json",
        {"name": "licobj", "version": "1.0.0", "license": {"type": "BSD-3-Clause", "url": "x"}},
    )
    _write(
        tmp_path,
        f"{nm}/licarr/package.json",
        {"name": "licarr", "version": "1.0.0", "licenses": [{"type": "MIT"}, {"type": "GPL-2.0"}]},
    )
    _write(tmp_path, f"{nm}/nover/package.json", {"name": "nover"})
    _write(tmp_path, f"{nm}/noname/package.json", {"version": "1.0.0"})
    _write(tmp_path, f"{nm}/bad/package.json", "{bad")
    _write(tmp_path, f"{nm}/list/package.json", [1, 2])
    _write(tmp_path, f"{nm}/left/lib/package.json", {"name": "notpkg", "version": "9.9.9"})
    _write(tmp_path, f"{nm}/left/not-package.json", {"name": "x", "version": "1"})
    found = _catalog(tmp_path)
    # the expected values are what syft 1.18.1 reported for the same tree in an image
    assert found == {
        "app/package.json": ("myapp", "1.2.3", "pkg:npm/myapp@1.2.3", ()),
        f"{nm}/left/package.json": ("left", "1.0.0", "pkg:npm/left@1.0.0", ("MIT",)),
        f"{nm}/left/node_modules/inner/package.json": (
            "inner",
            "0.1.0",
            "pkg:npm/inner@0.1.0",
            ("(MIT OR Apache-2.0)",),
        ),
        f"{nm}/@scope/pkg/package.json": ("@scope/pkg", "2.0.0", "pkg:npm/%40scope/pkg@2.0.0", ()),
        f"{nm}/licobj/package.json": ("licobj", "1.0.0", "pkg:npm/licobj@1.0.0", ("BSD-3-Clause",)),
        f"{nm}/licarr/package.json": (
            "licarr",
            "1.0.0",
            "pkg:npm/licarr@1.0.0",
            ("MIT", "GPL-2.0"),
        ),
        f"{nm}/nover/package.json": ("nover", "", "pkg:npm/nover", ()),
        f"{nm}/bad/package.json": ("error", "", "", ()),
        f"{nm}/list/package.json": ("error", "", "", ()),
        f"{nm}/left/lib/package.json": ("notpkg", "9.9.9", "pkg:npm/notpkg@9.9.9", ()),
    }


@pytest.mark.parametrize(
    ("version", "purl"),
    [("1+build", "pkg:npm/n@1%2Bbuild"), ("1 2", "pkg:npm/n@1%202"), ("1(2)%", "pkg:npm/n@1(2)%")],
)
def test_purl_escaping_as_syft(version: str, purl: str) -> None:
    doc = json.dumps({"name": "n", "version": version}).encode()
    assert next(iter(CATALOGER.parse("package.json", doc, CTX))).purl == purl


@settings(max_examples=200, deadline=None)
@given(json_or_bytes(["name", "version", "license", "licenses", "author", "repository", "x"]))
def test_random_input_raises_only_catalog_error(data: bytes) -> None:
    with contextlib.suppress(CatalogError):
        list(CATALOGER.parse("node_modules/x/package.json", data, CTX))
