"""An OCI image-layout directory (image-layout.md): ``oci-layout``, ``index.json``, ``blobs/``."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

from reporter.errors import InputError
from reporter.model import Finding, FindingKind

__all__ = ["LayoutDirectory"]


class LayoutDirectory:
    kind = "oci-layout"

    def __init__(self, root: Path, name: str) -> None:
        self._root = root.resolve()
        self._name = name
        self._findings: list[Finding] = []
        self._reported: set[str] = set()

    @property
    def name(self) -> str:
        return self._name

    @property
    def findings(self) -> list[Finding]:
        return self._findings

    def _resolve(self, path: str) -> Path | None:
        """The file for ``path`` if it is a regular file inside the layout; else None + finding."""
        if path.startswith("/") or ".." in path.split("/"):
            self._flag(path, FindingKind.PATH_ESCAPE, "the name leaves the layout")
            return None
        candidate = self._root / path
        try:
            real = Path(os.path.realpath(candidate))
            info = os.stat(real)
        except OSError:
            return None
        if real != self._root and self._root not in real.parents:
            self._flag(
                path, FindingKind.PATH_ESCAPE, f"a symlink leads outside the layout (to {real})"
            )
            return None
        if not stat.S_ISREG(info.st_mode):
            self._flag(
                path, FindingKind.NOT_A_FILE, "is not a regular file (a directory or a device)"
            )
            return None
        return real

    def _flag(self, path: str, kind: FindingKind, message: str) -> None:
        if path in self._reported:
            return
        self._reported.add(path)
        self._findings.append(Finding(kind, message, where=f"{self._name}/{path}", integrity=True))

    def exists(self, path: str) -> bool:
        return self._resolve(path) is not None

    def size(self, path: str) -> int | None:
        real = self._resolve(path)
        return None if real is None else real.stat().st_size

    def read(self, path: str, limit: int) -> bytes | None:
        real = self._resolve(path)
        if real is None:
            return None
        with open(real, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            raise InputError(
                f"larger than the {limit}-byte limit for metadata", where=f"{self._name}/{path}"
            )
        return data

    def open(self, path: str) -> IO[bytes] | None:
        real = self._resolve(path)
        return None if real is None else open(real, "rb")

    def prescanned(self, path: str) -> object | None:
        return None

    def locate(self, path: str) -> tuple[str, int, int | None] | None:
        real = self._resolve(path)
        return None if real is None else (str(real), 0, None)

    def close(self) -> None:
        return None
