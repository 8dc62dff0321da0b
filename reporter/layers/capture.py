"""The capture protocol: what a cataloger may ask the layer walker to keep of a file.

The walker (``reporter.layers.tarwalk``) calls ``wants(path, mode, size)`` of every capturer
for each regular file of a layer, in its one streaming pass, and keeps only what is asked for:

* ``WholeFile(max_bytes)``: the whole content, if the file is at most ``max_bytes`` long;
* a ``Scanner``: fed the content chunk by chunk (for files too big to keep, such as
  executables searched for Go build info); its ``result()`` is what is kept.

Defined here, on the layer side, so the walker depends on nothing later in the data flow:
``reporter.catalog.interface.Cataloger`` is a ``Capturer`` (it has the same ``name`` and
``wants``), and the catalog package re-exports ``WholeFile`` and ``Scanner`` from this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = ["Capturer", "Scanner", "WholeFile"]


@dataclass(frozen=True, slots=True)
class WholeFile:
    max_bytes: int = 64 * 1024 * 1024


class Scanner(Protocol):
    def feed(self, chunk: bytes) -> bool:
        """Take the next chunk; return False once nothing more is needed (stops feeding)."""
        ...

    def result(self) -> bytes | None:
        """What to keep for ``parse``, or None to keep nothing."""
        ...


class Capturer(Protocol):
    """The part of a cataloger the walker sees: a name and what it wants of each file."""

    @property
    def name(self) -> str: ...

    def wants(self, path: str, mode: int, size: int) -> WholeFile | Scanner | None:
        """Called for every regular file of every layer: must be cheap and pure."""
        ...
