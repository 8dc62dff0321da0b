"""The cataloger registry: adding an ecosystem is one module and one line here.

The distro cataloger comes first: it keeps os-release and friends, which the other
catalogers' purls need (``reporter.catalog.run`` detects the distro before parsing).
"""

from __future__ import annotations

from reporter.catalog import (
    apk,
    binary,
    conda,
    distro,
    dotnet,
    dpkg,
    golang,
    java,
    lua,
    npm,
    php,
    python,
    rlang,
    rpm,
    ruby,
    rust,
    wordpress,
)
from reporter.catalog.interface import Cataloger

__all__ = ["ALL_CATALOGERS", "CATALOG_VERSION"]

ALL_CATALOGERS: tuple[Cataloger, ...] = (
    distro.CATALOGER,
    dpkg.CATALOGER,
    apk.CATALOGER,
    rpm.CATALOGER,
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
    binary.CLASSIFIER_CATALOGER,
    binary.JVM_CATALOGER,
)

# Bumped whenever what a layer scan keeps or how it is parsed changes: it keys the layer cache.
CATALOG_VERSION = "4"
