"""Digests of a file-shaped component from the bytes the walk kept anyway (no second read).

The algorithms are the walker's (``reporter.layers.capture.DIGEST_ALGORITHMS``: SHA-256, and
SHA-512 for BSI TR-03183-2), so a component read whole and a binary hashed while streaming
carry the same ``(hashlib name, hex)`` pairs, as ``FoundPackage.hashes``.
"""

from __future__ import annotations

import hashlib

from reporter.layers.capture import DIGEST_ALGORITHMS

__all__ = ["file_hashes"]


def file_hashes(data: bytes) -> tuple[tuple[str, str], ...]:
    return tuple((name, hashlib.new(name, data).hexdigest()) for name in DIGEST_ALGORITHMS)
