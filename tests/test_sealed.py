"""The sealed entry format both caches write: every kind of damage reads as a miss."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reporter.sealed import Invalid, seal, unseal, write_atomic

MAGIC = b"TESTENT\n"


def _entry(data: bytes = b"payload", key: str = "k1") -> bytes:
    return seal(MAGIC, {"format": "f/v1", "key": key, "data_size": len(data)}, data)


def test_round_trip() -> None:
    header, data = unseal(MAGIC, _entry(), fmt="f/v1", key="k1")
    assert header["key"] == "k1"
    assert bytes(data) == b"payload"


@pytest.mark.parametrize("position", [0, 10, 45, -1])
def test_any_flipped_byte_is_refused(position: int) -> None:
    raw = bytearray(_entry())
    raw[position] ^= 0x01
    with pytest.raises(Invalid):
        unseal(MAGIC, bytes(raw), fmt="f/v1", key="k1")


def test_truncated_foreign_and_other_key_are_refused() -> None:
    raw = _entry()
    for bad in (raw[:20], raw[:-1], b""):
        with pytest.raises(Invalid):
            unseal(MAGIC, bad, fmt="f/v1", key="k1")
    with pytest.raises(Invalid, match="another key"):
        unseal(MAGIC, raw, fmt="f/v1", key="k2")
    with pytest.raises(Invalid, match="foreign"):
        unseal(MAGIC, raw, fmt="f/v2", key="k1")
    with pytest.raises(Invalid, match="not a cache entry"):
        unseal(b"OTHERMG\n", raw, fmt="f/v1", key="k1")


def test_a_lying_data_size_is_refused() -> None:
    raw = seal(MAGIC, {"format": "f/v1", "key": "k1", "data_size": 3}, b"payload")
    with pytest.raises(Invalid, match="data length"):
        unseal(MAGIC, raw, fmt="f/v1", key="k1")


def test_write_atomic_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "ab" / "entry"
    assert write_atomic(target, b"x")
    assert target.read_bytes() == b"x"
    assert os.listdir(target.parent) == ["entry"]
    blocked = tmp_path / "file"
    blocked.write_bytes(b"")
    assert not write_atomic(blocked / "entry", b"x")  # parent is a file: refused, not raised
