"""A content-addressed cache of per-layer scan results (``LayerScan``), safe to share.

Key: sha256 over the layer's blob digest and size, the diff_id the config expects, the media
type (it decides the compression hint finding), the scan limits, the catalog version (the
caller passes ``reporter.catalog.CATALOG_VERSION``: this module, a stage before the catalog,
does not import it), the tool version and the names of the catalogers that asked for files.
A layer that appears in another image, or again in a re-run, is then read from the cache
instead of being decompressed.

What a cached result stands on: the blob's digest as the manifest names it (the blob file is
``blobs/<algorithm>/<hex>``) and its size on disk. A warm run still re-hashes the blob and uses
the entry only if the bytes on disk match that digest (``reporter.layers.schedule``), so a
changed blob is never called sound; it skips decompression, the tar walk and capture. Only
``--trust-cache`` (``Options.trust_cache``) takes the digest on faith and skips the re-hash;
``--no-cache`` (``Options.cache_dir=None``) scans everything afresh. Only results whose hashed
bytes matched the named digest and size are ever written, so a corrupt or forged blob never
becomes a cache entry.

Entries are ``reporter.sealed`` files (magic, content hash, orjson header, the captured data
concatenated; never pickle: a cache directory may be shared or tampered with). The header
is validated field by field; an entry that fails any check (bad magic, content hash, key,
type, bounds) is ignored and overwritten by the next scan of that layer. Writers
write a temporary file in the cache directory and ``os.replace`` it: concurrent runs never see
a half-written entry, and the last complete writer wins.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from reporter import __version__
from reporter.layers.scan import Captured, Entry, LayerScan
from reporter.model import Finding, FindingKind
from reporter.options import Limits
from reporter.sealed import Invalid, seal, unseal, write_atomic
from reporter.sealed import as_bool as _bool
from reporter.sealed import as_int as _int
from reporter.sealed import as_list as _list
from reporter.sealed import as_str as _str

__all__ = ["FORMAT", "LayerCache", "default_cache_dir"]

FORMAT = "oci-reporter/layer-cache/v1"
_MAGIC = b"OCIRLC1\n"
_ENTRY_TYPES = frozenset(("file", "dir", "symlink", "hardlink", "other"))
_COMPRESSIONS = frozenset(("gzip", "zstd", "none"))
_SEVERITIES = frozenset(("error", "warning", "info"))


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/oci-reporter``, else ``~/.cache/oci-reporter`` (macOS: Library/Caches)."""
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    if xdg and os.path.isabs(xdg):
        return Path(xdg) / "oci-reporter"
    if sys.platform == "darwin":  # pragma: no cover - platform specific
        return Path.home() / "Library" / "Caches" / "oci-reporter"
    return Path.home() / ".cache" / "oci-reporter"


def _finding_kind(value: Any) -> FindingKind:
    # an entry written by another version may name a kind this one lacks: unreadable, recompute
    try:
        return FindingKind(_str(value))
    except ValueError:
        raise Invalid("unknown finding kind") from None


def _opt_str(value: Any) -> str | None:
    return None if value is None else _str(value)


def _encode(key: str, scan: LayerScan, where: str) -> bytes:
    blobs: list[bytes] = []
    captured = []
    offset = 0
    for item in scan.captured:
        blobs.append(item.data)
        captured.append([item.path, item.cataloger, item.whole, offset, len(item.data)])
        offset += len(item.data)
    header = {
        "format": FORMAT,
        "key": key,
        "blob_digest": scan.blob_digest,
        "blob_size": scan.blob_size,
        "diff_id": scan.diff_id,
        "uncompressed_size": scan.uncompressed_size,
        "compression": scan.compression,
        "complete": scan.complete,
        "entries": [[e.path, e.type, e.mode, e.size, e.linkname] for e in scan.entries],
        "whiteouts": list(scan.whiteouts),
        "opaque_dirs": list(scan.opaque_dirs),
        "captured": captured,
        "data_size": offset,
        # where == the scan's own location is stored as null and restored on load, so an entry
        # made while scanning one image reads right for the next image sharing the layer.
        "findings": [
            [
                f.kind,
                f.message,
                None if f.where == where else f.where,
                f.severity,
                f.expected,
                f.actual,
                f.integrity,
            ]
            for f in scan.findings
        ],
    }
    return seal(_MAGIC, header, b"".join(blobs))


def _decode(key: str, raw: bytes, where: str) -> LayerScan:
    header, data = unseal(_MAGIC, raw, fmt=FORMAT, key=key)
    compression = _str(header["compression"])
    if compression not in _COMPRESSIONS:
        raise Invalid("unknown compression")
    entries = []
    for row in _list(header["entries"]):
        path, kind, mode, esize, link = _list(row)
        if kind not in _ENTRY_TYPES:
            raise Invalid("unknown entry type")
        entries.append(Entry(_str(path), kind, _int(mode), _int(esize), _str(link)))
    captured = []
    for row in _list(header["captured"]):
        path, cataloger, whole, start, length = _list(row)
        start, length = _int(start), _int(length)
        if start + length > len(data):
            raise Invalid("captured data out of range")
        captured.append(
            Captured(_str(path), _str(cataloger), bytes(data[start : start + length]), _bool(whole))
        )
    findings = []
    for row in _list(header["findings"]):
        kind, message, fwhere, severity, expected, actual, integrity = _list(row)
        if severity not in _SEVERITIES:
            raise Invalid("unknown severity")
        findings.append(
            Finding(
                _finding_kind(kind),
                _str(message),
                where=where if fwhere is None else _str(fwhere),
                severity=severity,
                expected=_opt_str(expected),
                actual=_opt_str(actual),
                integrity=_bool(integrity),
            )
        )
    return LayerScan(
        blob_digest=_str(header["blob_digest"]),
        blob_size=_int(header["blob_size"]),
        diff_id=_str(header["diff_id"]),
        uncompressed_size=_int(header["uncompressed_size"]),
        compression=compression,
        entries=tuple(entries),
        whiteouts=tuple(_str(w) for w in _list(header["whiteouts"])),
        opaque_dirs=tuple(_str(o) for o in _list(header["opaque_dirs"])),
        captured=tuple(captured),
        findings=tuple(findings),
        complete=_bool(header["complete"]),
    )


class LayerCache:
    """Per-layer results under ``directory``; every failure to read or write is a miss."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self._root = self.directory / "layers-v1"

    @staticmethod
    def key(
        *,
        blob_digest: str,
        blob_size: int,
        diff_id: str,
        media_type: str,
        catalogers: Sequence[str],
        catalog_version: str,
        limits: Limits,
    ) -> str:
        parts = [
            FORMAT,
            __version__,
            catalog_version,
            blob_digest,
            str(blob_size),
            diff_id,
            media_type,
            ",".join(catalogers),
            str(limits.max_layer_bytes),
            str(limits.max_expansion_ratio),
            str(limits.max_capture_bytes),
        ]
        return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()

    def path(self, key: str) -> Path:
        return self._root / key[:2] / key

    def get(self, key: str, where: str, *, blob_digest: str, blob_size: int) -> LayerScan | None:
        """The cached scan, or None if absent, unreadable, corrupt, foreign or not this blob's."""
        try:
            raw = self.path(key).read_bytes()
        except OSError:
            return None
        try:
            scan = _decode(key, raw, where)
        except (Invalid, KeyError, ValueError, TypeError):
            return None
        if scan.blob_digest != blob_digest or scan.blob_size != blob_size:
            return None
        return scan

    def put(self, key: str, scan: LayerScan, where: str) -> bool:
        """Store ``scan`` atomically; False (and nothing written) on any failure."""
        try:
            data = _encode(key, scan, where)
        except (TypeError, orjson.JSONEncodeError):
            return False  # e.g. a name that is not valid Unicode: scan again next time
        return write_atomic(self.path(key), data)
