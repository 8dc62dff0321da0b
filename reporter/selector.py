"""``PATH[:TAG]`` / ``PATH[@DIGEST]`` → (path, selector), and what a selector could have named.

A reference inside a docker-save ``RepoTags`` entry or an ``io.containerd.image.name``
annotation holds colons of its own (``localhost/corpus/app:2.0.0``, ``host:5000/x:1``), so the
split cannot be "the last ':'". Like skopeo's ``docker-archive:path:ref``, PATH is the longest
prefix of the argument that exists on disk; everything after the separator that follows it is
the selector. Pure apart from ``os.path.exists``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reporter.errors import UsageError
from reporter.options import Options

if TYPE_CHECKING:  # the command line splits selectors before any model type is needed
    from reporter.model import ImageTarget

__all__ = ["Selector", "available", "split_selector", "split_spec", "split_values"]

_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$")  # image-spec descriptor.md


@dataclass(frozen=True, slots=True)
class Selector:
    path: str
    tag: str = ""
    digest: str = ""


def _exists(path: str) -> bool:
    return path == "-" or os.path.exists(path)


def split_spec(spec: str) -> Selector:
    """The longest existing prefix of ``spec`` followed by ':' or '@' is PATH.

    ``spec`` itself existing wins (a file may be named ``a:b``). With no existing prefix the
    whole of ``spec`` is returned as the path, so opening it reports the missing file by name.
    """
    if _exists(spec):
        return Selector(spec)
    for cut in range(len(spec) - 1, 0, -1):
        sep = spec[cut]
        if sep not in ":@" or not _exists(spec[:cut]):
            continue
        rest = spec[cut + 1 :]
        if not rest:
            raise UsageError(f"empty selector after {sep!r}", where=spec[:cut])
        if sep == "@":
            if not _DIGEST.match(rest):
                raise UsageError(f"digest selector {rest!r} must look like sha256:<hex>")
            return Selector(spec[:cut], digest=rest)
        return Selector(spec[:cut], tag=rest)
    return Selector(spec)


def split_selector(spec: str, options: Options) -> tuple[str, Options]:
    """``PATH``, ``PATH:TAG`` or ``PATH@sha256:…`` → (path, options with the selector)."""
    chosen = split_spec(spec)
    if chosen.tag:
        return chosen.path, replace(options, tag=chosen.tag)
    if chosen.digest:
        return chosen.path, replace(options, digest=chosen.digest)
    return chosen.path, options


def split_values(values: Sequence[str]) -> tuple[str, ...]:
    """A repeatable list option that also takes ``a,b,c``: the values in order, once each."""
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return tuple(out)


def available(
    targets: Sequence[ImageTarget], platforms_seen: Sequence[str] = (), limit: int = 8
) -> str:
    """What a selector could name, for the "matched nothing" error: refs, digests, platforms
    (from index descriptors, plus ``platforms_seen`` in image configs)."""
    refs = sorted({ref for t in targets for ref in t.refs})
    digests = sorted({t.manifest.digest for t in targets if t.manifest.digest})
    platforms = sorted(
        {str(t.platform) for t in targets if t.platform is not None} | set(platforms_seen)
    )
    parts = []
    for label, items in (("tags", refs), ("digests", digests), ("platforms", platforms)):
        if items:
            shown = ", ".join(items[:limit])
            more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
            parts.append(f"{label}: {shown}{more}")
    return "; ".join(parts) if parts else "the input holds no images"
