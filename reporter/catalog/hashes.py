"""Digests of a file-shaped component from the bytes the walk kept anyway (no second read).

SHA-256 for everyone, SHA-512 for BSI TR-03183-2 (§8.1.7 wants a SHA-512 of each deployable
component). ``(hashlib name, hex)`` pairs, as ``FoundPackage.hashes``.
"""

from __future__ import annotations

import hashlib

__all__ = ["ALGORITHMS", "file_hashes"]

ALGORITHMS = ("sha256", "sha512")


def file_hashes(data: bytes) -> tuple[tuple[str, str], ...]:
    return tuple((name, hashlib.new(name, data).hexdigest()) for name in ALGORITHMS)
