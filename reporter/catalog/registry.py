"""The cataloger registry: adding an ecosystem is one module and one line here.

The distro cataloger comes first: it keeps os-release and friends, which the other
catalogers' purls need (``reporter.catalog.run`` detects the distro before parsing).

``LOCKFILE_CATALOGERS`` read the lock files copied into an image (package-lock.json,
poetry.lock, Cargo.lock, go.mod, ...). syft runs them on directories only, never on images, so
they are opt-in (``Options.lockfiles``, ``--lockfiles``): ``catalogers`` picks the tuple a run
uses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reporter.catalog import (
    alpm,
    apk,
    binary,
    conda,
    distro,
    dotnet,
    dpkg,
    golang,
    java,
    lua,
    nix,
    npm,
    php,
    portage,
    python,
    rlang,
    rpm,
    ruby,
    rust,
    wordpress,
)
from reporter.catalog.interface import Cataloger

if TYPE_CHECKING:
    LOCKFILE_CATALOGERS: tuple[Cataloger, ...]

__all__ = ["ALL_CATALOGERS", "LOCKFILE_CATALOGERS", "catalogers"]

ALL_CATALOGERS: tuple[Cataloger, ...] = (
    distro.CATALOGER,
    dpkg.CATALOGER,
    apk.CATALOGER,
    rpm.CATALOGER,
    alpm.CATALOGER,
    portage.CATALOGER,
    python.CATALOGER,
    npm.CATALOGER,
    golang.CATALOGER,
    rust.CATALOGER,
    java.CATALOGER,
    ruby.CATALOGER,
    php.CATALOGER,
    php.PECL_CATALOGER,
    rlang.CATALOGER,
    wordpress.CATALOGER,
    dotnet.PE_CATALOGER,
    dotnet.DEPS_CATALOGER,
    conda.CATALOGER,
    lua.CATALOGER,
    nix.CATALOGER,
    binary.CLASSIFIER_CATALOGER,
    binary.JVM_CATALOGER,
)


def _lockfile_catalogers() -> tuple[Cataloger, ...]:
    """The opt-in lock-file catalogers, imported on first use.

    Start-up (issue 16): ten parsers and PyYAML (pubspec.lock, pnpm-lock.yaml) cost a run
    without ``--lockfiles`` 50-100 ms of imports it never uses. ``LOCKFILE_CATALOGERS`` stays
    a module attribute (``__getattr__`` below), computed once.
    """
    from reporter.catalog.lockfiles import beam as lock_beam
    from reporter.catalog.lockfiles import dart as lock_dart
    from reporter.catalog.lockfiles import go as lock_go
    from reporter.catalog.lockfiles import haskell as lock_haskell
    from reporter.catalog.lockfiles import js as lock_js
    from reporter.catalog.lockfiles import php as lock_php
    from reporter.catalog.lockfiles import python as lock_python
    from reporter.catalog.lockfiles import ruby as lock_ruby
    from reporter.catalog.lockfiles import rust as lock_rust
    from reporter.catalog.lockfiles import swift as lock_swift

    # Opt-in (see the module docstring); their packages carry ``declared = lock-file``.
    found: tuple[Cataloger, ...] = (
        lock_js.CATALOGER,
        lock_python.CATALOGER,
        lock_ruby.CATALOGER,
        lock_rust.CATALOGER,
        lock_go.CATALOGER,
        lock_php.CATALOGER,
        lock_beam.MIX_CATALOGER,
        lock_beam.REBAR_CATALOGER,
        lock_dart.CATALOGER,
        lock_swift.CATALOGER,
        lock_haskell.CATALOGER,
    )
    globals()["LOCKFILE_CATALOGERS"] = found  # later lookups find it without __getattr__
    return found


def __getattr__(name: str) -> tuple[Cataloger, ...]:
    if name == "LOCKFILE_CATALOGERS":
        return _lockfile_catalogers()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def catalogers(*, catalog: bool, lockfiles: bool) -> tuple[Cataloger, ...]:
    """The catalogers of a run: none without ``catalog``; the lock-file ones on request."""
    if not catalog:
        return ()
    return ALL_CATALOGERS + _lockfile_catalogers() if lockfiles else ALL_CATALOGERS
