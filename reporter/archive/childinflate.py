"""A compressed input inflated by a child process, read back through a pipe.

A ``docker save | gzip`` tarball or a zstd-compressed OCI archive is read in one pass, in
order: nothing can be scanned beside it. isal's inflate holds the GIL, so a thread would not
overlap it with the layer walk either; a forked child does. It runs the very decoder the
in-process path uses (``reporter.compression.open_stream``) and writes the plain tar into a
pipe; this process walks it. On two cores the outer inflate (about a third of the time on a
gzipped ``docker save``) then costs only the pipe copy.

An error in the child (a corrupt or cut stream) reaches the reader after the last good byte,
as the same exception type with the same message the in-process decoder raises, so findings
and error lines do not depend on which path read the input.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import threading
from typing import IO, cast

from reporter.compression import STREAM_ERRORS, open_stream

__all__ = ["can_fork", "inflate_in_child"]

_CHUNK = 1 << 20


def can_fork() -> bool:
    """Forking is safe here: Linux, and no other thread whose locks the child could inherit."""
    return sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1


def _error_types() -> dict[str, type[Exception]]:
    """What the in-process decoders raise, by name (``STREAM_ERRORS``: isal, zlib, zstd)."""
    return {cls.__name__: cls for cls in (*STREAM_ERRORS, EOFError)}


def _child(raw: IO[bytes], magic: bytes, data_w: int, error_w: int) -> None:
    """Runs in the child: inflate ``raw`` into ``data_w``; the error, if any, into ``error_w``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    code = 0
    try:
        stream, _kind = open_stream(raw, magic)
        while chunk := stream.read(_CHUNK):
            view = memoryview(chunk)
            while view:
                view = view[os.write(data_w, view) :]
    except BrokenPipeError:
        pass  # the reader stopped early: nothing more is wanted
    except BaseException as exc:
        message = f"{type(exc).__name__}\n{exc}".encode("utf-8", "backslashreplace")
        with contextlib.suppress(OSError):
            os.write(error_w, message[: 1 << 15])
        code = 1
    os._exit(code)


class _PipeReader(io.RawIOBase):
    """The parent's end: the child's plain bytes, then its error (re-raised) at the end."""

    def __init__(self, pid: int, data_r: int, error_r: int) -> None:
        self._pid = pid
        self._data = data_r
        self._error = error_r
        self._done = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._done:
            return 0
        data = os.read(self._data, len(buffer))
        if data:
            buffer[: len(data)] = data
            return len(data)
        self._done = True
        self._reap()
        return 0

    def _reap(self) -> None:
        """At the end of the data: wait for the child and raise what it raised."""
        message = b""
        while part := os.read(self._error, 1 << 15):
            message += part
        os.waitpid(self._pid, 0)
        self._pid = 0
        if not message:
            return
        name, _, text = message.decode("utf-8", "replace").partition("\n")
        raise _error_types().get(name, OSError)(text)

    def close(self) -> None:
        if self.closed:
            return
        for fd in (self._data, self._error):
            with contextlib.suppress(OSError):
                os.close(fd)
        if self._pid:
            try:
                os.kill(self._pid, signal.SIGKILL)  # it may be blocked reading a slow pipe
                os.waitpid(self._pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self._pid = 0
        super().close()


def inflate_in_child(raw: IO[bytes], magic: bytes) -> IO[bytes]:
    """``raw`` (gzip or zstd, starting with ``magic``) as a plain stream inflated by a child.

    The caller must have checked ``can_fork()``; ``raw`` belongs to the child from now on
    (this process must not read it, though it may close it).
    """
    data_r, data_w = os.pipe()
    error_r, error_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(data_r)
        os.close(error_r)
        _child(raw, magic, data_w, error_w)
    os.close(data_w)
    os.close(error_w)
    return cast(IO[bytes], io.BufferedReader(_PipeReader(pid, data_r, error_r), _CHUNK))
