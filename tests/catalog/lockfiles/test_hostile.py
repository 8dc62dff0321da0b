"""Hostile lock files: random bytes, and real ones cut or corrupted, give packages or one
``CatalogError`` line, never another exception (YAML, TOML and JSON readers included)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reporter.catalog import LOCKFILE_CATALOGERS
from reporter.catalog.interface import Cataloger, ParseContext
from reporter.errors import CatalogError
from tests.catalog.lockfiles.documented import DOCUMENTED

_CTX = ParseContext(None, "amd64", DOCUMENTED.get)


def _inputs(cataloger: Cataloger) -> list[tuple[str, bytes]]:
    return [(p, d) for p, d in DOCUMENTED.items() if cataloger.wants(p, 0o644, len(d))]


def _parse_or_one_line_error(cataloger: Cataloger, path: str, data: bytes) -> None:
    try:
        list(cataloger.parse(path, data, _CTX))
    except CatalogError as exc:
        message = str(exc)
    else:
        return
    assert "\n" not in message
    assert message.startswith(path)


@pytest.mark.parametrize("cataloger", LOCKFILE_CATALOGERS, ids=lambda c: c.name)
def test_every_lock_file_cataloger_has_documented_input(cataloger: Cataloger) -> None:
    assert _inputs(cataloger)
    assert any(list(cataloger.parse(p, d, _CTX)) for p, d in _inputs(cataloger))


@pytest.mark.parametrize("cataloger", LOCKFILE_CATALOGERS, ids=lambda c: c.name)
@settings(deadline=None)  # 2 shared cores: timing says nothing here
@given(data=st.data())
def test_property_corrupted_lock_files(cataloger: Cataloger, data: st.DataObject) -> None:
    path, original = data.draw(st.sampled_from(_inputs(cataloger)))
    cut = data.draw(st.integers(0, len(original)))
    noise = data.draw(st.binary(max_size=64))
    at = data.draw(st.integers(0, cut))
    mangled = original[:at] + noise + original[at:cut]
    _parse_or_one_line_error(cataloger, path, mangled)
    _parse_or_one_line_error(cataloger, path, data.draw(st.binary(max_size=2000)))


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("poetry.lock", b"a = " + b"[" * 200_000),
        ("Cargo.lock", b"a = " + b"{b=" * 100_000),
        ("pnpm-lock.yaml", b"a: " + b"[" * 200_000),
        ("pubspec.lock", b"packages:\n  x: &a [*a]\n"),  # a YAML alias cycle
    ],
)
def test_deep_nesting_is_a_catalog_error_or_nothing(path: str, data: bytes) -> None:
    for cataloger in LOCKFILE_CATALOGERS:
        if cataloger.wants(path, 0o644, len(data)):
            _parse_or_one_line_error(cataloger, path, data)
