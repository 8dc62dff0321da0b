"""What one streaming pass over a layer found: ``LayerScan`` and its parts.

Plain frozen data (no I/O), imported by everything that consumes a scan: the walker that
makes it, the layer cache that stores it, the filesystem views, verification and the catalog.
Picklable, since worker processes send it back (``reporter.layers.parallel``).
"""

from __future__ import annotations

from dataclasses import dataclass

from reporter.model import Finding

__all__ = ["Captured", "Entry", "LayerScan"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One tar entry, path normalised (no leading ``/`` or ``./``, never above the root)."""

    path: str
    type: str  # file | dir | symlink | hardlink | other
    mode: int  # permission bits (& 0o7777)
    size: int  # for a hard link: the size of its target when the target is in this layer
    linkname: str = ""  # symlink target as written; hard-link target normalised like path


@dataclass(frozen=True, slots=True)
class Captured:
    """What a cataloger asked the walker to keep of one file."""

    path: str
    cataloger: str
    data: bytes
    whole: bool = True  # False when ``data`` is a Scanner's result, not the file content


@dataclass(frozen=True, slots=True)
class LayerScan:
    blob_digest: str  # "<algorithm>:<hex>" over every raw byte read
    blob_size: int
    diff_id: str  # "sha256:<hex>" of the uncompressed stream; "" when it could not be decoded whole
    uncompressed_size: int  # bytes decompressed (all of them when ``diff_id`` is set)
    compression: str  # gzip | zstd | none
    entries: tuple[Entry, ...]
    whiteouts: tuple[str, ...]  # paths deleted from lower layers
    opaque_dirs: tuple[str, ...]  # directories whose lower-layer children are hidden
    captured: tuple[Captured, ...]
    findings: tuple[Finding, ...]
    complete: bool  # the whole stream was decoded and walked without a problem or limit
