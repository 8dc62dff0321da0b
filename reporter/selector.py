"""``PATH``, ``PATH:TAG`` or ``PATH@sha256:…``: which part is the path, which the selector.

Apart from ``reporter.pipeline`` so the CLI can split a selector (and look the report up in the
whole-report cache) without importing every stage.
"""

from __future__ import annotations

import os
from dataclasses import replace

from reporter.errors import UsageError
from reporter.options import Options

__all__ = ["split_selector"]


def split_selector(spec: str, options: Options) -> tuple[str, Options]:
    """``PATH``, ``PATH:TAG`` or ``PATH@sha256:…`` → (path, options with the selector)."""
    if spec == "-" or os.path.exists(spec):
        return spec, options
    if "@" in spec:
        path, _, digest = spec.rpartition("@")
        if path and (path == "-" or os.path.exists(path)):
            if ":" not in digest:
                raise UsageError(f"digest selector {digest!r} must look like sha256:<hex>")
            return path, replace(options, digest=digest)
    if ":" in spec:
        path, _, tag = spec.rpartition(":")
        if path and (path == "-" or os.path.exists(path)):
            return path, replace(options, tag=tag)
    return spec, options  # let open_input report the missing path
