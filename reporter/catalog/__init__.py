"""Catalogers: one module per ecosystem; the registry of them is ``reporter.catalog.registry``.

``ALL_CATALOGERS``, ``LOCKFILE_CATALOGERS`` and ``catalogers`` are re-exported from the registry
on first use, not at import: every ``reporter.catalog.*`` import runs this file, and a run that
catalogs nothing (``inspect``, a warm whole-report cache hit) should not pay for importing
every parser (a third of a second at start-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reporter.catalog.registry import ALL_CATALOGERS, LOCKFILE_CATALOGERS, catalogers

__all__ = ["ALL_CATALOGERS", "CATALOG_VERSION", "LOCKFILE_CATALOGERS", "catalogers"]

# Bumped whenever what a layer scan keeps or how it is parsed changes: it keys the layer cache.
CATALOG_VERSION = "5"

_LAZY = frozenset(("ALL_CATALOGERS", "LOCKFILE_CATALOGERS", "catalogers"))


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from reporter.catalog import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
