"""Progress of the layer scan, for people: on stderr, only on a terminal, only when it takes time.

The pipeline reports a :class:`ScanStatus` through an optional callback; it knows nothing about
terminals. :func:`terminal_progress` gives the callback the CLI uses: ``None`` (no output at
all) under ``--quiet`` or when stderr is not a terminal (pipes, files, CI logs), otherwise a
``rich.progress`` bar that appears only once the scan has run for ``delay`` seconds and shows
layers done, bytes read and the rate. It draws from the calling thread (no refresh thread), so
it never runs while worker processes are being forked.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

__all__ = ["ProgressCallback", "ScanStatus", "TerminalProgress", "terminal_progress"]


@dataclass(frozen=True, slots=True)
class ScanStatus:
    layers_done: int
    layers_total: int | None  # None while unknown (stream mode reads layers as they come)
    bytes_done: int  # compressed bytes read or skipped thanks to the cache
    bytes_total: int | None
    cached: int = 0  # layers answered from the cache
    finished: bool = False


ProgressCallback = Callable[[ScanStatus], None]


class TerminalProgress:
    """A ``ProgressCallback`` drawing a rich progress bar on ``stream`` after ``delay`` seconds."""

    def __init__(self, stream: IO[str], *, delay: float = 0.5, min_interval: float = 0.1) -> None:
        self._stream = stream
        self._delay = delay
        self._interval = min_interval
        self._began: float | None = None
        self._last = 0.0
        self._progress: Any = None
        self._task: Any = None

    def __call__(self, status: ScanStatus) -> None:
        now = time.monotonic()
        if self._began is None:
            self._began = now
        if status.finished:
            if self._progress is not None:
                self._draw(status)
                self._progress.stop()
                self._progress = None
            self._began = None
            return
        if self._progress is None:
            if now - self._began < self._delay:
                return
            self._open()
        elif now - self._last < self._interval:
            return
        self._last = now
        self._draw(status)

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TransferSpeedColumn,
        )

        console = Console(file=self._stream, stderr=True)
        self._progress = Progress(
            TextColumn("scanning layers {task.fields[layers]}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
            console=console,
            auto_refresh=False,
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task("scan", total=None, layers="")

    def _draw(self, status: ScanStatus) -> None:
        total = status.layers_total
        layers = f"{status.layers_done}/{total}" if total is not None else str(status.layers_done)
        if status.cached:
            layers += f" ({status.cached} cached)"
        self._progress.update(
            self._task, completed=status.bytes_done, total=status.bytes_total, layers=layers
        )
        self._progress.refresh()


def terminal_progress(
    *, quiet: bool = False, stream: IO[str] | None = None, delay: float = 0.5
) -> ProgressCallback | None:
    """The CLI's progress callback: None under ``--quiet`` or when ``stream`` is no terminal."""
    if quiet:
        return None
    target = sys.stderr if stream is None else stream
    try:
        if not target.isatty():
            return None
    except (AttributeError, ValueError):  # closed or replaced streams
        return None
    return TerminalProgress(target, delay=delay)
