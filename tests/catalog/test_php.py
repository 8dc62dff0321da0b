"""Composer installed.json, v1 (a list) and v2 ({"packages": [...]}), as Composer writes it."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings

from reporter.catalog.interface import ParseContext
from reporter.catalog.php import CATALOGER
from reporter.errors import CatalogError
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
