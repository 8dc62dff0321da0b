"""The cataloger registry: adding an ecosystem is one module and one line here.

The distro cataloger comes first: it keeps os-release and friends, which the other
catalogers' purls need (``reporter.catalog.run`` detects the distro before parsing).

``LOCKFILE_CATALOGERS`` read the lock files copied into an image (package-lock.json,
poetry.lock, Cargo.lock, go.mod, ...). syft runs them on directories only, never on images, so
they are opt-in (``Options.lockfiles``, ``--lockfiles``): ``catalogers`` picks the tuple a run
uses.
"""

from __future__ import annotations

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

# Opt-in (see the module docstring); their packages carry ``declared = lock-file``.
LOCKFILE_CATALOGERS: tuple[Cataloger, ...] = (
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


def catalogers(*, catalog: bool, lockfiles: bool) -> tuple[Cataloger, ...]:
    """The catalogers of a run: none without ``catalog``; the lock-file ones on request."""
    if not catalog:
        return ()
    return ALL_CATALOGERS + LOCKFILE_CATALOGERS if lockfiles else ALL_CATALOGERS
