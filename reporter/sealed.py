"""Sealed cache entries: a self-checking file format shared by the layer and report caches.

A cache directory may be shared or tampered with, so entries are never pickled and every
entry carries its own content hash::

    MAGIC (8 bytes) | sha256 of everything after it (32 bytes)
    | header length (8 bytes, big endian) | header (orjson) | data (concatenated)

``unseal`` checks the magic, the content hash, the header's ``format`` and ``key``, and the
data length against ``data_size``; callers validate the rest of their header field by field
with the ``as_*`` checkers, which raise ``Invalid``. ``write_atomic`` writes a temporary file
beside the target and renames it, so concurrent runs never see a half-written entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any

import orjson

__all__ = ["Invalid", "as_bool", "as_int", "as_list", "as_str", "seal", "unseal", "write_atomic"]

_HASH = 32
_LENGTH = 8


class Invalid(Exception):
    """The entry is not one this reader accepts: treat it as a miss."""


def as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise Invalid("not a string")
    return value


def as_int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid("not a non-negative integer")
    return value


def as_list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Invalid("not a list")
    return value


def as_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("not a boolean")
    return value


def seal(magic: bytes, header: dict[str, Any], data: bytes) -> bytes:
    """The entry's bytes; ``header`` must hold ``format``, ``key`` and ``data_size``."""
    head = orjson.dumps(header)
    body = len(head).to_bytes(_LENGTH, "big") + head + data
    return magic + hashlib.sha256(body).digest() + body


def unseal(magic: bytes, raw: bytes, *, fmt: str, key: str) -> tuple[dict[str, Any], memoryview]:
    """The header and data of an intact entry of format ``fmt`` under ``key``."""
    if len(raw) < len(magic) + _HASH + _LENGTH or raw[: len(magic)] != magic:
        raise Invalid("not a cache entry")
    body = memoryview(raw)[len(magic) + _HASH :]
    if hashlib.sha256(body).digest() != raw[len(magic) : len(magic) + _HASH]:
        raise Invalid("content hash mismatch")
    size = int.from_bytes(body[:_LENGTH], "big")
    if size > len(body) - _LENGTH:
        raise Invalid("header length out of range")
    try:
        header = orjson.loads(body[_LENGTH : _LENGTH + size])
    except orjson.JSONDecodeError as exc:
        raise Invalid("header is not JSON") from exc
    data = body[_LENGTH + size :]
    if not isinstance(header, dict) or header.get("format") != fmt:
        raise Invalid("foreign format")
    if header.get("key") != key:
        raise Invalid("entry belongs to another key")
    if as_int(header.get("data_size")) != len(data):
        raise Invalid("data length mismatch")
    return header, data


def write_atomic(target: Path, data: bytes) -> bool:
    """Write ``data`` to ``target`` through a temporary file beside it; False on any failure."""
    import tempfile  # start-up: only a cache write needs it (and the random it imports)

    tmp = ""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
        return True
    except OSError:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return False
