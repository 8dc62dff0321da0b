"""Writing rendered bytes to where the user asked, without ever leaving a half-written file.

* ``-`` is standard output.
* A regular file (or a path that does not exist yet) is written to a temporary file in the same
  directory, flushed to disk, then renamed over the target with ``os.replace``: readers see the
  old file or the new one, never a mix, and a failure leaves the old file untouched and no
  temporary file behind.
* A target that exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a FIFO, a
  character device) is opened and written in place: renaming over it would replace the device
  node or pipe with a plain file, which is never what ``-o /dev/null`` means.
* ``--output-dir`` writes one file per platform, named only from the sanitised platform string
  and the format's suffix (``linux_arm64_v8.cdx.json``), never from image content such as refs
  or labels, and never outside the directory: existing symlinks there are replaced, not followed.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from reporter.errors import RenderError

__all__ = ["platform_filenames", "sanitize_name", "write_bytes", "write_per_platform"]

_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_MAX_STEM = 64


def sanitize_name(text: str) -> str:
    """A file-name stem from an untrusted string: ``[a-z0-9._-]``, no leading dot, bounded."""
    stem = _UNSAFE.sub("_", text.lower()).strip("._-")[:_MAX_STEM].strip("._-")
    return stem or "unknown"


def platform_filenames(platforms: Iterable[str], suffix: str) -> list[str]:
    """One distinct file name per platform, in order.

    ``linux/arm64/v8`` with suffix ``.cdx.json`` → ``linux_arm64_v8.cdx.json``.

    Two images of the same platform (a docker-save tarball with two tags of different builds)
    get ``-2``, ``-3``, ... rather than overwriting each other.
    """
    if not re.fullmatch(r"(\.[a-z0-9]+)+", suffix):
        raise RenderError(f"bad output suffix {suffix!r}")
    names: list[str] = []
    used: set[str] = set()
    for platform in platforms:
        stem = sanitize_name(platform)
        name, n = stem + suffix, 1
        while name in used:
            n += 1
            name = f"{stem}-{n}{suffix}"
        used.add(name)
        names.append(name)
    return names


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _write_in_place(path: str, data: bytes) -> None:
    # No O_CREAT / O_TRUNC: the node exists and is a device or pipe; truncating is meaningless
    # and creating would race with someone replacing it.
    fd = os.open(path, os.O_WRONLY)
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _write_atomic(path: str, data: bytes) -> None:
    directory, base = os.path.split(path)
    directory = directory or "."
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile  # start-up (issue 16): standard output and --help need none of it

    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{base}.", suffix=".tmp")
    try:
        try:
            _write_all(fd, data)
            os.fchmod(fd, mode)  # mkstemp makes 0600; keep the mode a plain write would give
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(
    target: str | os.PathLike[str],
    data: bytes,
    *,
    follow_symlinks: bool = True,
    stdout: BinaryIO | None = None,
) -> None:
    """Write ``data`` to ``target`` (``-`` = standard output) as described in the module doc.

    ``follow_symlinks``: a symlink the user named is written through (its target replaced
    atomically); ``write_per_platform`` passes False so a planted link cannot redirect a write
    out of the output directory. Raises ``RenderError`` with one line on any failure.
    """
    name = os.fspath(target)
    if name == "-":
        stream = stdout if stdout is not None else sys.stdout.buffer
        try:
            stream.write(data)
            stream.flush()
        except OSError as exc:
            raise RenderError(f"cannot write to standard output: {exc.strerror or exc}") from exc
        return
    try:
        try:
            info = os.stat(name) if follow_symlinks else os.lstat(name)
        except FileNotFoundError:
            info = None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise RenderError(f"{name} is a directory")
        if info is not None and not stat.S_ISREG(info.st_mode) and not stat.S_ISLNK(info.st_mode):
            _write_in_place(name, data)
            return
        real = os.path.realpath(name) if follow_symlinks else name
        _write_atomic(real, data)
    except OSError as exc:
        raise RenderError(f"cannot write {name}: {exc.strerror or exc}") from exc


def write_per_platform(
    directory: str | os.PathLike[str],
    outputs: Sequence[tuple[str, bytes]],
    suffix: str,
) -> list[Path]:
    """``--output-dir``: one file per ``(platform, bytes)`` pair; returns the paths written.

    The directory is created if missing. Every name comes from ``platform_filenames`` and is
    checked to resolve directly inside the directory before anything is written.
    """
    root = Path(directory)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RenderError(f"cannot create output directory {root}: {exc.strerror or exc}") from exc
    names = platform_filenames((platform for platform, _ in outputs), suffix)
    real_root = root.resolve()
    paths: list[Path] = []
    for name, (_, data) in zip(names, outputs, strict=True):
        path = root / name
        # Belt and braces: sanitize_name already rules out separators and "..".
        if path.parent.resolve() != real_root or path.name != name:
            raise RenderError(f"refusing to write {name!r} outside {root}")
        write_bytes(path, data, follow_symlinks=False)
        paths.append(path)
    return paths
