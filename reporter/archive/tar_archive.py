"""Tar inputs: OCI layouts in a tar (``buildx -o type=oci``, ``oci-archive``), ``docker save``.

Two modes over the same tree view:

* seekable (a plain tar file): members are indexed once, then opened on demand, so only the
  layers of the selected images are ever read, and several can be read at once;
* stream (gzip/zstd-compressed tar, standard input): one pass, no spooling to disk. Small
  members are kept in memory (bounded by ``Limits.max_small_blob_bytes``); every larger member
  is scanned as a layer on the way past (hash + decompress + tar walk + capture), since the
  manifests that say which members are layers may come later in the stream (``docker save``
  writes ``manifest.json`` last).
"""

from __future__ import annotations

import io
import os
import posixpath
import tarfile
from collections.abc import Callable, Iterator
from typing import IO, Self

from reporter.compression import STREAM_ERRORS
from reporter.errors import ArchiveError, InputError
from reporter.model import Finding, FindingKind

__all__ = ["SMALL_MEMBER_BYTES", "TarArchive", "normalize_member_name"]

# Members up to this size are kept whole in stream mode (manifests, configs, attestations
# and small layers); larger ones are scanned as layers while streaming.
SMALL_MEMBER_BYTES = 4 * 1024 * 1024
_MAX_LINK_HOPS = 16

# Called on each large member in stream mode; what it returns is kept, unread, for prescanned().
ScanFn = Callable[[IO[bytes], str], object]


def normalize_member_name(name: str) -> str | None:
    """A member name as a clean relative path; None if it is absolute or climbs out."""
    if name.startswith("/"):
        return None
    parts: list[str] = []
    for part in name.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            return None
        parts.append(part)
    return "/".join(parts)


# Not in typeshed; both are tarfile.HeaderError subclasses in every CPython since 3.2.
_HEADER_STOPS: tuple[type[Exception], ...] = tuple(
    getattr(tarfile, name) for name in ("TruncatedHeaderError", "InvalidHeaderError")
)


# Corrupt or cut compressed data: isal's IsalError is neither an OSError nor a ValueError.
_CORRUPT: tuple[type[Exception], ...] = (EOFError, OSError, ValueError, *STREAM_ERRORS)


class _CheckedTarInfo(tarfile.TarInfo):
    """Remembers why ``tarfile`` stopped reading headers.

    After the first member, ``tarfile`` takes a header cut short or failing its checksum for
    the end of the archive and stops without a word, so a truncated or garbled archive read as
    a shorter, sound one (hostile-input suite, tests/hostile/test_truncation.py).
    """

    @classmethod
    def fromtarfile(cls, tar: tarfile.TarFile) -> Self:
        offset = tar.offset
        try:
            return super().fromtarfile(tar)
        except _HEADER_STOPS as exc:
            tar._reporter_stop = f"{exc} at offset {offset}"  # type: ignore[attr-defined]
            raise


def _check_stop(tar: tarfile.TarFile) -> None:
    stop = getattr(tar, "_reporter_stop", None)
    if stop is not None:
        raise tarfile.ReadError(f"cut short or corrupt: {stop}")


def _checked(tar: tarfile.TarFile) -> Iterator[tarfile.TarInfo]:
    yield from tar
    _check_stop(tar)


class TarArchive:
    def __init__(
        self,
        fileobj: IO[bytes],
        name: str,
        *,
        kind: str,
        seekable: bool,
        scan: ScanFn | None,
        max_small_bytes: int,
        underlying: IO[bytes] | None = None,
    ) -> None:
        self._name = name
        self._underlying = underlying  # the raw file under a decompressing wrapper
        self._kind = kind
        self._fileobj = fileobj
        self._findings: list[Finding] = []
        self._links: dict[str, str] = {}
        self._members: dict[str, tarfile.TarInfo] = {}
        self._small: dict[str, bytes] = {}
        self._scans: dict[str, object] = {}
        self._sizes: dict[str, int] = {}
        self._tar: tarfile.TarFile | None = None
        try:
            self._open(seekable, scan, max_small_bytes)
        except BaseException:
            self.close()
            raise

    def _open(self, seekable: bool, scan: ScanFn | None, max_small_bytes: int) -> None:
        try:
            if seekable:
                self._tar = tarfile.open(  # noqa: SIM115
                    fileobj=self._fileobj, mode="r:", tarinfo=_CheckedTarInfo
                )
                for member in self._tar.getmembers():
                    self._index(member)
                _check_stop(self._tar)
            else:
                self._stream_all(scan, max_small_bytes)
        except tarfile.TarError as exc:
            raise ArchiveError(f"not a readable tar archive ({exc})", where=self._name) from exc
        except _CORRUPT as exc:
            raise ArchiveError(
                f"archive data is corrupt or cut short ({exc})", where=self._name
            ) from exc

    @property
    def name(self) -> str:
        return self._name

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def findings(self) -> list[Finding]:
        return self._findings

    def _escape(self, message: str) -> None:
        self._findings.append(
            Finding(FindingKind.PATH_ESCAPE, message, where=self._name, integrity=True)
        )

    def _index(self, member: tarfile.TarInfo) -> str | None:
        path = normalize_member_name(member.name)
        if path is None:
            self._escape(f"member name {member.name!r} leaves the archive")
            return None
        if member.issym() or member.islnk():
            base = posixpath.dirname(path) if member.issym() else ""
            # docker save links shared layers as "<id>/layer.tar -> ../<other>/layer.tar"
            joined = posixpath.normpath(posixpath.join(base, member.linkname))
            target = None if joined.startswith("..") else normalize_member_name(joined)
            if target is None:
                self._escape(f"link {path!r} points outside the archive ({member.linkname!r})")
                return None
            self._links[path] = target
            return None
        if not member.isreg():
            return None
        if path in self._members or path in self._small or path in self._scans:
            self._findings.append(
                Finding(
                    FindingKind.DUPLICATE_ENTRY,
                    f"{path!r} appears more than once; the last copy "
                    "is used, as tar extraction would",
                    where=self._name,
                    integrity=True,
                )
            )
        self._members[path] = member
        self._sizes[path] = member.size
        return path

    def _stream_all(self, scan: ScanFn | None, max_small_bytes: int) -> None:
        kept = 0
        with tarfile.open(fileobj=self._fileobj, mode="r|", tarinfo=_CheckedTarInfo) as tar:
            for member in _checked(tar):
                path = self._index(member)
                if path is None:
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                if member.size <= SMALL_MEMBER_BYTES or scan is None:
                    if kept + member.size > max_small_bytes:
                        raise InputError(
                            f"more than {max_small_bytes} bytes of metadata members; "
                            "raise the limit or pass an uncompressed tar",
                            where=self._name,
                        )
                    data = handle.read()
                    if len(data) != member.size:
                        raise ArchiveError(f"member {path!r} is cut short", where=self._name)
                    kept += len(data)
                    self._small[path] = data
                    self._scans.pop(path, None)
                else:
                    self._scans[path] = scan(handle, f"{self._name}/{path}")
                    self._small.pop(path, None)

    def _follow(self, path: str) -> str:
        start = path
        for _ in range(_MAX_LINK_HOPS):
            target = self._links.get(path)
            if target is None:
                return path
            path = target
        # A link loop (or a chain too long): say so instead of calling the name missing.
        finding = Finding(
            FindingKind.LINK_LOOP,
            f"{start!r} is a chain of links that never ends at a file",
            where=self._name,
            integrity=True,
        )
        if finding not in self._findings:
            self._findings.append(finding)
        return path

    def exists(self, path: str) -> bool:
        path = self._follow(path)
        return path in self._members or path in self._small or path in self._scans

    def size(self, path: str) -> int | None:
        return self._sizes.get(self._follow(path))

    def read(self, path: str, limit: int) -> bytes | None:
        path = self._follow(path)
        size = self._sizes.get(path)
        if size is not None and size > limit:
            raise InputError(
                f"larger than the {limit}-byte limit for metadata", where=f"{self._name}/{path}"
            )
        if path in self._small:
            return self._small[path]
        handle = self.open(path)
        if handle is None:
            return None
        with handle:
            return handle.read()

    def open(self, path: str) -> IO[bytes] | None:
        path = self._follow(path)
        if path in self._small:
            return io.BytesIO(self._small[path])
        if self._tar is not None and path in self._members:
            return self._tar.extractfile(self._members[path])
        return None

    def prescanned(self, path: str) -> object | None:
        return self._scans.get(self._follow(path))

    def locate(self, path: str) -> tuple[str, int, int | None] | None:
        member = self._members.get(self._follow(path))
        name = getattr(self._fileobj, "name", None)
        if self._tar is None or member is None or member.issparse() or not isinstance(name, str):
            return None
        return os.path.abspath(name), member.offset_data, member.size

    def close(self) -> None:
        if self._tar is not None:
            self._tar.close()
        self._fileobj.close()
        if self._underlying is not None:
            self._underlying.close()
